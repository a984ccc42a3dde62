package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDailyTest.PERFORMANCE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.ads.FakeAdPlatforms;
import io.analyticsetl.testkit.ads.FakeAdPlatforms.Ad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ads-daily against the fake Meta Insights and Amazon Ads reporting APIs. */
class MetaAndAmazonAdsTest {

  static final LocalDate RUN_DATE = LocalDate.of(2026, 5, 10);
  static final String META_ACCOUNT = "1234567";
  static final String AMAZON_PROFILE = "3456789012";
  static final List<Ad> ADS =
      List.of(
          new Ad("meta", META_ACCOUNT, "23850001", "2385100", "2385200", LocalDate.of(2026, 4, 1), LocalDate.of(2026, 6, 1)),
          new Ad("meta", META_ACCOUNT, "23850002", "2385100", "2385200", LocalDate.of(2026, 5, 6), LocalDate.of(2026, 6, 1)),
          new Ad("amazon_ads", AMAZON_PROFILE, "301000000000001", "72320882861500", "158410630682987",
              LocalDate.of(2026, 4, 1), LocalDate.of(2026, 6, 1)),
          new Ad("amazon_ads", AMAZON_PROFILE, "301000000000002", "72320882861500", "158410630682987",
              LocalDate.of(2026, 4, 1), LocalDate.of(2026, 5, 7)));

  @TempDir Path out;

  @BeforeEach
  void freshBreakers() {
    AdsHttp.resetBreakers();
  }

  private static String optionName(String arg) {
    return arg.indexOf('=') < 0 ? arg : arg.substring(0, arg.indexOf('='));
  }

  /** Launches ads-daily against the fake; {@code more} adds options or replaces the defaults of the same name. */
  private Launch run(FakeAdPlatforms fake, LocalDate runDate, String... more) {
    java.util.Set<String> replaced = Stream.of(more).map(MetaAndAmazonAdsTest::optionName).collect(java.util.stream.Collectors.toSet());
    return Launch.of(
        Stream.concat(
                Stream.of("ads-daily", "--accounts=meta:act_" + META_ACCOUNT + ",amazon_ads:" + AMAZON_PROFILE,
                    "--outputRoot=" + out, "--runDate=" + runDate, "--lookbackDays=5",
                    "--metaBaseUrl=" + fake.metaBaseUrl(), "--amazonAdsBaseUrl=" + fake.amazonAdsBaseUrl(),
                    "--amazonAuthUrl=" + fake.amazonAuthUrl(), "--adsRetryDelayMillis=5", "--adsMaxRetryDelaySeconds=1",
                    "--adsReportPollMillis=10")
                    .filter(arg -> !replaced.contains(optionName(arg))),
                Stream.of(more))
            .toArray(String[]::new));
  }

  private List<List<String>> query(String select, String where) {
    return Parquet.query("SELECT " + select + " FROM read_parquet('" + out + "/ads/ad_performance_daily/*/*.parquet') WHERE "
        + where + " ORDER BY ALL");
  }

