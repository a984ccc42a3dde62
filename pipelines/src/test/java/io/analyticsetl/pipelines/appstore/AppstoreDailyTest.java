package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.appstore.AppleReportFiles;
import io.analyticsetl.testkit.appstore.AscKey;
import io.analyticsetl.testkit.appstore.FakeAppStoreConnect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** appstore-daily against the local fake App Store Connect. */
class AppstoreDailyTest {

  static final LocalDate TODAY = LocalDate.of(2026, 4, 20);
  static final long APP_A = 1506886061L;
  static final long APP_B = 1234567890L;
  static final int ROWS = 6;
  private static AscKey key;

  @TempDir Path out;

  /** The key whose path the build puts in $ASC_P8_PATH; generated once per test JVM. */
  @BeforeAll
  static synchronized void key() {
    if (key == null) {
      key = AscKey.generate(Path.of(System.getenv("ASC_P8_PATH")).getParent());
    }
  }

  static FakeAppStoreConnect fake() throws Exception {
    return FakeAppStoreConnect.start(
        key.issuerId(), key.keyId(), key.publicKey(), Map.of(APP_A, "Sky Runner", APP_B, "Puzzle Fox"), TODAY, ROWS);
  }

  /** appstore-daily against the fake; {@code more} replace the defaults of the same option. */
  private Launch daily(FakeAppStoreConnect asc, String... more) {
    Map<String, String> args = new java.util.LinkedHashMap<>();
    Stream.concat(
            Stream.of("--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out, "--runDate=" + TODAY,
                "--processingDays=3", "--ascRetryDelayMillis=10"),
            Stream.of(more))
        .forEach(arg -> args.put(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg, arg));
    return Launch.of(Stream.concat(Stream.of("appstore-daily"), args.values().stream()).toArray(String[]::new));
  }

  /** Per app and day: the main count summed over the rows of the latest landed instance. */
  static Map<String, Long> expected(AppleReportFiles.Report report, LocalDate firstProcessing, LocalDate lastProcessing) {
    Map<String, Long> totals = new TreeMap<>();
    for (long app : new long[] {APP_A, APP_B}) {
      for (LocalDate processing = firstProcessing; !processing.isAfter(lastProcessing); processing = processing.plusDays(1)) {
        for (LocalDate day : AppleReportFiles.metricDays(report, processing)) {
          // later processing dates overwrite: the restatement rule
          totals.put(app + "|" + day, sumOfRows(app, day, processing));
        }
      }
    }
    return totals;
  }

  private Map<String, Long> curated(String dataset, String column) {
    return curated(out, dataset, column);
  }

  private static Map<String, Long> curated(Path root, String dataset, String column) {
    Map<String, Long> totals = new TreeMap<>();
    for (var row :
        Parquet.query(
            "SELECT app_id::text, metric_date::text, sum(" + column + ")::text FROM read_parquet('" + root
                + "/appstore/curated/" + dataset + "/*/*/*.parquet') GROUP BY 1, 2")) {
      totals.put(row.get(0) + "|" + row.get(1), Long.parseLong(row.get(2)));
    }
    return totals;
  }

  @Test
  void landsRawCuratesLatestInstancesAndReusesOneRequestPerApp() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch first = daily(asc);
      assertThat(first.err(), first.exitCode(), is(0));
      assertThat(asc.calls("POST analyticsReportRequests"), is(2));
      assertThat(first.err(), containsString("a new ONGOING request's first reports take Apple a day or two"));

      LocalDate firstProcessing = TODAY.minusDays(2);
      assertThat(curated("downloads", "total_downloads"), equalTo(expected(AppleReportFiles.Report.DOWNLOADS, firstProcessing, TODAY)));
      assertThat(curated("engagement", "counts"), equalTo(expected(AppleReportFiles.Report.ENGAGEMENT, firstProcessing, TODAY)));
      assertThat(curated("sessions", "sessions"), equalTo(expected(AppleReportFiles.Report.SESSIONS, firstProcessing, TODAY)));
      assertThat(
          Files.exists(out.resolve("appstore/raw/downloads/dt=" + TODAY + "/app_id=" + APP_A)), is(true));
      try (Stream<Path> raw = Files.walk(out.resolve("appstore/raw"))) {
        // 6 reports x 2 apps x 3 instances x 2 segments.
        assertThat(raw.filter(f -> f.toString().endsWith(".tsv.gz")).count(), is(72L));
      }
      assertThat(
          Parquet.query("SELECT count(*)::text, count(DISTINCT review_id)::text FROM read_parquet('" + out
              + "/appstore/curated/reviews/*/*/*.parquet')"),
          equalTo(java.util.List.of(java.util.List.of("90", "90"))));
      assertThat(
          Parquet.query("SELECT DISTINCT territory FROM read_parquet('" + out + "/appstore/curated/reviews/*/*/*.parquet') ORDER BY 1")
              .get(0).get(0).length(),
          is(3));

