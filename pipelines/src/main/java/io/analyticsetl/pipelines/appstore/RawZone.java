package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.io.Locations;
import java.io.IOException;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The raw zone: every downloaded segment kept as received, under
 * {@code <root>/appstore/raw/<dataset>/dt=<processing_date>/app_id=<id>/<instance>-<segment>.tsv.gz}.
 */
final class RawZone {

  private static final Pattern PATH =
      Pattern.compile(".*/raw/([a-z_]+)/dt=(\\d{4}-\\d{2}-\\d{2})/app_id=(\\d+)/([^/]+)$");

  /** One raw segment file and what its path says about it. */
  record RawFile(String path, String report, LocalDate processingDate, long appId, String name)
      implements Serializable {}

  private RawZone() {}

  static String reportDirectory(String root, String report) {
    return Locations.join(Locations.normalizeRoot(root), AppstoreDatasets.DOMAIN, "raw", report);
  }

  /** The folder of one app's segments of one processing date. */
  static String segmentFolder(String root, String report, LocalDate processingDate, long appId) {
    return Locations.join(reportDirectory(root, report), "dt=" + processingDate, "app_id=" + appId);
  }

  static String segmentPath(String root, String report, LocalDate processingDate, long appId, String instanceId, String segmentId) {
    return segmentFolder(root, report, processingDate, appId) + "/" + instanceId + "-" + segmentId + ".tsv.gz";
  }

  /**
   * Beside the segments of an instance some of which did not land (they never verified, or the
   * listing failed): later runs fetch that instance again, however old its processing date, until
   * every segment is in and the marker is deleted. It holds what went wrong.
   */
  static String incompleteMarker(String root, String report, LocalDate processingDate, long appId, String instanceId) {
    return segmentFolder(root, report, processingDate, appId) + "/" + instanceId + INCOMPLETE;
  }

  static final String INCOMPLETE = ".incomplete";

  /**
   * Lists the raw files of the dataset it is given, by app: those named by {@code fileGlob} in
   * processing dates from {@code first} on (earlier instances cannot hold later days), of the
   * selected apps (all when empty).
   */
  static final class ListFiles extends DoFn<String, KV<Long, RawFile>> {
    private final String rawRoot;
    private final String fileGlob;
    private final Set<Long> apps;
    private final LocalDate first;

    ListFiles(String rawRoot, String fileGlob, Set<Long> apps, LocalDate first) {
      this.rawRoot = rawRoot;
      this.fileGlob = fileGlob;
      this.apps = apps;
      this.first = first;
    }

    @ProcessElement
    public void process(@Element String dataset, OutputReceiver<KV<Long, RawFile>> out) throws IOException {
      String glob = reportDirectory(rawRoot, dataset) + "/dt=*/app_id=*/" + fileGlob;
      for (MatchResult.Metadata file : FileSystems.match(glob, EmptyMatchTreatment.ALLOW).metadata()) {
        parse(file.resourceId().toString())
            .filter(raw -> !raw.processingDate().isBefore(first))
            .filter(raw -> apps.isEmpty() || apps.contains(raw.appId()))
            .ifPresent(raw -> out.output(KV.of(raw.appId(), raw)));
      }
    }
  }

  /**
   * The processing dates in [{@code from}, {@code before}) of which an app has no segment of any of
   * the reports in the raw zone, though it has one of an earlier date: days a daily run missed
   * (stopped, or not run), as {@code report|app|date} keys for each report. A date on which only
   * some reports landed is not one (a quiet app's purchases may have no instance on a day), unless a
   * report's instance of that date is marked {@linkplain #incompleteMarker incomplete}: that report's
   * key is.
   */
  static Set<String> missedProcessingDates(String root, List<String> reports, Set<Long> apps, LocalDate from, LocalDate before)
      throws IOException {
    Map<Long, TreeSet<LocalDate>> landed = new HashMap<>();
    Set<String> incomplete = new TreeSet<>();
    for (String report : reports) {
      for (LocalDate day = from; day.isBefore(before); day = day.plusDays(1)) {
        for (RawFile raw : filesOf(root, report, day, apps)) {
          if (raw.name().endsWith(INCOMPLETE)) {
            incomplete.add(key(report, raw.appId(), raw.processingDate()));
          } else if (raw.name().endsWith(".tsv.gz")) {
            landed.computeIfAbsent(raw.appId(), a -> new TreeSet<>()).add(raw.processingDate());
          }
        }
      }
    }
    Set<String> missed = new TreeSet<>(incomplete);
    for (long app : apps) {
      TreeSet<LocalDate> days = landed.get(app);
      if (days == null) {
        continue;
      }
      for (LocalDate day = days.first().plusDays(1); day.isBefore(before); day = day.plusDays(1)) {
        if (!days.contains(day)) {
          for (String report : reports) {
            missed.add(key(report, app, day));
          }
        }
      }
    }
    return missed;
  }

  /**
   * Per app, the first processing date in [{@code from}, {@code through}] of which one of the
   * reports has no segment in the raw zone, or one marked {@linkplain #incompleteMarker incomplete};
   * an app that has them all is absent.
   */
  static Map<Long, LocalDate> firstNotLanded(String root, List<String> reports, Set<Long> apps, LocalDate from, LocalDate through)
      throws IOException {
    Map<Long, LocalDate> first = new HashMap<>();
    for (String report : reports) {
      for (LocalDate day = from; !day.isAfter(through); day = day.plusDays(1)) {
        Set<Long> whole = new HashSet<>();
        Set<Long> incomplete = new HashSet<>();
        for (RawFile raw : filesOf(root, report, day, apps)) {
          if (raw.name().endsWith(INCOMPLETE)) {
            incomplete.add(raw.appId());
          } else if (raw.name().endsWith(".tsv.gz")) {
            whole.add(raw.appId());
          }
        }
        for (long app : apps) {
          if (!whole.contains(app) || incomplete.contains(app)) {
            first.merge(app, day, (a, b) -> a.isBefore(b) ? a : b);
          }
        }
      }
    }
    return first;
  }

  /**
   * The raw files of the apps' instances of a report processed on a day: one listing per date, so
   * that the cost follows the window, not the years of history.
   */
  private static List<RawFile> filesOf(String root, String report, LocalDate day, Set<Long> apps) throws IOException {
    String glob = reportDirectory(root, report) + "/dt=" + day + "/app_id=*/*";
    List<RawFile> files = new ArrayList<>();
    for (MatchResult.Metadata file : FileSystems.match(glob, EmptyMatchTreatment.ALLOW).metadata()) {
      parse(file.resourceId().toString()).filter(r -> apps.contains(r.appId())).ifPresent(files::add);
    }
    return files;
  }

  static String key(String report, long app, LocalDate processingDate) {
    return report + "|" + app + "|" + processingDate;
  }

  static Optional<RawFile> parse(String path) {
    Matcher matcher = PATH.matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new RawFile(path, matcher.group(1), LocalDate.parse(matcher.group(2)), Long.parseLong(matcher.group(3)), matcher.group(4)));
  }
}