  private static List<List<String>> expected(FakeAdPlatforms fake, String platform, LocalDate first, LocalDate last) {
    List<List<String>> rows = new ArrayList<>();
    for (Ad ad : ADS) {
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        if (ad.platform().equals(platform) && !day.isBefore(ad.firstDay()) && !day.isAfter(ad.lastDay())) {
          rows.add(AdsDailyTest.expected(fake, ad, day));
        }
      }
    }
    rows.sort((a, b) -> String.join("|", a).compareTo(String.join("|", b)));
    return rows;
  }

  private RunLedger ledger(int index) throws Exception {
    return RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out, "ads-daily").get(index)));
  }

  @Test
  void metaAndAmazonNormaliseToWhatAHandCalculationGives() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().maxPageSize(4);
      fake.adStatus("23850002", "CAMPAIGN_PAUSED");
      fake.adStatus("301000000000002", "ARCHIVED");
      fake.campaignStatus("2385200", "PAUSED");
      fake.campaignStatus("158410630682987", "PAUSED");
      Path creatives = out.resolve("creatives.csv");
      Files.writeString(creatives, String.join("\n",
          "platform,ad_id,headline,call_to_action,landing_page_url,start_date,end_date",
          "meta,23850002,\"Save 20%\" today,,,,",
          "amazon_ads,301000000000001,\"Best \"\"new\"\" kettle, 1.7 l\",Shop now,https://example.com/k,2026-04-01,",
          "meta,23850001,\"" + "x".repeat(201) + "\",,,,"));
      Launch launch = run(fake, RUN_DATE, "--internalCreativesPath=" + creatives);
      assertThat(launch.err(), launch.exitCode(), is(0));
      LocalDate first = RUN_DATE.minusDays(6);
      LocalDate last = RUN_DATE.minusDays(1);
      // Meta: string numbers, purchases from actions (omni_purchase not counted twice), the percent CTR ignored.
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", first, last)));
      // Amazon: JSON numbers, purchases7d and sales7d, long ids kept exactly.
      assertThat(query(PERFORMANCE, "platform = 'AMAZON_ADS'"), equalTo(expected(fake, "amazon_ads", first, last)));
      assertThat(query("DISTINCT platform, account_currency, account_timezone, attribution_spec", "true"),
          equalTo(List.of(List.of("AMAZON_ADS", "GBP", "Europe/London", "7d_click"), List.of("META", "USD", "America/Los_Angeles", "unified"))));
      assertThat(query("DISTINCT ad_name", "ad_id = '301000000000001'"), equalTo(List.of(List.of("B000000001/SKU-301000000000001"))));
      // Creatives from a CSV export: quoted commas and quotes survive; a headline over 200 characters
      // and a line the CSV library cannot read are dead letters, and the lines after it are read.
      assertThat(query("DISTINCT headline, call_to_action", "ad_id = '301000000000001'"),
          equalTo(List.of(List.of("Best \"new\" kettle, 1.7 l", "Shop now"))));
      assertThat(RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream().map(l -> l.get("error").asText()).toList().toString(),
          containsString("headline"));
      assertThat(RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream()
              .filter(l -> l.get("stage").asText().equals("parse_internal_creatives")).map(l -> l.get("record").asText()).toList(),
          hasItem("meta,23850002,\"Save 20%\" today,,,,"));
      // Statuses from the entity APIs (Meta's /ads, Amazon's /sp/productAds/list), the platforms' words kept.
      assertThat(query("DISTINCT ad_id, ad_status, ad_status_raw", "true"),
          equalTo(List.of(
              List.of("23850001", "ACTIVE", "ACTIVE"), List.of("23850002", "PAUSED", "CAMPAIGN_PAUSED"),
              List.of("301000000000001", "ACTIVE", "ENABLED"), List.of("301000000000002", "REMOVED", "ARCHIVED"))));
      // Campaign statuses: Meta's from /campaigns, Amazon's from the report's campaignStatus column.
      assertThat(query("DISTINCT platform, campaign_id, campaign_status_raw", "true"),
          equalTo(List.of(List.of("AMAZON_ADS", "158410630682987", "PAUSED"), List.of("META", "2385200", "PAUSED"))));
      // Ten Meta rows in pages of four: three pages followed through paging.next.
      assertThat(fake.calls("meta GET /meta/v23.0/{id}/insights"), is(3));
      assertThat(fake.amazon().reportsCreated(), is(1));
      assertThat(ledger(0).balanced(), is(true));
      assertThat(ledger(0).stages().get("read_meta").read(), is(10L));
      assertThat(ledger(0).stages().get("read_amazon_ads").read(), is(10L));
    }
  }

  @Test
  void metaBacksOffSplitsFailedStuckAndOversizedReportsAndStopsAThrottledAccount() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().throttleNext(2, 0);
      fake.meta().failNextJobs(1);
      fake.meta().stuckAbove(4);
      fake.meta().tooMuchDataAbove(2);
      Launch launch = run(fake, RUN_DATE, "--platforms=meta", "--metaReportTimeoutSeconds=1");
      assertThat(launch.err(), launch.exitCode(), is(0));
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));
      // Six days stuck past the deadline, three refused as too much data, the first two-day job failed:
      // 6 -> 3 + 3 -> (2 -> 1 + 1) + 1 + 2 + 1, every day extracted once.
      assertThat(fake.calls("meta POST /meta/v23.0/act_{id}/insights"), is(9));

      fake.meta().throttleNext(1, 45);
      Launch throttled = run(fake, RUN_DATE.plusDays(1), "--platforms=meta");
      assertThat(throttled.err(), throttled.exitCode(), is(0));
      assertThat(ledger(1).notes().toString(), ledger(1).notes().stream()
          .anyMatch(n -> n.contains("meta account act_" + META_ACCOUNT + " stopped: Meta throttles the account for 45 minutes")), is(true));
      assertThat(query("max(date)::text", "platform = 'META'"), equalTo(List.of(List.of(RUN_DATE.minusDays(1).toString()))));

      fake.meta().expireToken();
      Launch refused = run(fake, RUN_DATE.plusDays(2), "--platforms=meta");
      assertThat(refused.exitCode(), is(1));
      assertThat(refused.err(), containsString("meta credentials refused"));
    }
  }

  @Test
  void metasRateLimitsAndTransientErrorsAreWaitedOut() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().throttleNextWithCodes(4, 17, 960, 32, 104, 613);
      long started = System.nanoTime();
      Launch launch = run(fake, RUN_DATE, "--platforms=meta", "--adsMaxRetries=7", "--metaUsagePauseSeconds=1", "--adsMaxRetryDelaySeconds=2");
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(launch.err(), launch.exitCode(), is(0));
      // Throttling errors (4, 17, 32, 613) wait at least --metaUsagePauseSeconds each, not the short backoff.
      assertThat(tookMillis, org.hamcrest.Matchers.greaterThanOrEqualTo(4_000L));
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));
      assertThat(launch.err(), org.hamcrest.Matchers.not(containsString("stopped")));
      assertThat(launch.err(), org.hamcrest.Matchers.not(containsString("meta usage reached")));
    }
  }

  @Test
  void anAccountNearItsMetaLimitsWaitsBeforeItsNextCalls() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().reportUsage(3, 74.9);
      Launch below = run(fake, RUN_DATE, "--platforms=meta", "--metaUsagePauseSeconds=1");
      assertThat(below.err(), below.exitCode(), is(0));
      assertThat(below.err(), org.hamcrest.Matchers.not(containsString("meta usage reached")));

      fake.meta().reportUsage(3, 91.5);
      Launch near = run(fake, RUN_DATE.plusDays(1), "--platforms=meta", "--metaUsagePauseSeconds=1");
      assertThat(near.err(), near.exitCode(), is(0));
      assertThat(ledger(1).notes(), org.hamcrest.Matchers.hasItem("meta usage reached 75% of a limit: the account's next calls waited 1 s each (3)"));
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE)));

      // An error answer's usage headers count too: the retry after a transient error that says the
      // account is near its limits waits the pause, not the short backoff.
      fake.meta().reportUsage(1, 95);
      fake.meta().throttleNextWithCodes(960);
      Launch retried = run(fake, RUN_DATE.plusDays(2), "--platforms=meta", "--metaUsagePauseSeconds=1");
      assertThat(retried.err(), retried.exitCode(), is(0));
      assertThat(ledger(2).notes(), org.hamcrest.Matchers.hasItem("meta usage reached 75% of a limit: the account's next calls waited 1 s each (1)"));

      Launch refused = run(fake, RUN_DATE, "--platforms=meta", "--metaUsagePausePercent=0");
      assertThat(refused.exitCode(), is(2));
      assertThat(refused.err(), containsString("metaUsagePausePercent"));

      Launch noCreatives = run(fake, RUN_DATE, "--platforms=meta,internal", "--internalCreativesPath=" + out.resolve("nope.jsonl"));
      assertThat(noCreatives.err(), noCreatives.exitCode(), is(2));
      assertThat(noCreatives.err(), containsString("invalid option --internalCreativesPath: cannot read"));
      Launch notInternal = run(fake, RUN_DATE, "--platforms=meta", "--internalCreativesPath=" + out.resolve("nope.jsonl"));
      assertThat("--platforms without internal leaves the export unread", notInternal.exitCode(), is(0));
    }
  }

  @Test
  void anAccountWithAStoppedSliceGetsNoFeaturesFromTheDaysItDidNotLoad() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch first = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(first.err(), first.exitCode(), is(0));
      String lastFeatureDay = "SELECT max(date)::text FROM read_parquet('" + out + "/ads/ad_features_daily/*/*.parquet')";
      assertThat(Parquet.query(lastFeatureDay), equalTo(List.of(List.of(RUN_DATE.minusDays(1).toString()))));

      // Ten days on the account has two slices, the days no checkpoint holds and the window, and Meta
      // stops one of them: the account's days are not all known, so its features wait for a run that
      // loads them rather than take the missing days for days without delivery.
      fake.meta().throttleNext(1, 45);
      Launch partly = run(fake, RUN_DATE.plusDays(10), "--platforms=meta");
      assertThat(partly.err(), partly.exitCode(), is(0));
      assertThat(partly.err(), containsString("catches up from"));
      assertThat(partly.err(), containsString("stopped: Meta throttles the account for 45 minutes"));
      assertThat(Parquet.query(lastFeatureDay), equalTo(List.of(List.of(RUN_DATE.minusDays(1).toString()))));

      Launch whole = run(fake, RUN_DATE.plusDays(10), "--platforms=meta");
      assertThat(whole.err(), whole.exitCode(), is(0));
      assertThat(Parquet.query(lastFeatureDay), equalTo(List.of(List.of(RUN_DATE.plusDays(9).toString()))));
    }
  }

  @Test
  void amazonWaitsForRetryAfterRenewsARefusedTokenReusesAReportInFlightAndRenewsFailedReportsAndExpiredUrls() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      String earlier = fake.amazon().requestedEarlier(AMAZON_PROFILE, RUN_DATE.minusDays(6), RUN_DATE.minusDays(1), 7);
      fake.amazon().throttleNext(2);
      fake.amazon().expireNextDownloads(1);
      // The access token is refused at the second poll: the poll renews it and goes on (without
      // renewing, the retries would all be refused and the slice fail).
      fake.amazon().expireAccessTokenAtPoll(2);
      Launch launch = run(fake, RUN_DATE, "--platforms=amazon_ads");
      assertThat(launch.err(), launch.exitCode(), is(0));
      assertThat("the run used the report in flight (425)", fake.amazon().reportsCreated(), is(1));
      assertThat(query("DISTINCT request_id", "true"), equalTo(List.of(List.of(earlier))));
      assertThat(fake.calls("amazon GET /amazon/download/{id}"), is(2));
      assertThat(query(PERFORMANCE, "true"), equalTo(expected(fake, "amazon_ads", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));

      fake.amazon().failNextReports(1);
      LocalDate next = RUN_DATE.plusDays(1);
      assertThat(run(fake, next, "--platforms=amazon_ads").exitCode(), is(0));
      assertThat("the failed report was asked for again", fake.amazon().reportsCreated(), is(3));
      assertThat(query("max(date)::text", "true"), equalTo(List.of(List.of(RUN_DATE.toString()))));

      // A report still generating at the deadline stops the account; the next run picks the same report up.
      fake.amazon().pollsUntilDone(1_000_000);
      LocalDate later = next.plusDays(1);
      Launch slow = run(fake, later, "--platforms=amazon_ads", "--amazonReportTimeoutSeconds=1");
      assertThat(slow.err(), slow.exitCode(), is(0));
      assertThat(ledger(2).notes().toString(), ledger(2).notes().stream()
          .anyMatch(n -> n.contains("amazon_ads account " + AMAZON_PROFILE + " stopped") && n.contains("still PROCESSING")), is(true));
      fake.amazon().finishGenerating();
      Launch resumed = run(fake, later, "--platforms=amazon_ads");
      assertThat(resumed.err(), resumed.exitCode(), is(0));
      assertThat(fake.amazon().reportsCreated(), is(4));
      assertThat(query("max(date)::text", "true"), equalTo(List.of(List.of(next.toString()))));
      assertThat(query("count(*) = count(DISTINCT (ad_id, date))::text", "true"), equalTo(List.of(List.of("true"))));
    }
  }

  @Test
  void amazonAccessRevokedWhilePollingStopsTheAccountAfterOneRenewal() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.amazon().revokeAccessAtPoll(1);
      Launch launch = run(fake, RUN_DATE, "--platforms=amazon_ads");
      assertThat(launch.err(), launch.exitCode(), is(1));
      assertThat(launch.err(), containsString("amazon_ads credentials refused"));
      assertThat("one renewal, not one per retry", fake.calls("amazon POST /amazon/auth/o2/token"), is(2));
      assertThat(fake.calls("amazon GET /amazon/reporting/reports/{id}"), is(2));
      List<String> errors = RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream().map(l -> l.get("error").asText()).toList();
      assertThat(errors.toString(), errors.stream().anyMatch(e -> e.contains("--amazonAdsEnvPrefix")), is(true));
      assertThat(ledger(0).balanced(), is(true));
    }
  }

  @Test
  void metaResultsThatPageInALoopFailTheSliceInsteadOfPagingForever() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().maxPageSize(4);
      fake.meta().loopResultPages();
      Launch launch = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(launch.err(), launch.exitCode(), is(1));
      assertThat(launch.err(), containsString("meta slices could not be extracted"));
      List<String> errors = RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream().map(l -> l.get("error").asText()).toList();
      assertThat(errors.toString(), errors.stream().anyMatch(e -> e.contains("Meta's results of report") && e.contains("repeated a page")),
          is(true));
      assertThat(ledger(0).balanced(), is(true));
    }
  }

  @Test
  void aRerunOfTheDayUsesTheReportJobsAnEarlierRunStarted() throws Exception {
    String metaJobs = "meta POST /meta/v23.0/act_{id}/insights";
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      // Meta's six-day job never finishes, its two three-day halves do, then listing the account's ads
      // is throttled for 45 minutes: the account stops.
      fake.meta().stuckAbove(3);
      fake.meta().throttleAdListingsNext(1, 45);
      // Amazon's report finishes, but its download URL has expired twice: the slice fails.
      fake.amazon().expireNextDownloads(2);
      Launch first = run(fake, RUN_DATE, "--metaReportTimeoutSeconds=1");
      assertThat(first.err(), first.exitCode(), is(1));
      assertThat(first.err(), containsString("amazon_ads slices could not be extracted"));
      assertThat(fake.calls(metaJobs), is(3));
      assertThat(fake.amazon().reportsCreated(), is(1));

      Launch rerun = run(fake, RUN_DATE, "--metaReportTimeoutSeconds=1");
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat("Meta's finished halves are read; neither they nor the stuck whole are started again",
          fake.calls(metaJobs), is(3));
      assertThat("Amazon's finished report is downloaded, not asked for again", fake.amazon().reportsCreated(), is(1));
      LocalDate first6 = RUN_DATE.minusDays(6);
      LocalDate last = RUN_DATE.minusDays(1);
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", first6, last)));
      assertThat(query(PERFORMANCE, "platform = 'AMAZON_ADS'"), equalTo(expected(fake, "amazon_ads", first6, last)));
    }
  }

  @Test
  void eachHourlyRunOfTheDayStartsReportJobsOfItsOwnForTheDaysStillChanging() throws Exception {
    String metaJobs = "meta POST /meta/v23.0/act_{id}/insights";
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch firstHour = run(fake, RUN_DATE, "--cadence=hourly");
      assertThat(firstHour.err(), firstHour.exitCode(), is(0));
      assertThat(fake.calls(metaJobs), is(1));
      assertThat(fake.amazon().reportsCreated(), is(1));

      fake.withdraw("23850001", RUN_DATE);
      fake.withdraw("301000000000001", RUN_DATE);
      Launch nextHour = run(fake, RUN_DATE, "--cadence=hourly");
      assertThat(nextHour.err(), nextHour.exitCode(), is(0));
      assertThat("the first hour's finished jobs hold that hour's figures: new ones are started",
          fake.calls(metaJobs), is(2));
      assertThat(fake.amazon().reportsCreated(), is(2));
      // Each hour's jobs are dropped once its slice is checkpointed: none pile up.
      try (Stream<Path> files = Files.walk(out.resolve("ads/raw"))) {
        assertThat(files.filter(f -> f.toString().contains("/extracted-") && Files.isRegularFile(f)).toList(), is(List.of()));
      }
      assertThat(query(PERFORMANCE, "platform = 'META'"),
          equalTo(withoutToday(expected(fake, "meta", RUN_DATE.minusDays(1), RUN_DATE), "23850001")));
      assertThat(query(PERFORMANCE, "platform = 'AMAZON_ADS'"),
          equalTo(withoutToday(expected(fake, "amazon_ads", RUN_DATE.minusDays(1), RUN_DATE), "301000000000001")));
    }
  }

  private static List<List<String>> withoutToday(List<List<String>> rows, String adId) {
    return rows.stream().filter(row -> !(row.contains(adId) && row.contains(RUN_DATE.toString()))).toList();
  }

  @Test
  void aMetaJobWhoseResultsExpiredIsStartedAgainByTheNextRun() throws Exception {
    String metaJobs = "meta POST /meta/v23.0/act_{id}/insights";
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().expireResultsOfNextJobs(1);
      Launch first = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(first.err(), first.exitCode(), is(1));
      assertThat(first.err(), containsString("meta slices could not be extracted"));
      assertThat(RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream().map(l -> l.get("error").asText()).toList().toString(),
          containsString("does not exist"));
      assertThat(ledger(0).balanced(), is(true));

      Launch rerun = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat("the expired job was forgotten and a new one started", fake.calls(metaJobs), is(2));
      assertThat(query(PERFORMANCE, "true"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));
    }
  }

  @Test
  void aMetaJobThatFailedAsynchronouslyIsNotPolledAgainByTheNextRun() throws Exception {
    String metaJobs = "meta POST /meta/v23.0/act_{id}/insights";
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().breakNextJobs(1);
      Launch first = run(fake, RUN_DATE, "--platforms=meta", "--lookbackDays=0");
      assertThat(first.err(), first.exitCode(), is(1));
      assertThat(first.err(), containsString("meta slices could not be extracted"));

      Launch rerun = run(fake, RUN_DATE, "--platforms=meta", "--lookbackDays=0");
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat("the failed job was forgotten and a new one started", fake.calls(metaJobs), is(2));
      assertThat(query(PERFORMANCE, "true"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(1), RUN_DATE.minusDays(1))));
    }
  }

  @Test
  void aSliceWhoseReportJobCannotBeKeptIsADeadLetterAndEverythingElseLands() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      // A file where the Amazon slice's _jobs folder belongs: its report job id cannot be kept.
      Path jobs = out.resolve("ads/raw/amazon_ads/dt=" + RUN_DATE + "/account=" + AMAZON_PROFILE + "/_jobs");
      Files.createDirectories(jobs.getParent());
      Files.writeString(jobs, "in the way");
      Launch first = run(fake, RUN_DATE);
      assertThat(first.err(), first.exitCode(), is(1));
      assertThat(first.err(), containsString("amazon_ads slices could not be extracted"));
      List<String> errors = RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream().map(l -> l.get("error").asText()).toList();
      assertThat(errors.toString(), errors.stream().anyMatch(e -> e.startsWith("cannot keep report job")), is(true));
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));
      assertThat(query("count(*)::text", "platform = 'AMAZON_ADS'"), equalTo(List.of(List.of("0"))));
      assertThat(ledger(0).balanced(), is(true));

      Files.delete(jobs);
      Launch rerun = run(fake, RUN_DATE);
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat(query(PERFORMANCE, "platform = 'AMAZON_ADS'"),
          equalTo(expected(fake, "amazon_ads", RUN_DATE.minusDays(6), RUN_DATE.minusDays(1))));
    }
  }

  @Test
  void aRowThatCannotBeReadIsADeadLetterAndTheSlicesOtherRowsLand() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      LocalDate misdated = RUN_DATE.minusDays(3);
      fake.meta().misdate("23850001", misdated, "2026/05/09");
      LocalDate first = RUN_DATE.minusDays(6);
      LocalDate last = RUN_DATE.minusDays(1);
      List<List<String>> expected = new ArrayList<>(expected(fake, "meta", first, last));
      expected.remove(AdsDailyTest.expected(fake, ADS.stream().filter(ad -> ad.adId().equals("23850001")).findFirst().orElseThrow(), misdated));
      for (int run = 0; run < 2; run++) { // the rerun reads the slice from its checkpoint
        Launch launch = run(fake, RUN_DATE);
        assertThat(launch.err(), launch.exitCode(), is(0));
        assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected));
        List<JsonNode> letters = RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream()
            .filter(l -> l.get("stage").asText().equals("read_meta")).toList();
        assertThat("one per run", letters.size(), is(run + 1));
        for (JsonNode letter : letters) {
          assertThat(letter.get("error").asText(), is("date \"2026/05/09\" is not a yyyy-MM-dd day"));
          assertThat(letter.get("record").asText(), containsString("\"ad_id\":\"23850001\""));
        }
        assertThat(ledger(run).balanced(), is(true));
        assertThat(ledger(run).stages().get("read_meta").deadLettered(), is(1L));
      }
    }
  }

  @Test
  void aStoredRowIsKeptWhenTheLookbackCannotReadItsNewVersion() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch first = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(first.err(), first.exitCode(), is(0));
      // The next day's lookback gets the ad's row of an earlier day with a date it cannot read: the
      // day's other rows land, and the stored row of that ad stays rather than passing for deleted.
      fake.meta().misdate("23850001", RUN_DATE.minusDays(3), "2026/05/09");
      Launch next = run(fake, RUN_DATE.plusDays(1), "--platforms=meta");
      assertThat(next.err(), next.exitCode(), is(0));
      assertThat(query(PERFORMANCE, "platform = 'META'"), equalTo(expected(fake, "meta", RUN_DATE.minusDays(6), RUN_DATE)));
      assertThat(ledger(1).stages().get("read_meta").deadLettered(), is(1L));
      assertThat(ledger(1).balanced(), is(true));
      // Nor are the account's days all known: its features wait rather than take them for zeros.
      assertThat(Parquet.query("SELECT max(date)::text FROM read_parquet('" + out + "/ads/ad_features_daily/*/*.parquet')"),
          equalTo(List.of(List.of(RUN_DATE.minusDays(1).toString()))));
    }
  }

  @Test
  void aRowWithoutADayIsRefusedByValidationAndTheRunGoesOn() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.meta().misdate("23850001", RUN_DATE.minusDays(3), "");
      Launch launch = run(fake, RUN_DATE, "--platforms=meta");
      assertThat(launch.err(), launch.exitCode(), is(0));
      List<String> errors = RunOutputs.deadLetters(out, "ads-daily", RUN_DATE).stream()
          .filter(l -> l.get("stage").asText().equals("validate_ads")).map(l -> l.get("error").asText()).toList();
      assertThat(errors.toString(), errors.size(), is(1));
      assertThat(errors.get(0), containsString("date is required"));
      assertThat(ledger(0).balanced(), is(true));
    }
  }
}