      // A rerun: no new request, no download, the last week's reviews fetched again (picking up a
      // response the developer has written since), same curated figures.
      Map<String, Long> before = curated("installs", "counts");
      String answered = asc.reviews(APP_A).get(1).id();
      assertThat(asc.reviews(APP_A).get(1).responseBody(), is(nullValue()));
      asc.respondLater(answered, "Fixed in 2.1, thanks!");
      Launch second = daily(asc);
      assertThat(second.err(), second.exitCode(), is(0));
      assertThat(asc.calls("POST analyticsReportRequests"), is(2));
      assertThat(asc.requests().size(), is(2));
      assertThat(curated("installs", "counts"), equalTo(before));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-daily").get(1)));
      assertThat(ledger.stages().get("download_segments").written(), is(0L));
      assertThat("the reviews of the week before each app's newest are fetched again",
          ledger.stages().get("read_reviews").written(), is(writtenWithinAWeekOfTheNewest(asc, null)));
      assertThat(
          Parquet.query("SELECT count(*)::text, count(DISTINCT review_id)::text FROM read_parquet('" + out
              + "/appstore/curated/reviews/*/*/*.parquet')"),
          equalTo(java.util.List.of(java.util.List.of("90", "90"))));
      assertThat(
          Parquet.query("SELECT response_body, response_state FROM read_parquet('" + out
              + "/appstore/curated/reviews/*/*/*.parquet') WHERE review_id = '" + answered + "'"),
          equalTo(List.of(List.of("Fixed in 2.1, thanks!", "PUBLISHED"))));
      assertThat(ledger.notes(), hasItem("report requests reused (2)"));
      var registry = Json.MAPPER.readTree(out.resolve("appstore/_registry/requests.json").toFile());
      assertThat(registry.path("counts").path("created").asInt(), is(2));
      assertThat(registry.path("counts").path("reused").asInt(), is(2));

