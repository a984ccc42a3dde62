package io.analyticsetl.pipelines.appstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Apps → reports (by exact name) → DAILY instances → segments → the raw zone. Segments already
 * landed are not downloaded again, so reruns change nothing.
 */
final class SegmentDownloads {

  static final TupleTag<RawZone.RawFile> LANDED = new TupleTag<>() {};
  static final TupleTag<DeadLetter> FAILED = new TupleTag<>() {};
  private static final int ATTEMPTS = 3;

  /** A report of an app's request, resolved by exact name. */
  record ReportRef(long appId, String report, String reportId) implements Serializable {}

  /** A DAILY instance of a report. */
  record InstanceRef(long appId, String report, String instanceId, LocalDate processingDate) implements Serializable {}

  private SegmentDownloads() {}

  static final class ResolveReports extends DoFn<KV<Long, String>, ReportRef> {
    private final AppStoreConnectClient client;
    private final List<String> reportKeys;

    ResolveReports(AppStoreConnectClient client, List<String> reportKeys) {
      this.client = client;
      this.reportKeys = reportKeys;
    }

    @ProcessElement
    public void process(@Element KV<Long, String> request, OutputReceiver<ReportRef> out) {
      List<JsonNode> reports;
      try {
        reports = client.getAll("/v1/analyticsReportRequests/" + request.getValue() + "/reports");
      } catch (AppStoreConnectClient.ApiException e) {
        e.failOnly("listing the reports", request.getKey());
        return;
      }
      for (JsonNode report : reports) {
        String name = report.path("attributes").path("name").asText();
        for (String key : reportKeys) {
          AppleReport wanted = AppleReport.byKey(key).orElseThrow();
          if (wanted.reportName().equals(name)) {
            out.output(new ReportRef(request.getKey(), key, report.path("id").asText()));
          }
        }
      }
    }
  }

  /** The DAILY instances of a report's request processed in [first, last], and any also wanted. */
  static final class ListInstances extends DoFn<ReportRef, InstanceRef> {
    static final TupleTag<InstanceRef> LISTED = new TupleTag<>() {};
    /**
     * Per app and report, the oldest processing date its ONGOING request lists ({@link LocalDate#MAX}
     * for none): a request holds no instances from before it was made.
     */
    static final TupleTag<KV<Long, LocalDate>> OLDEST = new TupleTag<>() {};

    private final AppStoreConnectClient client;
    private final LocalDate first;
    private final LocalDate last;
    private final Set<String> alsoWanted;
    private final boolean tellsOldest;
    private final PCollectionView<Map<Long, LocalDate>> snapshotLastByApp;

    private ListInstances(
        AppStoreConnectClient client, LocalDate first, LocalDate last, Set<String> alsoWanted, boolean tellsOldest,
        PCollectionView<Map<Long, LocalDate>> snapshotLastByApp) {
      this.client = client;
      this.first = first;
      this.last = last;
      this.alsoWanted = alsoWanted;
      this.tellsOldest = tellsOldest;
      this.snapshotLastByApp = snapshotLastByApp;
    }

    /**
     * An ONGOING request's instances.
     *
     * @param alsoWanted instances outside [first, last] wanted too, as {@link RawZone#key} keys
     */
    static ListInstances ongoing(AppStoreConnectClient client, LocalDate first, LocalDate last, Set<String> alsoWanted) {
      return new ListInstances(client, first, last, alsoWanted, false, null);
    }

    /** An ONGOING request's instances, with the oldest it lists as {@link #OLDEST}. */
    static ListInstances ongoingTellingOldest(AppStoreConnectClient client, LocalDate first, LocalDate last) {
      return new ListInstances(client, first, last, Set.of(), true, null);
    }

    /**
     * A ONE_TIME_SNAPSHOT request's instances processed from {@code first} up to the app's date in
     * {@code lastByApp}. Listing no instance at all means Apple has not made them yet, which fails the
     * run (after the rest is written).
     */
    static ListInstances snapshot(AppStoreConnectClient client, LocalDate first, PCollectionView<Map<Long, LocalDate>> lastByApp) {
      return new ListInstances(client, first, null, Set.of(), false, lastByApp);
    }

