package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
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
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Extracts one account slice. Its pages are kept as received under
 * {@code <outputRoot>/ads/raw/<platform>/dt=<runDate>/account=<id>/<from>_<to>.jsonl}, after a
 * first line stating when they were extracted, which is also the checkpoint: a rerun of the same day
 * reads a finished slice from there instead of the API, so a failed run resumes where it stopped,
 * and its rows keep their original {@code extracted_at}, so replaying an old day never passes for
 * newer figures (a slice that reaches the run date, still changing, is asked for again and its file
 * replaced). A slice extracted in whole states the account-days it covers, of which the platform
 * reports everything there is; a replayed slice leaves out the days another run date's checkpoint
 * extracted later. A spent quota stops the slice until the next run (a
 * note in the ledger); refused credentials or a request the platform keeps refusing fail the run
 * after everything else is written.
 */
final class SliceExtraction extends DoFn<AccountSlice, Row> {

  static final TupleTag<Row> ROWS = new TupleTag<>() {};
  static final TupleTag<DeadLetter> FAILED = new TupleTag<>() {};
  /** The account-days of each slice extracted in whole ({@link ReconcileAdRows#COVERAGE}). */
  static final TupleTag<Row> COVERED = new TupleTag<>() {};
  /**
   * The accounts ({@code PLATFORM|account_id}, as rows carry them) of slices that were not extracted
   * (stopped or failed): the days of those slices are unknown. (A slice with an unreadable item
   * covers no day either, but its other rows are in: its dead letter says what is missing.)
   */
  static final TupleTag<String> UNCOVERED = new TupleTag<>() {};

  private final Map<Platform, AdConnector> connectors;
  private final String outputRoot;
  private final LocalDate runDate;
  private final Instant extractedAt;

  SliceExtraction(Map<Platform, AdConnector> connectors, String outputRoot, LocalDate runDate, Instant extractedAt) {
    this.connectors = connectors;
    this.outputRoot = outputRoot;
    this.runDate = runDate;
    this.extractedAt = extractedAt;
  }

  /**
   * The first day before {@code windowFirst} that the account's checkpoints (of any run date) do not
   * cover, after its first checkpointed day and at most {@code maxDays} back; {@code windowFirst}
   * when there is none: where a run catches up on the days a stopped or failed run left out.
   */
  static LocalDate catchUpFrom(String outputRoot, Platform platform, String accountId, LocalDate windowFirst, int maxDays)
      throws IOException {
    TreeSet<LocalDate> covered = new TreeSet<>();
    for (MatchResult.Metadata file : FileSystems.match(accountCheckpoints(outputRoot, platform, accountId), EmptyMatchTreatment.ALLOW).metadata()) {
      Matcher name = SLICE_FILE.matcher(file.resourceId().getFilename());
      if (name.matches()) {
        for (LocalDate day = LocalDate.parse(name.group(1)); !day.isAfter(LocalDate.parse(name.group(2))); day = day.plusDays(1)) {
          covered.add(day);
        }
      }
    }
    if (covered.isEmpty() || maxDays <= 0) {
      return windowFirst;
    }
    LocalDate earliest = windowFirst.minusDays(maxDays);
    for (LocalDate day = covered.first().isAfter(earliest) ? covered.first() : earliest; day.isBefore(windowFirst); day = day.plusDays(1)) {
      if (!covered.contains(day)) {
        return day;
      }
    }
    return windowFirst;
  }

  /** A glob matching every checkpoint of an account, of every run date. */
  private static String accountCheckpoints(String outputRoot, Platform platform, String accountId) {
    return Locations.join(outputRoot, AdsDatasets.DOMAIN, "raw", platform.option(), "dt=*", "account=" + accountId, "*.jsonl");
  }