      // appstore-curate replays the reviews from the raw zone alone and gets the same rows: each
      // review as its latest fetch landed it.
      Path replay = out.resolve("replay");
      Launch curate =
          Launch.of("appstore-curate", "--rawRoot=" + out, "--outputRoot=" + replay, "--runDate=" + TODAY,
              "--startDate=2000-01-01", "--endDate=" + TODAY, "--reports=reviews");
      assertThat(curate.err(), curate.exitCode(), is(0));
      String reviews = "SELECT * FROM read_parquet('%s/appstore/curated/reviews/*/*/*.parquet') ORDER BY ALL";
      assertThat(Parquet.query(reviews.formatted(replay)), equalTo(Parquet.query(reviews.formatted(out))));
      RunLedger replayed = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(replay, "appstore-curate").get(0)));
      assertThat(replayed.stages().get("read_raw_reviews").written(), is(90L));
      assertThat(replayed.stages().get("read_raw_reviews").filtered().get(CurateReviews.SUPERSEDED),
          is(writtenWithinAWeekOfTheNewest(asc, null)));
    }
  }

  @Test
  void aDailyRunAlsoFetchesTheProcessingDatesEarlierRunsMissedWithinRetention() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      LocalDate earlier = TODAY.minusDays(10);
      Launch first = daily(asc, "--runDate=" + earlier, "--reports=downloads,engagement,sessions,installs,purchases,performance");
      assertThat(first.err(), first.exitCode(), is(0));
      // No run for a week: the next lands its own three processing dates and the seven in between.
      Launch next = daily(asc, "--reports=downloads,engagement,sessions,installs,purchases,performance");
      assertThat(next.err(), next.exitCode(), is(0));
      try (Stream<Path> raw = Files.walk(out.resolve("appstore/raw"))) {
        // 6 reports x 2 apps x 13 processing dates x 2 segments.
        assertThat(raw.filter(f -> f.toString().endsWith(".tsv.gz")).count(), is(312L));
      }
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-daily").get(1)));
      assertThat(ledger.notes(), hasItem("instances of processing dates no earlier run landed whole are fetched too (84, from "
          + earlier.plusDays(1) + " on), and the days they hold curated again"));
      assertThat(curated("downloads", "total_downloads"), equalTo(expected(AppleReportFiles.Report.DOWNLOADS, earlier.minusDays(2), TODAY)));
      assertThat(curated("sessions", "sessions"), equalTo(expected(AppleReportFiles.Report.SESSIONS, earlier.minusDays(2), TODAY)));

      Launch rerun = daily(asc, "--reports=downloads,engagement,sessions,installs,purchases,performance");
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat(rerun.err(), not(containsString("no earlier run landed")));
    }
  }

  @Test
  void aCorrectionOfADayLongAgoReplacesThatDaysRows() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      String downloadsOnly = "--reports=downloads";
      Launch first = daily(asc, "--runDate=" + TODAY.minusDays(1), "--processingDays=12", downloadsOnly);
      assertThat(first.err(), first.exitCode(), is(0));
      LocalDate longAgo = TODAY.minusDays(14); // curated from the instance of TODAY - 11, the last to hold it
      Map<String, Long> before = curated("downloads", "total_downloads");
      assertThat(before.get(APP_A + "|" + longAgo), is(sumOfRows(APP_A, longAgo, TODAY.minusDays(11))));

      // Today's instance restates that day for app A, long after the days a daily run looks back over.
      asc.correctOlderDay("downloads", APP_A, TODAY, longAgo);
      Launch next = daily(asc, downloadsOnly);
      assertThat(next.err(), next.exitCode(), is(0));
      Map<String, Long> after = curated("downloads", "total_downloads");
      assertThat(after.get(APP_A + "|" + longAgo), is(sumOfRows(APP_A, longAgo, TODAY)));
      Map<String, Long> expected = new TreeMap<>(expected(AppleReportFiles.Report.DOWNLOADS, TODAY.minusDays(12), TODAY));
      expected.put(APP_A + "|" + longAgo, sumOfRows(APP_A, longAgo, TODAY));
      assertThat(after, equalTo(expected));
      assertThat(Parquet.query("SELECT count(*)::text FROM read_parquet('" + out + "/appstore/curated/downloads/dt=" + longAgo
          + "/app_id=" + APP_A + "/*.parquet')"), equalTo(List.of(List.of(String.valueOf(ROWS)))));

      // A rerun changes nothing.
      Launch rerun = daily(asc, downloadsOnly);
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat(curated("downloads", "total_downloads"), equalTo(expected));
    }
  }

  private static String[] performanceOfAppA(FakeAppStoreConnect asc, Path root, LocalDate runDate) {
    return new String[] {"appstore-daily", "--appIds=" + APP_A, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + root,
        "--runDate=" + runDate, "--processingDays=1", "--reports=performance", "--ascRetryDelayMillis=10"};
  }

  /** The kinds of file in a raw folder, sorted: ".tsv.gz" per segment, ".incomplete" per marker. */
  private static List<String> segmentsAndMarkers(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).map(n -> n.substring(n.indexOf('.'))).sorted().toList();
    }
  }

  private static long sumOfRows(long app, LocalDate day, LocalDate processing) {
    long sum = 0;
    for (int row = 0; row < ROWS; row++) {
      sum += AppleReportFiles.count(app, day, row, processing);
    }
    return sum;
  }

  @Test
  void reviewsArriveRunByRunAndAReplayKeepsEachAsItsLatestFetchLandedIt() throws Exception {
    LocalDate earlier = TODAY.minusDays(5);
    Instant firstRunAt = earlier.atTime(6, 0).toInstant(ZoneOffset.UTC);
    try (FakeAppStoreConnect asc = fake()) {
      asc.reviewsWrittenUntil(firstRunAt);
      Launch first = reviewsOnly(asc, earlier);
      assertThat(first.err(), first.exitCode(), is(0));
      asc.reviewsWrittenUntil(null);
      // The developer answers the first run's newest review, which the second run fetches again.
      String answered = asc.reviews(APP_A).stream().filter(review -> !review.createdDate().toInstant().isAfter(firstRunAt))
          .findFirst().orElseThrow().id();
      asc.respondLater(answered, "Answered after the first run");
      Launch second = reviewsOnly(asc, TODAY);
      assertThat(second.err(), second.exitCode(), is(0));

      long firstFetched = Stream.of(APP_A, APP_B).flatMap(app -> asc.reviews(app).stream())
          .filter(review -> !review.createdDate().toInstant().isAfter(firstRunAt)).count();
      // The second run fetches the reviews newer than the first's newest, and the week before it again.
      long fetchedAgain = writtenWithinAWeekOfTheNewest(asc, firstRunAt);
      assertThat(firstFetched, greaterThan(fetchedAgain));
      assertThat(
          Parquet.query("SELECT processing_date::text, count(*)::text, count(DISTINCT review_id)::text FROM read_parquet('" + out
              + "/appstore/curated/reviews/*/*/*.parquet') GROUP BY 1 ORDER BY 1"),
          equalTo(List.of(
              List.of(earlier.toString(), String.valueOf(firstFetched - fetchedAgain), String.valueOf(firstFetched - fetchedAgain)),
              List.of(TODAY.toString(), String.valueOf(90 - firstFetched + fetchedAgain), String.valueOf(90 - firstFetched + fetchedAgain)))));
      RunLedger secondLedger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-daily").get(1)));
      assertThat(secondLedger.stages().get("read_reviews").written(), is(90 - firstFetched + fetchedAgain));

      // Replayed from both runs' raw pages: each review as the latest run that fetched it landed it.
      Path replay = out.resolve("replay");
      Launch curate = Launch.of("appstore-curate", "--rawRoot=" + out, "--outputRoot=" + replay, "--runDate=" + TODAY,
          "--startDate=2000-01-01", "--endDate=" + TODAY, "--reports=reviews");
      assertThat(curate.err(), curate.exitCode(), is(0));
      String reviews = "SELECT * FROM read_parquet('%s/appstore/curated/reviews/*/*/*.parquet') ORDER BY ALL";
      assertThat(Parquet.query(reviews.formatted(replay)), equalTo(Parquet.query(reviews.formatted(out))));
      String response = "SELECT response_body FROM read_parquet('%s/appstore/curated/reviews/*/*/*.parquet') WHERE review_id = '"
          + answered + "'";
      assertThat(Parquet.query(response.formatted(replay)), equalTo(List.of(List.of("Answered after the first run"))));

      // Had the second run been from before the fetch files, it would have upserted only the reviews
      // newer than the first run's newest: replayed without its fetch files, the answered review keeps
      // the first run's copy, and every review is still there once.
      try (Stream<Path> fetches = Files.walk(out.resolve("appstore/raw/reviews/dt=" + TODAY))) {
        List<Path> deleted = fetches.filter(f -> f.getFileName().toString().endsWith("-fetch.json")).toList();
        assertThat(deleted.size(), is(2));
        for (Path fetch : deleted) {
          Files.delete(fetch);
        }
      }
      Path oldReplay = out.resolve("old-replay");
      Launch oldCurate = Launch.of("appstore-curate", "--rawRoot=" + out, "--outputRoot=" + oldReplay, "--runDate=" + TODAY,
          "--startDate=2000-01-01", "--endDate=" + TODAY, "--reports=reviews");
      assertThat(oldCurate.err(), oldCurate.exitCode(), is(0));
      assertThat(Parquet.query(response.formatted(oldReplay)), equalTo(List.of(Arrays.asList((String) null))));
      assertThat(
          Parquet.query("SELECT count(*)::text, count(DISTINCT review_id)::text FROM read_parquet('" + oldReplay
              + "/appstore/curated/reviews/*/*/*.parquet')"),
          equalTo(List.of(List.of("90", "90"))));
    }
  }

  @Test
  void aReviewFetchThatFailsHalfWayUpsertsNothingAndIsNotReplayed() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch first = reviewsOnly(asc, TODAY.minusDays(1));
      assertThat(first.err(), first.exitCode(), is(0));
      FakeAppStoreConnect.Review newest = asc.reviews(APP_A).get(0); // on the first page
      String answered = newest.id();
      asc.respondLater(answered, "Answered before a failed fetch");
      asc.breakReviewsAfterFirstPage(APP_A, 5);
      Launch failed = reviewsOnly(asc, TODAY);
      assertThat(failed.err(), failed.exitCode(), is(1));
      assertThat(failed.err(), containsString("fetching customer reviews of app " + APP_A + " failed"));
      try (Stream<Path> pages = Files.walk(out.resolve("appstore/raw/reviews/dt=" + TODAY + "/app_id=" + APP_A))) {
        assertThat("the page that did come is kept as received", pages.filter(f -> f.toString().endsWith("-page-1.json"))
            .anyMatch(f -> readString(f).contains("Answered before a failed fetch")), is(true));
      }
      String response = "SELECT response_body FROM read_parquet('%s/appstore/curated/reviews/*/*/*.parquet') WHERE review_id = '"
          + answered + "'";
      assertThat("as the first run landed it", Parquet.query(response.formatted(out)),
          equalTo(List.of(Arrays.asList(newest.responseBody()))));

      Path replay = out.resolve("replay");
      Launch curate = Launch.of("appstore-curate", "--rawRoot=" + out, "--outputRoot=" + replay, "--runDate=" + TODAY,
          "--startDate=2000-01-01", "--endDate=" + TODAY, "--reports=reviews");
      assertThat(curate.err(), curate.exitCode(), is(0));
      assertThat(curate.err(), containsString("review pages of fetches that failed are kept in the raw zone but not replayed"));
      String reviews = "SELECT * FROM read_parquet('%s/appstore/curated/reviews/*/*/*.parquet') ORDER BY ALL";
      assertThat(Parquet.query(reviews.formatted(replay)), equalTo(Parquet.query(reviews.formatted(out))));
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * How many reviews of the two apps were written in the week before each app's newest review
   * (of those written until {@code until}, or of all), newest included: what a run fetches again.
   */
  private static long writtenWithinAWeekOfTheNewest(FakeAppStoreConnect asc, Instant until) {
    long count = 0;
    for (long app : List.of(APP_A, APP_B)) {
      List<Instant> written = asc.reviews(app).stream().map(r -> r.createdDate().toInstant())
          .filter(at -> until == null || !at.isAfter(until)).toList();
      Instant newest = written.stream().max(Instant::compareTo).orElseThrow();
      count += written.stream().filter(at -> at.isAfter(newest.minus(java.time.Duration.ofDays(7)))).count();
    }
    return count;
  }

  private Launch reviewsOnly(FakeAppStoreConnect asc, LocalDate runDate) {
    return Launch.of("appstore-daily", "--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out,
        "--runDate=" + runDate, "--reports=reviews", "--ascRetryDelayMillis=10");
  }

  @Test
  void dailyAndVerifyOnFlinkLocalGiveWhatTheDirectRunnerGives() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      for (String runner : List.of("direct", "flink")) {
        List<String> args = new java.util.ArrayList<>(List.of("appstore-daily", "--appIds=" + APP_A + "," + APP_B,
            "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out.resolve(runner), "--runDate=" + TODAY,
            "--processingDays=3", "--ascRetryDelayMillis=10"));
        List<String> onRunner = runner.equals("flink")
            ? List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2") : List.of();
        args.addAll(onRunner);
        Launch daily = Launch.of(args.toArray(String[]::new));
        assertThat(runner + ": " + daily.err(), daily.exitCode(), is(0));
        List<String> verify = new java.util.ArrayList<>(List.of("appstore-verify", "--outputRoot=" + out.resolve(runner),
            "--runDate=" + TODAY, "--startDate=" + TODAY.minusDays(10)));
        verify.addAll(onRunner);
        Launch verified = Launch.of(verify.toArray(String[]::new));
        assertThat(runner + ": " + verified.err(), verified.exitCode(), is(0));
      }
      for (String dataset : List.of("downloads", "engagement", "sessions", "installs", "purchases", "performance", "reviews")) {
        String rows = "SELECT * FROM read_parquet('%s/appstore/curated/" + dataset + "/*/*/*.parquet') ORDER BY ALL";
        List<List<String>> direct = Parquet.query(rows.formatted(out.resolve("direct")));
        assertThat(dataset, direct.isEmpty(), is(false));
        assertThat(dataset, Parquet.query(rows.formatted(out.resolve("flink"))), equalTo(direct));
      }
      String checks = "_reports/appstore-verify/" + TODAY + ".json";
      assertThat(Json.MAPPER.readTree(out.resolve("flink").resolve(checks).toFile()).path("checks"),
          equalTo(Json.MAPPER.readTree(out.resolve("direct").resolve(checks).toFile()).path("checks")));
    }
  }

  @Test
  void stoppedRequestsAreReplacedAndRacesDoNotDuplicate() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      String someoneElses = asc.existingRequest(APP_A);
      asc.existingRequest(APP_B);
      asc.stopOngoingRequest(APP_B);
      Launch run = daily(asc, "--reports=downloads");
      assertThat(run.err(), run.exitCode(), is(0));
      assertThat(asc.calls("DELETE analyticsReportRequests"), is(1));
      assertThat(asc.calls("POST analyticsReportRequests"), is(1));
      assertThat(asc.requests().stream().filter(r -> r.appId() == APP_A).findFirst().orElseThrow().id(), is(someoneElses));

      // Another client creates a request between our listing and our creation: 409, then reuse.
      asc.hideRequestsFromNextListings(1);
      Launch raced = daily(asc, "--reports=downloads", "--appIds=" + APP_A);
      assertThat(raced.err(), raced.exitCode(), is(0));
      assertThat(asc.requests().stream().filter(r -> r.appId() == APP_A).count(), is(1L));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-daily").get(1)));
      assertThat(ledger.notes(), hasItem("report requests duplicates prevented (1)"));

      // Two runs replace the same stopped request: the other deletes it and makes a new one between
      // our listing and our DELETE (404), and our POST is a 409: we use theirs.
      asc.stopOngoingRequest(APP_B);
      asc.replaceStoppedRequestRightAfterNextListing(APP_B);
      Launch replacedMeanwhile = daily(asc, "--reports=downloads", "--appIds=" + APP_B);
      assertThat(replacedMeanwhile.err(), replacedMeanwhile.exitCode(), is(0));
      List<FakeAppStoreConnect.Request> ofB = asc.requests().stream().filter(r -> r.appId() == APP_B).toList();
      assertThat(ofB.size(), is(1));
      assertThat(ofB.get(0).stopped(), is(false));
      RunLedger third = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-daily").get(2)));
      assertThat(third.notes(), hasItem("report requests duplicates prevented (1)"));
    }
  }

  @Test
  void retriesThrottlingAndFaultsAndDeadLettersWhatNeverVerifies() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      asc.failNextWithTooManyRequests(3);
      asc.failNextWithServerError(1);
      asc.truncateNextDownloads(1);
      asc.expireNextUrls(2);
      asc.headerOnlySegment("sessions", APP_A, TODAY);
      Launch run = daily(asc, "--reports=downloads,sessions");
      assertThat(run.err(), run.exitCode(), is(0));
      LocalDate firstProcessing = TODAY.minusDays(2);
      assertThat(curated("downloads", "total_downloads"), equalTo(expected(AppleReportFiles.Report.DOWNLOADS, firstProcessing, TODAY)));
      // The header-only segment is not zero rows: those days keep the previous instance's rows.
      Map<String, Long> sessions = curated("sessions", "sessions");
      LocalDate hiddenDay = AppleReportFiles.metricDays(AppleReportFiles.Report.SESSIONS, TODAY).get(0);
      long previous = 0;
      for (int row = 0; row < ROWS; row++) {
        previous += AppleReportFiles.count(APP_A, hiddenDay, row, TODAY.minusDays(1));
      }
      assertThat(sessions.get(APP_A + "|" + hiddenDay), is(previous));

      // A segment whose checksum never matches (its listing and both re-listings): a dead letter,
      // and exit 1 once the rest is written.
      Path second = out.resolve("second");
      LocalDate yesterday = TODAY.minusDays(1);
      asc.corruptNextChecksums(4);
      Launch corrupt = Launch.of(performanceOfAppA(asc, second, yesterday));
      assertThat(corrupt.exitCode(), is(1));
      assertThat(corrupt.err(), containsString("segments could not be downloaded and verified"));
      var letters = RunOutputs.deadLetters(second, "appstore-daily", yesterday);
      assertThat(letters.size(), is(1));
      assertThat(letters.get(0).get("error").asText(), containsString("segment checksum"));
      assertThat("the listing is kept, its pre-signed URL is not", letters.get(0).get("record").asText(),
          org.hamcrest.Matchers.allOf(containsString("checksum"), org.hamcrest.Matchers.not(containsString("X-Amz-Signature"))));
      assertThat(Files.isDirectory(second.resolve("appstore/curated/performance")), is(true));
      Path instance = second.resolve("appstore/raw/performance/dt=" + yesterday + "/app_id=" + APP_A);
      assertThat(segmentsAndMarkers(instance), is(List.of(".incomplete", ".tsv.gz")));

      // The next day's run fetches that instance again though its processing date is behind it now.
      Launch next = Launch.of(performanceOfAppA(asc, second, TODAY));
      assertThat(next.err(), next.exitCode(), is(0));
      assertThat(next.err(), containsString("no earlier run landed whole are fetched too (1, from " + yesterday));
      assertThat(segmentsAndMarkers(instance), is(List.of(".tsv.gz", ".tsv.gz")));
      Map<String, Long> crashes = new TreeMap<>(); // performance rows carry the main count modulo 30
      for (LocalDate processing : List.of(yesterday, TODAY)) {
        for (LocalDate day : AppleReportFiles.metricDays(AppleReportFiles.Report.PERFORMANCE, processing)) {
          long sum = 0;
          for (int row = 0; row < ROWS; row++) {
            sum += AppleReportFiles.count(APP_A, day, row, processing) % 30;
          }
          crashes.put(APP_A + "|" + day, sum);
        }
      }
      assertThat(curated(second, "performance", "crashes"), equalTo(crashes));
    }
  }

  @Test
  void anInstanceWhoseSegmentsCannotBeListedIsMarkedAndFetchedByTheNextRun() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      LocalDate yesterday = TODAY.minusDays(1);
      asc.breakSegmentListings(true);
      Launch failed = Launch.of(performanceOfAppA(asc, out, yesterday));
      assertThat(failed.exitCode(), is(1));
      assertThat(failed.err(), containsString("listing the segments of performance instance"));
      Path instance = out.resolve("appstore/raw/performance/dt=" + yesterday + "/app_id=" + APP_A);
      assertThat(segmentsAndMarkers(instance), is(List.of(".incomplete")));

      asc.breakSegmentListings(false);
      Launch next = Launch.of(performanceOfAppA(asc, out, TODAY));
      assertThat(next.err(), next.exitCode(), is(0));
      assertThat(next.err(), containsString("no earlier run landed whole are fetched too (1, from " + yesterday));
      assertThat(segmentsAndMarkers(instance), is(List.of(".tsv.gz", ".tsv.gz")));
    }
  }

  @Test
  void backfillTakesInstancesPastRetentionFromOneSnapshotPerAppWithProgress() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      String[] backfill = {
        "appstore-backfill", "--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out,
        "--runDate=" + TODAY, "--startDate=2026-03-10", "--endDate=2026-04-05", "--reports=downloads",
        "--progressIntervalSeconds=1", "--ascRetryDelayMillis=10"
      };
      // Apple has not made the snapshots yet: the rest is written, and the run fails saying to come back.
      asc.snapshotsPending(true);
      Launch pending = Launch.of(backfill);
      assertThat(pending.exitCode(), is(1));
      assertThat(pending.err(), containsString("rerun the backfill later"));

      asc.snapshotsPending(false);
      Launch run = Launch.of(backfill);
      assertThat(run.err(), run.exitCode(), is(0));
      assertThat(run.err(), containsString("past Apple's 35-day retention; those the raw zone lacks come from a ONE_TIME_SNAPSHOT request"));
      assertThat(run.err(), containsString("done "));
      // Instances processed 2026-03-11 .. 03-16 come from the snapshots, 03-17 (the oldest kept) .. 04-12 from ONGOING.
      Map<String, Long> expected = new TreeMap<>();
      expected(AppleReportFiles.Report.DOWNLOADS, LocalDate.of(2026, 3, 11), LocalDate.of(2026, 4, 12))
          .forEach((key, value) -> {
            LocalDate day = LocalDate.parse(key.substring(key.indexOf('|') + 1));
            if (!day.isBefore(LocalDate.of(2026, 3, 10)) && !day.isAfter(LocalDate.of(2026, 4, 5))) {
              expected.put(key, value);
            }
          });
      assertThat(curated("downloads", "total_downloads"), equalTo(expected));

      // One snapshot per app: made by the first run, reused by the second.
      assertThat(asc.requests().stream().filter(r -> r.accessType().equals("ONE_TIME_SNAPSHOT")).count(), is(2L));
      var registry = Json.MAPPER.readTree(out.resolve("appstore/_registry/requests.json").toFile());
      assertThat(registry.path("counts").path("snapshot created").asInt(), is(2));
      assertThat(registry.path("counts").path("snapshot reused").asInt(), is(2));
      assertThat(
          registry.path("apps").path(String.valueOf(APP_A)).path("snapshot_request_id").asText(),
          is(asc.requests().stream().filter(r -> r.appId() == APP_A && r.accessType().equals("ONE_TIME_SNAPSHOT")).findFirst().orElseThrow().id()));
    }
  }

  @Test
  void backfillTakesTheDaysBeforeAnAppsRecentRequestFromASnapshot() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      // As at Apple, a request lists only instances processed since it was made: app A's is five days
      // old, app B's older than the retention.
      asc.ongoingHistoryFromMaking(true);
      asc.existingRequest(APP_A, TODAY.minusDays(5));
      asc.existingRequest(APP_B, LocalDate.of(2026, 1, 2));
      String[] backfill = {
        "appstore-backfill", "--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out,
        "--runDate=" + TODAY, "--startDate=2026-04-01", "--endDate=2026-04-12", "--reports=downloads", "--ascRetryDelayMillis=10"
      };
      Launch run = Launch.of(backfill);
      assertThat(run.err(), run.exitCode(), is(0));
      assertThat(run.err(), containsString("the processing dates wanted before that come from a ONE_TIME_SNAPSHOT request"));
      Map<String, Long> expected = new TreeMap<>();
      expected(AppleReportFiles.Report.DOWNLOADS, LocalDate.of(2026, 4, 2), LocalDate.of(2026, 4, 19)).forEach((key, value) -> {
        LocalDate day = LocalDate.parse(key.substring(key.indexOf('|') + 1));
        if (!day.isBefore(LocalDate.of(2026, 4, 1)) && !day.isAfter(LocalDate.of(2026, 4, 12))) {
          expected.put(key, value);
        }
      });
      assertThat(curated("downloads", "total_downloads"), equalTo(expected));
      assertThat(
          "only the app whose request is recent needs a snapshot",
          asc.requests().stream().filter(r -> r.accessType().equals("ONE_TIME_SNAPSHOT")).map(r -> r.appId()).toList(),
          equalTo(List.of(APP_A)));

      // The rerun finds every instance in the raw zone: it asks for no snapshot and changes nothing.
      Launch rerun = Launch.of(backfill);
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat(curated("downloads", "total_downloads"), equalTo(expected));
      var registry = Json.MAPPER.readTree(out.resolve("appstore/_registry/requests.json").toFile());
      assertThat(registry.path("counts").path("snapshot created").asInt(), is(1));
      assertThat(registry.path("counts").path("snapshot reused").asInt(), is(0));
    }
  }

  @Test
  void aBackfillLaterThanTheDailyRunsDoesNotLandTheirProcessingDatesAgainFromItsSnapshot() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch daily = daily(asc, "--reports=downloads");
      assertThat(daily.err(), daily.exitCode(), is(0));
      // Forty days on, those processing dates are past retention: the backfill lists them from a
      // snapshot, whose instances have other ids but the same rows.
      LocalDate first = TODAY.minusDays(4);
      LocalDate last = TODAY.minusDays(1);
      Launch backfill = Launch.of("appstore-backfill", "--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(),
          "--outputRoot=" + out, "--runDate=" + TODAY.plusDays(40), "--startDate=" + first, "--endDate=" + last,
          "--reports=downloads", "--ascRetryDelayMillis=10");
      assertThat(backfill.err(), backfill.exitCode(), is(0));
      Map<String, Long> expected = new TreeMap<>();
      expected(AppleReportFiles.Report.DOWNLOADS, TODAY.minusDays(30), TODAY).forEach((key, value) -> {
        LocalDate day = LocalDate.parse(key.substring(key.indexOf('|') + 1));
        if (!day.isBefore(first) && !day.isAfter(last)) {
          expected.put(key, value);
        }
      });
      Map<String, Long> inRange = new TreeMap<>();
      curated("downloads", "total_downloads").forEach((key, value) -> {
        if (expected.containsKey(key)) {
          inRange.put(key, value);
        }
      });
      assertThat("no day counted twice", inRange, equalTo(expected));
      assertThat(backfill.err(), containsString("already landed from another request's instance were kept"));
    }
  }

  @Test
  void aBackfillOfDaysTheDailyRunsLandedAsksForNoSnapshot() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch daily = daily(asc, "--reports=downloads", "--processingDays=10");
      assertThat(daily.err(), daily.exitCode(), is(0));
      Map<String, Long> landed = curated("downloads", "total_downloads");
      // Forty days on, the instances of those days are past retention, but the raw zone holds them
      // all: no snapshot is asked for (a key without the Admin role could not make one), and the
      // curated days stay what they were.
      Launch backfill = Launch.of("appstore-backfill", "--appIds=" + APP_A + "," + APP_B, "--ascBaseUrl=" + asc.baseUrl(),
          "--outputRoot=" + out, "--runDate=" + TODAY.plusDays(40), "--startDate=" + TODAY.minusDays(10),
          "--endDate=" + TODAY.minusDays(7), "--reports=downloads", "--ascRetryDelayMillis=10");
      assertThat(backfill.err(), backfill.exitCode(), is(0));
      assertThat(backfill.err(), containsString("2 app(s) need no snapshot"));
      assertThat(asc.requests().stream().filter(r -> r.accessType().equals("ONE_TIME_SNAPSHOT")).count(), is(0L));
      assertThat(curated("downloads", "total_downloads"), equalTo(landed));
    }
  }

  @Test
  void aDailyRunReachingPastRetentionTakesThoseDaysFromASnapshot() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch daily = daily(asc, "--reports=downloads", "--processingDays=40");
      assertThat(daily.err(), daily.exitCode(), is(0));
      assertThat(daily.err(), containsString("past Apple's 35-day retention"));
      assertThat(asc.requests().stream().filter(r -> r.accessType().equals("ONE_TIME_SNAPSHOT")).count(), is(2L));
      assertThat(curated("downloads", "total_downloads"), equalTo(expected(AppleReportFiles.Report.DOWNLOADS, TODAY.minusDays(39), TODAY)));
    }
  }

  @Test
  void anOlderSnapshotIsReusedAndTheDaysItLacksAreNamed() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      // An earlier backfill's snapshot, made on 03-13: it holds instances processed up to that day.
      String snapshot = asc.existingSnapshot(APP_A, LocalDate.of(2026, 3, 13));
      Launch run =
          Launch.of(
              "appstore-backfill", "--appIds=" + APP_A, "--ascBaseUrl=" + asc.baseUrl(), "--outputRoot=" + out,
              "--runDate=" + TODAY, "--startDate=2026-03-10", "--endDate=2026-03-25", "--reports=downloads",
              "--ascRetryDelayMillis=10");
      assertThat(run.err(), run.exitCode(), is(0));
      // Instances 03-17 onwards are ONGOING's; 03-14 .. 03-16 are in neither, and the run says so.
      String lacking = "instances processed after 2026-03-13 (up to 2026-03-16 wanted)";
      assertThat(run.err(), containsString(lacking));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "appstore-backfill").get(0)));
      assertThat(ledger.notes(), hasItem(containsString(lacking)));
      assertThat(
          asc.requests().stream().filter(r -> r.accessType().equals("ONE_TIME_SNAPSHOT")).map(r -> r.id()).toList(),
          equalTo(List.of(snapshot)));
      // What the snapshot does hold is curated: 03-10 from its instance of 03-11 .. 03-13.
      assertThat(curated("downloads", "total_downloads").containsKey(APP_A + "|2026-03-10"), is(true));
    }
  }

  @Test
  void aRateLimitThatNeverLiftsSaysWhichCallGaveUpAndWhatIsLeft() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      asc.failNextWithTooManyRequests(1000);
      Launch run = daily(asc, "--ascMaxRetries=2");
      assertThat(run.exitCode(), is(1));
      assertThat(run.err(), containsString("App Store Connect kept answering HTTP 429 to GET /v1/"));
      assertThat(run.err(), containsString("after 2 retries (rate limit;"));
    }
  }

  @Test
  void anAppTheApiKeepsFailingForFailsAloneAfterTheOtherAppsAreWritten() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      asc.breakInstancesOf(APP_A);
      Launch run = daily(asc, "--reports=downloads", "--ascMaxRetries=1");
      assertThat(run.exitCode(), is(1));
      assertThat(run.err(), containsString("listing the downloads instances of app " + APP_A + " failed"));
      Map<String, Long> curated = curated("downloads", "total_downloads");
      Map<String, Long> expected = new TreeMap<>(expected(AppleReportFiles.Report.DOWNLOADS, TODAY.minusDays(2), TODAY));
      expected.keySet().removeIf(key -> key.startsWith(APP_A + "|"));
      assertThat(curated, equalTo(expected));
    }
  }

  @Test
  void aRejectedKeyIsOneLineNamingWhatToCheck() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      Launch run = daily(asc, "--ascKeyIdEnv=ASC_ISSUER_ID");
      assertThat(run.exitCode(), is(1));
      assertThat(run.err(), containsString("rejected the API key (401 NOT_AUTHORIZED): check the issuer id ($ASC_ISSUER_ID), the key id ($ASC_ISSUER_ID)"));
      assertThat(run.err().lines().filter(l -> l.contains("FAILED:")).count(), greaterThan(0L));
    }
  }

  @Test
  void aKeyWithoutTheRoleIsToldWhichRoleItNeeds() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      asc.forbidEverything(true);
      Launch run = daily(asc);
      assertThat(run.exitCode(), is(1));
      assertThat(run.err(), containsString("(403 FORBIDDEN_ERROR): creating or deleting report requests needs a key with the Admin role"));
    }
  }

  @Test
  void aNextLinkThatRepeatsAPageStopsThePagingInsteadOfLoopingForever() throws Exception {
    try (FakeAppStoreConnect asc = fake()) {
      asc.repeatNextLinks(true);
      Launch run = daily(asc, "--reports=downloads");
      assertThat(run.exitCode(), is(1));
      assertThat(run.err(), containsString("App Store Connect returned the same next page twice"));
      assertThat("each listing asked for its page once, then stopped", asc.calls("GET apps/analyticsReportRequests"), is(2));
    }
  }
}