    /** The side inputs its ParDo must be given. */
    List<PCollectionView<?>> sideInputs() {
      return snapshotLastByApp == null ? List.of() : List.of(snapshotLastByApp);
    }

    @ProcessElement
    public void process(ProcessContext context) {
      ReportRef report = context.element();
      boolean snapshot = snapshotLastByApp != null;
      LocalDate last = snapshot ? context.sideInput(snapshotLastByApp).get(report.appId()) : this.last;
      if (last == null || (last.isBefore(first) && alsoWanted.isEmpty())) {
        return;
      }
      LocalDate newest = null;
      LocalDate oldest = null;
      List<JsonNode> instances;
      try {
        instances = client.getAll("/v1/analyticsReports/" + report.reportId() + "/instances?filter%5Bgranularity%5D=DAILY");
      } catch (AppStoreConnectClient.ApiException e) {
        e.failOnly("listing the " + report.report() + " instances", report.appId());
        return;
      }
      for (JsonNode instance : instances) {
        LocalDate processing = LocalDate.parse(instance.path("attributes").path("processingDate").asText());
        newest = newest == null || processing.isAfter(newest) ? processing : newest;
        oldest = oldest == null || processing.isBefore(oldest) ? processing : oldest;
        if ((!processing.isBefore(first) && !processing.isAfter(last))
            || alsoWanted.contains(RawZone.key(report.report(), report.appId(), processing))) {
          RunSignals.workFound(1);
          context.output(new InstanceRef(report.appId(), report.report(), instance.path("id").asText(), processing));
        }
      }
      if (tellsOldest) {
        context.output(OLDEST, KV.of(report.appId(), oldest == null ? LocalDate.MAX : oldest));
      }
      if (snapshot && newest == null) {
        RunSignals.failRun(
            "ONE_TIME_SNAPSHOT reports have no instances yet (Apple takes a day or two to make them); rerun the backfill later");
      } else if (snapshot && newest.isBefore(last)) {
        RunSignals.note(
            "a ONE_TIME_SNAPSHOT holds no " + report.report() + " instances processed after " + newest + " (up to " + last
                + " wanted): it was made earlier; Apple allows a new one once it is 31 days old (delete the request and the"
                + " next backfill makes one)");
      }
    }
  }

  static final class Download extends DoFn<InstanceRef, RawZone.RawFile> {
    private final AppStoreConnectClient client;
    private final String rawRoot;
    private final StageCounters stage = StageCounters.of("download_segments");

    Download(AppStoreConnectClient client, String rawRoot) {
      this.client = client;
      this.rawRoot = rawRoot;
    }