  private static final Pattern SLICE_FILE = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})_(\\d{4}-\\d{2}-\\d{2})\\.jsonl");

  static String checkpoint(String outputRoot, LocalDate runDate, AccountSlice slice) {
    return Locations.join(outputRoot, AdsDatasets.DOMAIN, "raw", slice.platform().option(), "dt=" + runDate,
        "account=" + slice.accountId(), slice.fileName());
  }

  @ProcessElement
  public void process(@Element AccountSlice slice, MultiOutputReceiver out) throws IOException {
    AdConnector connector = connectors.get(slice.platform());
    StageCounters stage = StageCounters.of("read_" + slice.platform().option());
    String path = checkpoint(outputRoot, runDate, slice);
    List<String> pages;
    ReportJobs jobs;
    Instant pagesExtractedAt = extractedAt;
    Set<LocalDate> supersededDays = Set.of();
    // A slice reaching the run date itself (the hourly cadence's today) is still changing: an
    // earlier run's pages of it are kept as received, but every run asks again.
    boolean settled = slice.to().isBefore(runDate);
    List<MatchResult.Metadata> kept = settled ? FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata() : List.of();
    if (!kept.isEmpty()) {
      pages = read(path);
      if (!pages.isEmpty() && Wire.json(pages.get(0)).has(CHECKPOINT_HEADER)) {
        pages.remove(0);
      }
      pagesExtractedAt = extractedAt(kept.get(0)).orElse(extractedAt);
      supersededDays = extractedLater(slice, pagesExtractedAt);
      RunSignals.note(slice.platform().option() + " slices resumed from their checkpoint");
    } else {
      try {
        jobs = settled ? ReportJobs.besideCheckpoint(path) : ReportJobs.besideCheckpoint(path).ofExtraction(extractedAt);
        pages = connector.fetch(slice, jobs);
      } catch (AdsApiException e) {
        switch (e.kind()) {
          case STOP_ACCOUNT -> RunSignals.note(slice.platform().option() + " account " + slice.accountId() + " stopped: " + e.getMessage());
          case AUTH -> failed(out, stage, slice, e.getMessage(), "credentials refused");
          default -> failed(out, stage, slice, e.getMessage(), "slices could not be extracted");
        }
        out.get(UNCOVERED).output(accountOf(connector, slice));
        RunSignals.workDone();
        return;
      } catch (UncheckedIOException e) {
        // The slice's report jobs could not be read or kept (the raw zone's store failed).
        failed(out, stage, slice, e.getMessage(), "slices could not be extracted");
        out.get(UNCOVERED).output(accountOf(connector, slice));
        RunSignals.workDone();
        return;
      }
      write(path, pages, extractedAt);
      if (!settled) {
        try {
          jobs.forgetAll(); // this extraction's jobs are read; the next hour starts its own
        } catch (UncheckedIOException e) {
          // Left behind, they are never read again: the slice stands.
        }
      }
    }
    AdConnector.Normalized normalized = connector.normalize(slice, pages, pagesExtractedAt);
    for (AdConnector.Normalized.Unreadable item : normalized.unreadable()) {
      stage.read();
      stage.deadLettered();
      out.get(FAILED).output(DeadLetter.of(stage.stage(), path, item.item(), item.error()));
    }
    for (Row row : normalized.rows()) {
      stage.read();
      LocalDate day = row.getLogicalTypeValue("date", LocalDate.class);
      if (day != null && supersededDays.contains(day)) { // a row without a day is validation's to refuse
        stage.filtered(ReconcileAdRows.SUPERSEDED);
        continue;
      }
      stage.written();
      out.get(ROWS).output(row);
    }
    // An item that could not be read may be any day's row: a slice with one covers no day, so no
    // stored row of its days passes for deleted, and its account's missing days are not zeros.
    if (!normalized.unreadable().isEmpty()) {
      out.get(UNCOVERED).output(accountOf(connector, slice));
    }
    for (LocalDate day = slice.from(); normalized.unreadable().isEmpty() && !day.isAfter(slice.to()); day = day.plusDays(1)) {
      if (!supersededDays.contains(day)) {
        out.get(COVERED).output(ReconcileAdRows.coverage(slice.platform(), connector.rowAccountId(slice), day, pagesExtractedAt));
      }
    }
    RunSignals.workDone();
  }

  private static String accountOf(AdConnector connector, AccountSlice slice) {
    return slice.platform().name() + "|" + connector.rowAccountId(slice);
  }

  /**
   * The days of a replayed slice that another run date's checkpoint extracted after it: what the
   * platform reported for them then (rows that have since gone included) stands.
   */
  private Set<LocalDate> extractedLater(AccountSlice slice, Instant replayedAt) throws IOException {
    Set<LocalDate> days = new TreeSet<>();
    for (MatchResult.Metadata file : FileSystems.match(accountCheckpoints(outputRoot, slice.platform(), slice.accountId()), EmptyMatchTreatment.ALLOW).metadata()) {
      Matcher name = SLICE_FILE.matcher(file.resourceId().getFilename());
      if (!name.matches() || file.resourceId().toString().contains("/dt=" + runDate + "/")) {
        continue;
      }
      LocalDate from = LocalDate.parse(name.group(1));
      LocalDate to = LocalDate.parse(name.group(2));
      if (from.isAfter(slice.to()) || to.isBefore(slice.from()) || !extractedAt(file).filter(at -> at.isAfter(replayedAt)).isPresent()) {
        continue;
      }
      for (LocalDate day = from.isAfter(slice.from()) ? from : slice.from(); !day.isAfter(to) && !day.isAfter(slice.to()); day = day.plusDays(1)) {
        days.add(day);
      }
    }
    return days;
  }

  /**
   * When a checkpoint's pages were extracted: its header line's time, else (a checkpoint from before
   * the header) the file's, when the file system knows it.
   */
  private static Optional<Instant> extractedAt(MatchResult.Metadata file) throws IOException {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(Channels.newInputStream(FileSystems.open(file.resourceId())), StandardCharsets.UTF_8))) {
      String first = reader.readLine();
      if (first != null && Wire.json(first).has(CHECKPOINT_HEADER)) {
        return Optional.of(Instant.parse(Wire.json(first).path(CHECKPOINT_HEADER).path("extracted_at").asText()));
      }
    }
    return file.lastModifiedMillis() > 0 ? Optional.of(Instant.ofEpochMilli(file.lastModifiedMillis())) : Optional.empty();
  }

  /** The slice is a dead letter, and the run fails once everything else is written. */
  private static void failed(MultiOutputReceiver out, StageCounters stage, AccountSlice slice, String message, String reason) {
    stage.read();
    stage.deadLettered();
    out.get(FAILED).output(DeadLetter.of(stage.stage(), slice.toString(), "", message));
    RunSignals.failRun(slice.platform().option() + " " + reason);
  }

  private static List<String> read(String path) throws IOException {
    List<String> pages = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          pages.add(line);
        }
      }
    }
    return pages;
  }

  /** The header line's only field; no platform page has it. */
  private static final String CHECKPOINT_HEADER = "checkpoint";

  /** The header line, then one page per line; the platforms' JSON pages hold no raw newlines. */
  private static void write(String path, List<String> pages, Instant extractedAt) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("{\"" + CHECKPOINT_HEADER + "\":{\"extracted_at\":\"" + extractedAt + "\"}}\n");
    for (String page : pages) {
      text.append(page.replace("\n", " ")).append('\n');
    }
    try (WritableByteChannel channel = FileSystems.create(FileSystems.matchNewResource(path, false), "application/x-ndjson")) {
      channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