    @ProcessElement
    public void process(@Element InstanceRef instance, MultiOutputReceiver out) throws IOException {
      if (landedFromAnotherInstance(instance)) {
        // A snapshot's and an ONGOING request's instances of one processing date hold the same
        // rows: landing both would count them twice.
        RunSignals.note(instance.report() + " processing dates already landed from another request's instance were kept");
        RunSignals.workDone();
        return;
      }
      List<JsonNode> segments;
      try {
        segments = client.getAll("/v1/analyticsReportInstances/" + instance.instanceId() + "/segments");
      } catch (AppStoreConnectClient.ApiException e) {
        e.failOnly("listing the segments of " + instance.report() + " instance " + instance.instanceId(), instance.appId());
        markIncomplete(instance, "listing the segments failed: " + e.getMessage());
        RunSignals.workDone();
        return;
      }
      List<String> problems = new ArrayList<>();
      for (JsonNode segment : segments) {
        stage.read();
        String segmentId = segment.path("id").asText();
        String path =
            RawZone.segmentPath(rawRoot, instance.report(), instance.processingDate(), instance.appId(), safe(instance.instanceId()), safe(segmentId));
        if (!FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata().isEmpty()) {
          stage.filtered("already in the raw zone");
          continue;
        }
        String problem = null;
        JsonNode current = segment;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
          if (attempt > 1) {
            try {
              current = client.get("/v1/analyticsReportSegments/" + segmentId).path("data"); // a fresh pre-signed URL
            } catch (AppStoreConnectClient.ApiException e) {
              if (e.credentials()) {
                throw e;
              }
              problem = "listing the segment again failed: " + e.getMessage();
              break;
            }
          }
          JsonNode attributes = current.path("attributes");
          byte[] bytes;
          try {
            bytes = client.download(attributes.path("url").asText());
          } catch (AppStoreConnectClient.ApiException e) {
            problem = e.getMessage();
            continue;
          }
          problem = verify(bytes, attributes.path("sizeInBytes").asLong(-1), attributes.path("checksum").asText());
          if (problem == null) {
            write(path, bytes);
            stage.written();
            out.get(LANDED).output(new RawZone.RawFile(path, instance.report(), instance.processingDate(), instance.appId(), path.substring(path.lastIndexOf('/') + 1)));
            break;
          }
        }
        if (problem != null) {
          stage.deadLettered();
          out.get(FAILED).output(
              DeadLetter.of(stage.stage(), "segment " + segmentId + " of " + instance.report() + " instance " + instance.instanceId(),
                  withoutUrl(segment), problem + " (after " + ATTEMPTS + " attempts)"));
          RunSignals.failRun("segments could not be downloaded and verified");
          problems.add("segment " + segmentId + ": " + problem);
        }
      }
      if (problems.isEmpty()) {
        FileSystems.delete(List.of(marker(instance)), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      } else {
        markIncomplete(instance, String.join("\n", problems));
      }
      RunSignals.workDone();
    }

    private ResourceId marker(InstanceRef instance) {
      return FileSystems.matchNewResource(
          RawZone.incompleteMarker(rawRoot, instance.report(), instance.processingDate(), instance.appId(), safe(instance.instanceId())),
          false);
    }

    private void markIncomplete(InstanceRef instance, String why) throws IOException {
      try (WritableByteChannel channel = FileSystems.create(marker(instance), "text/plain")) {
        channel.write(ByteBuffer.wrap((why + "\n").getBytes(StandardCharsets.UTF_8)));
      }
    }

    /** Null when the bytes are what the segment listing promised; else what is wrong. */
    static String verify(byte[] bytes, long size, String checksum) {
      if (size >= 0 && bytes.length != size) {
        return "segment size " + bytes.length + " bytes, expected " + size;
      }
      String actual = segmentChecksum(bytes);
      return actual.equalsIgnoreCase(checksum) ? null : "segment checksum " + actual + ", expected " + checksum;
    }

    /** Apple publishes an MD5 checksum of each segment; it verifies the download, nothing more. */
    private static String segmentChecksum(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)); // segment checksum
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Written aside and renamed, so a run that dies half way leaves no partial segment to skip later. */
    private static void write(String path, byte[] bytes) throws IOException {
      ResourceId file = FileSystems.matchNewResource(path, false);
      ResourceId partial = FileSystems.matchNewResource(path + ".partial", false);
      try (WritableByteChannel channel = FileSystems.create(partial, "application/gzip")) {
        channel.write(ByteBuffer.wrap(bytes));
      }
      FileSystems.rename(List.of(partial), List.of(file));
    }

    private boolean landedFromAnotherInstance(InstanceRef instance) throws IOException {
      String folder = RawZone.segmentFolder(rawRoot, instance.report(), instance.processingDate(), instance.appId());
      String prefix = safe(instance.instanceId()) + "-";
      return FileSystems.match(folder + "/*.tsv.gz", EmptyMatchTreatment.ALLOW).metadata().stream()
          .anyMatch(file -> !file.resourceId().getFilename().startsWith(prefix));
    }

    /** The segment as listed, less its pre-signed URL (whose signature is a credential). */
    private static String withoutUrl(JsonNode segment) {
      JsonNode copy = segment.deepCopy();
      if (copy.path("attributes") instanceof ObjectNode attributes) {
        attributes.remove("url");
      }
      return copy.toString();
    }

    /** Ids become file names: keep them to safe characters. */
    private static String safe(String id) {
      return id.replaceAll("[^A-Za-z0-9._~-]", "_");
    }
  }

}
