package io.analyticsetl.pipelines.ads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.google.api.services.bigquery.model.TableReference;
import com.google.cloud.bigquery.storage.v1.BigDecimalByteStringEncoder;
import com.google.protobuf.ByteString;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.pipelines.FakeBigQuery;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.ads.FakeAdPlatforms;
import io.analyticsetl.testkit.ads.FakeAdPlatforms.Ad;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ads-daily against the fake TikTok and Google Ads APIs. */
class AdsDailyTest {

  static final LocalDate RUN_DATE = LocalDate.of(2026, 5, 10);
  static final List<Ad> ADS =
      List.of(
          new Ad("tiktok", "7001", "t1", "tg1", "1714125042508817", LocalDate.of(2026, 4, 1), LocalDate.of(2026, 6, 1)),
          new Ad("tiktok", "7001", "t2", "tg1", "1714125042508817", LocalDate.of(2026, 5, 6), LocalDate.of(2026, 6, 1)),
          new Ad("google_ads", "1234567890", "g1", "ag1", "c1", LocalDate.of(2026, 4, 1), LocalDate.of(2026, 6, 1)),
          new Ad("google_ads", "1234567890", "g2", "ag2", "c2", LocalDate.of(2026, 4, 1), LocalDate.of(2026, 5, 7)));

  @TempDir Path out;
  private Path creatives;

  @BeforeEach
  void creatives() throws Exception {
    AdsHttp.resetBreakers();
    creatives = out.resolve("creatives.jsonl");
    Files.writeString(
        creatives,
        String.join("\n",
            "{\"platform\":\"tiktok\",\"ad_id\":\"t1\",\"headline\":\"Save big: the best new deal\",\"description\":\"Free and fast\","
                + "\"call_to_action\":\"Shop now\",\"landing_page_url\":\"https://example.com/t1\",\"start_date\":\"2026-04-01\",\"end_date\":\"2026-06-30\"}",
            "{\"platform\":\"tiktok\",\"ad_id\":\"t2\",\"headline\":\"A slow and bad problem\",\"landing_page_url\":\"https://example.com/t2\"}",
            "{\"platform\":\"google_ads\",\"ad_id\":\"g1\",\"headline\":\"Plain words\",\"landing_page_url\":\"https://example.com/g1\"}",
            "{\"platform\":\"google_ads\",\"ad_id\":\"g2\",\"headline\":\"Another\",\"landing_page_url\":\"https://example.com/g2\"}",
            "{\"platform\":\"google_ads\",\"ad_id\":\"g9\",\"headline\":\"ends before it starts\",\"start_date\":\"2026-05-02\",\"end_date\":\"2026-05-01\"}",
            "not json at all"));
  }

  /** Launches ads-daily against the fake; {@code overrides} replace the defaults of the same option. */
  private Launch run(FakeAdPlatforms fake, LocalDate runDate, String... overrides) {
    return Launch.of(args(fake, runDate, overrides));
  }

  private String[] args(FakeAdPlatforms fake, LocalDate runDate, String... overrides) {
    Map<String, String> args = new LinkedHashMap<>();
    Stream.concat(
            Stream.of("--accounts=tiktok:7001,google_ads:1234567890", "--outputRoot=" + out.resolve("out"),
                "--runDate=" + runDate, "--lookbackDays=5", "--internalCreativesPath=" + creatives,
                "--tiktokBaseUrl=" + fake.tiktokBaseUrl(), "--googleAdsBaseUrl=" + fake.googleAdsBaseUrl(),
                "--googleAdsAuthUrl=" + fake.googleAuthUrl(), "--adsRetryDelayMillis=5", "--adsMaxRetryDelaySeconds=1"),
            Stream.of(overrides))
        .forEach(arg -> args.put(arg.substring(0, arg.indexOf('=')), arg));
    return Stream.concat(Stream.of("ads-daily"), args.values().stream()).toArray(String[]::new);
  }

  /** SQL true when {@code rate} is not numerator / denominator (to its 10 places), or not NULL on a zero denominator. */
  private static String mismatch(String rate, String numerator, String denominator) {
    return "(CASE WHEN " + denominator + " = 0 THEN " + rate + " IS NOT NULL ELSE abs(" + rate + " - (" + numerator + ")::DOUBLE / "
        + denominator + ") > 1e-9 END)";
  }

  private List<List<String>> query(String dataset, String select) {
    return Parquet.query("SELECT " + select + " FROM read_parquet('" + out.resolve("out") + "/ads/" + dataset + "/*/*.parquet') ORDER BY ALL");
  }

  /** What a hand calculation from the fake's payloads gives for one row. */
  static List<String> expected(FakeAdPlatforms fake, Ad ad, LocalDate day) {
    long impressions = FakeAdPlatforms.impressions(ad, day);
    long clicks = fake.clicks(ad, day);
    BigDecimal spend = FakeAdPlatforms.spend(ad, day).setScale(6);
    BigDecimal conversions = fake.conversions(ad, day).setScale(6);
    BigDecimal value = fake.conversionValue(ad, day).setScale(6);
    BigDecimal ctr = BigDecimal.valueOf(clicks).divide(BigDecimal.valueOf(impressions), 10, RoundingMode.HALF_EVEN);
    BigDecimal roas = value.divide(spend, 10, RoundingMode.HALF_EVEN);
    return List.of(ad.platform().toUpperCase(), ad.accountId(), ad.adId(), day.toString(), String.valueOf(impressions),
        String.valueOf(clicks), spend.toPlainString(), spend.movePointRight(6).toBigInteger().toString(),
        conversions.toPlainString(), value.toPlainString(), ctr.toPlainString(), roas.toPlainString());
  }

  /** The hand-calculated rows of the ads' delivering days in the week before RUN_DATE, sorted as queried. */
  private static List<List<String>> expectedWeek(FakeAdPlatforms fake, List<Ad> ads) {
    List<List<String>> expected = new ArrayList<>();
    for (Ad ad : ads) {
      for (LocalDate day = RUN_DATE.minusDays(6); day.isBefore(RUN_DATE); day = day.plusDays(1)) {
        if (!day.isBefore(ad.firstDay()) && !day.isAfter(ad.lastDay())) {
          expected.add(expected(fake, ad, day));
        }
      }
    }
    expected.sort((a, b) -> String.join("|", a).compareTo(String.join("|", b)));
    return expected;
  }

  static final String PERFORMANCE =
      "platform, account_id, ad_id, date::text, impressions::text, clicks::text, spend::text, spend_micros::text,"
          + " conversions::text, conversion_value::text, ctr::text, roas::text";

  @Test
  void normalisesEveryPlatformToWhatAHandCalculationGives() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.adStatus("t2", "DISABLE/AD_STATUS_DISABLE");
      fake.campaignStatus("1714125042508817", "DISABLE/CAMPAIGN_STATUS_DISABLE");
      fake.campaignStatus("c2", "PAUSED");
      Launch launch = run(fake, RUN_DATE);
      assertThat(launch.err(), launch.exitCode(), is(0));
      List<List<String>> expected = expectedWeek(fake, ADS);
      assertThat(query("ad_performance_daily", PERFORMANCE), equalTo(expected));
      // Ad statuses: TikTok's from /ad/get, Google's from the report itself (g2 stopped delivering on May 7).
      assertThat(query("ad_performance_daily", "DISTINCT ad_id, ad_status, ad_status_raw"),
          equalTo(List.of(List.of("g1", "ACTIVE", "ENABLED"), List.of("g2", "PAUSED", "PAUSED"),
              List.of("t1", "ACTIVE", "ENABLE/AD_STATUS_DELIVERY_OK"), List.of("t2", "PAUSED", "DISABLE/AD_STATUS_DISABLE"))));
      // Campaign statuses: TikTok's from /campaign/get, Google's from the report's campaign.status.
      assertThat(query("ad_performance_daily", "DISTINCT campaign_id, campaign_status_raw"),
          equalTo(List.of(List.of("1714125042508817", "DISABLE/CAMPAIGN_STATUS_DISABLE"), List.of("c1", "ENABLED"), List.of("c2", "PAUSED"))));
      // Creatives joined on (platform, ad_id); Google's micros became an exact amount.
      assertThat(query("ad_performance_daily", "DISTINCT ad_id, headline, call_to_action").get(0),
          equalTo(java.util.Arrays.asList("g1", "Plain words", null)));
      // account_daily re-derives ROAS from the sums, never averages the ads' ratios.
      List<String> account = query("account_daily", "platform, date::text, spend::text, roas::text, ad_count::text").get(0);
      Ad g1 = ADS.get(2);
      Ad g2 = ADS.get(3);
      LocalDate day = RUN_DATE.minusDays(6);
      BigDecimal spend = FakeAdPlatforms.spend(g1, day).add(FakeAdPlatforms.spend(g2, day));
      BigDecimal value = fake.conversionValue(g1, day).add(fake.conversionValue(g2, day));
      assertThat(account, equalTo(List.of("GOOGLE_ADS", day.toString(), spend.setScale(6).toPlainString(),
          value.divide(spend, 10, RoundingMode.HALF_EVEN).toPlainString(), "2")));

      // The creative export's bad lines are dead letters; the ledger balances.
      var letters = RunOutputs.deadLetters(out.resolve("out"), "ads-daily", RUN_DATE);
      assertThat(letters.stream().map(l -> l.get("error").asText()).toList(), hasItem(containsString("end_date >= start_date")));
      assertThat(letters.stream().map(l -> l.get("error").asText()).toList(), hasItem(containsString("not JSON")));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(0)));
      assertThat(ledger.balanced(), is(true));
      assertThat(ledger.stages().get("read_tiktok").read(), is(10L)); // t1 on six days, t2 on four

      // 7-day features count days without delivery as zero: t2 began on May 6.
      List<String> t2 = query("ad_features_daily", "ad_id, date::text, impressions_7d::text, has_call_to_action::text, sentiment_score")
          .stream().filter(r -> r.get(0).equals("t2") && r.get(1).equals("2026-05-09")).findFirst().orElseThrow();
      long sum = 0;
      for (LocalDate d = LocalDate.of(2026, 5, 6); !d.isAfter(LocalDate.of(2026, 5, 9)); d = d.plusDays(1)) {
        sum += FakeAdPlatforms.impressions(ADS.get(1), d);
      }
      assertThat(t2.subList(2, 4), equalTo(List.of(String.valueOf(sum), "false")));
      assertThat(Double.parseDouble(t2.get(4)), is(-3.0 / 5)); // "A slow and bad problem": three negative words of five
      // Five days of history give no complete label window yet; g2's windows still move after it stopped on May 7.
      assertThat(query("ad_features_daily", "count(*)::text"), equalTo(List.of(List.of("22"))));
      assertThat(Files.exists(out.resolve("out/ads/ad_training_examples")), is(false));
      // Every window's rates are ratios of its sums (NULL on a zero denominator), cpm per thousand.
      for (String w : List.of("_7d", "_28d")) {
        String rates = String.join(" OR ",
            mismatch("ctr" + w, "clicks" + w, "impressions" + w), mismatch("cpc" + w, "spend" + w, "clicks" + w),
            mismatch("cpm" + w, "spend" + w + " * 1000", "impressions" + w), mismatch("cvr" + w, "conversions" + w, "clicks" + w),
            mismatch("cpa" + w, "spend" + w, "conversions" + w), mismatch("roas" + w, "conversion_value" + w, "spend" + w),
            mismatch("acos" + w, "spend" + w, "conversion_value" + w));
        List<String> counts = query("ad_features_daily", "count(*) FILTER (WHERE " + rates + ")::text, count(*) FILTER (WHERE cpa" + w
            + " IS NOT NULL AND acos" + w + " IS NOT NULL AND cpm" + w + " IS NOT NULL)::text").get(0);
        assertThat(w + " rows whose rates are not their sums' ratios", counts.get(0), is("0"));
        assertThat(w + " rows with every rate", Long.parseLong(counts.get(1)), org.hamcrest.Matchers.greaterThan(0L));
      }
    }
  }

  @Test
  void trainingExamplesCoverOnlyCompleteLabelWindowsAndAreReproducible() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE, "--lookbackDays=13").exitCode(), is(0));
      assertThat(run(fake, RUN_DATE, "--lookbackDays=13", "--outputRoot=" + out.resolve("again")).exitCode(), is(0));
    }
    // Features as of D with the CTR over D+1..D+7, only while D+7 <= yesterday (May 9): D in Apr 26..May 2.
    Ad t1 = ADS.get(0);
    LocalDate day = LocalDate.of(2026, 4, 30);
    long impressions = 0;
    long clicks = 0;
    try (FakeAdPlatforms figures = FakeAdPlatforms.start(ADS)) {
      for (LocalDate d = day.plusDays(1); !d.isAfter(day.plusDays(7)); d = d.plusDays(1)) {
        impressions += FakeAdPlatforms.impressions(t1, d);
        clicks += figures.clicks(t1, d);
      }
    }
    String label = "ad_id, date::text, label_impressions_next_7d::text, label_clicks_next_7d::text, label_ctr_next_7d::text";
    assertThat(query("ad_training_examples", label).stream().filter(r -> r.get(0).equals("t1") && r.get(1).equals(day.toString())).toList(),
        equalTo(List.of(List.of("t1", day.toString(), String.valueOf(impressions), String.valueOf(clicks),
            BigDecimal.valueOf(clicks).divide(BigDecimal.valueOf(impressions), 10, RoundingMode.HALF_EVEN).toPlainString()))));
    assertThat(query("ad_training_examples", "min(date)::text, max(date)::text, count(*)::text, count(DISTINCT ad_id)::text"),
        equalTo(List.of(List.of("2026-04-26", "2026-05-02", "21", "3")))); // t2 only began on May 6; g2 stopped on May 7
    // Byte-identical features from the same inputs.
    String features = "SELECT * FROM read_parquet('%s/ads/ad_features_daily/*/*.parquet') ORDER BY ALL";
    assertThat(Parquet.query(features.formatted(out.resolve("again"))), equalTo(Parquet.query(features.formatted(out.resolve("out")))));
  }

  @Test
  void anAdThatStoppedHasTrainingExamplesForEveryFeatureDayWithAWholeLabelWindow() throws Exception {
    LocalDate later = LocalDate.of(2026, 6, 19);
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch launch = run(fake, later, "--lookbackDays=60", "--accounts=google_ads:1234567890", "--platforms=google_ads");
      assertThat(launch.err(), launch.exitCode(), is(0));
    }
    // g2 delivered last on May 7: its features run on to June 3 (until its 28-day window is empty),
    // and by yesterday (June 18) every one of those days has its whole label window, the last ones
    // after the ad stopped: zero impressions, zero clicks, no CTR.
    java.util.function.Function<String, List<List<String>>> lastDayPerAd = dataset -> Parquet.query(
        "SELECT ad_id, max(date)::text FROM read_parquet('" + out.resolve("out") + "/ads/" + dataset + "/*/*.parquet')"
            + " GROUP BY ad_id ORDER BY ad_id");
    assertThat(Parquet.query("SELECT max(date)::text FROM read_parquet('" + out.resolve("out")
        + "/ads/ad_performance_daily/*/*.parquet') WHERE ad_id = 'g2' AND impressions > 0"), equalTo(List.of(List.of("2026-05-07"))));
    assertThat(lastDayPerAd.apply("ad_features_daily"), equalTo(List.of(List.of("g1", "2026-06-18"), List.of("g2", "2026-06-03"))));
    assertThat(lastDayPerAd.apply("ad_training_examples"), equalTo(List.of(List.of("g1", "2026-06-11"), List.of("g2", "2026-06-03"))));
    assertThat(query("ad_training_examples",
            "ad_id, date::text, label_impressions_next_7d::text, label_clicks_next_7d::text, label_ctr_next_7d IS NULL").stream()
            .filter(r -> r.get(0).equals("g2") && r.get(1).equals("2026-06-03")).toList(),
        equalTo(List.of(List.of("g2", "2026-06-03", "0", "0", "true"))));
  }

  @Test
  void aDailyRunsFeaturesReachBackIntoHistoryLoadedByEarlierRuns() throws Exception {
    LocalDate next = RUN_DATE.plusDays(1);
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE, "--lookbackDays=40").exitCode(), is(0));
      // The next day's run extracts only two days; its 28-day windows need the 26 before them.
      assertThat(run(fake, next, "--lookbackDays=1").exitCode(), is(0));
    }
    Ad t1 = ADS.get(0);
    LocalDate day = next.minusDays(1);
    long impressions28 = 0;
    for (LocalDate d = day.minusDays(27); !d.isAfter(day); d = d.plusDays(1)) {
      impressions28 += FakeAdPlatforms.impressions(t1, d);
    }
    assertThat(
        query("ad_features_daily", "ad_id, date::text, impressions_28d::text").stream()
            .filter(r -> r.get(0).equals("t1") && r.get(1).equals(day.toString()))
            .toList(),
        equalTo(List.of(List.of("t1", day.toString(), String.valueOf(impressions28)))));

    // A run of TikTok alone the day after: Google's newest day is unknown to it, not a day without
    // delivery, so no Google features are written for it (they would all be zeros).
    LocalDate later = next.plusDays(1);
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, later, "--lookbackDays=1", "--platforms=tiktok").exitCode(), is(0));
    }
    assertThat(query("ad_features_daily", "platform, date::text").stream()
            .filter(r -> r.get(1).equals(later.minusDays(1).toString())).map(r -> r.get(0)).distinct().toList(),
        equalTo(List.of("TIKTOK")));

    // The day after, TikTok reports no row at all for the account's two days: it was extracted, so its
    // ads' features go on, those days counting as zeros.
    LocalDate quiet = later.plusDays(1);
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      for (String ad : List.of("t1", "t2")) {
        fake.withdraw(ad, quiet.minusDays(1));
        fake.withdraw(ad, quiet.minusDays(2));
      }
      Launch nothing = run(fake, quiet, "--lookbackDays=1", "--platforms=tiktok");
      assertThat(nothing.err(), nothing.exitCode(), is(0));
    }
    List<List<String>> expected7 = new ArrayList<>();
    for (Ad ad : List.of(ADS.get(0), ADS.get(1))) {
      long impressions7 = 0; // [quiet - 7, quiet - 1], the last two days without rows
      for (LocalDate d = quiet.minusDays(7); d.isBefore(quiet.minusDays(2)); d = d.plusDays(1)) {
        impressions7 += d.isBefore(ad.firstDay()) ? 0 : FakeAdPlatforms.impressions(ad, d);
      }
      expected7.add(List.of(ad.adId(), String.valueOf(impressions7)));
    }
    assertThat(Parquet.query("SELECT ad_id, impressions_7d::text FROM read_parquet('" + out.resolve("out")
            + "/ads/ad_features_daily/*/*.parquet') WHERE date = DATE '" + quiet.minusDays(1) + "' ORDER BY ALL"),
        equalTo(expected7));
  }

  @Test
  void featuresOfAnAdWhoseRowsWereAllWithdrawnAreDeleted() throws Exception {
    Ad g3 = new Ad("google_ads", "1234567890", "g3", "ag1", "c1", LocalDate.of(2026, 5, 6), LocalDate.of(2026, 6, 1));
    List<Ad> ads = Stream.concat(ADS.stream(), Stream.of(g3)).toList();
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ads)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0));
    }
    assertThat(Parquet.query("SELECT count(*)::text FROM read_parquet('" + out.resolve("out")
        + "/ads/ad_features_daily/*/*.parquet') WHERE ad_id = 'g3'"), equalTo(List.of(List.of("4")))); // May 6 to 9

    // The platform withdraws every row of g3 (its delivery invalidated): its features go too.
    LocalDate next = RUN_DATE.plusDays(1);
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ads)) {
      for (LocalDate day = g3.firstDay(); !day.isAfter(next); day = day.plusDays(1)) {
        fake.withdraw("g3", day);
      }
      Launch withdrawn = run(fake, next);
      assertThat(withdrawn.err(), withdrawn.exitCode(), is(0));
    }
    assertThat(Parquet.query("SELECT count(*)::text FROM read_parquet('"
        + out.resolve("out") + "/ads/ad_performance_daily/*/*.parquet') WHERE ad_id = 'g3'"), equalTo(List.of(List.of("0"))));
    assertThat(Parquet.query("SELECT count(*)::text FROM read_parquet('" + out.resolve("out")
        + "/ads/ad_features_daily/*/*.parquet') WHERE ad_id = 'g3'"), equalTo(List.of(List.of("0"))));
    assertThat(Parquet.query("SELECT count(*)::text FROM read_parquet('" + out.resolve("out")
        + "/ads/ad_features_daily/*/*.parquet') WHERE ad_id = 'g1' AND date = DATE '" + RUN_DATE.minusDays(1) + "'"),
        equalTo(List.of(List.of("1"))));
  }

  @Test
  void lookbackRerunsUpdateRestatedRowsInPlace() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0));
      fake.restate();
      Launch next = run(fake, RUN_DATE.plusDays(1));
      assertThat(next.err(), next.exitCode(), is(0));
      assertThat(
          query("ad_performance_daily", "count(*) = count(DISTINCT (platform, account_id, ad_id, date))::text"),
          equalTo(List.of(List.of("true"))));
      // A day both runs pulled now holds the restated conversions.
      Ad g1 = ADS.get(2);
      LocalDate day = RUN_DATE.minusDays(2);
      assertThat(
          query("ad_performance_daily", "conversions::text").stream().anyMatch(r -> r.get(0).equals(fake.conversions(g1, day).setScale(6).toPlainString())),
          is(true));
      List<List<String>> g1Day = Parquet.query("SELECT conversions::text FROM read_parquet('" + out.resolve("out")
          + "/ads/ad_performance_daily/*/*.parquet') WHERE ad_id = 'g1' AND date = DATE '" + day + "'");
      assertThat(g1Day, equalTo(List.of(List.of(fake.conversions(g1, day).setScale(6).toPlainString()))));

      // Rerunning the earlier day replays its checkpoint, extracted before the restatement: the
      // table keeps the restated figures, and account_daily the sums of the rows the table keeps.
      // TikTok's checkpoints are made to look like ones from before the header line: their file time
      // stands for their extraction time.
      try (Stream<Path> files = Files.walk(out.resolve("out/ads/raw/tiktok/dt=" + RUN_DATE))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
          var modified = Files.getLastModifiedTime(file);
          List<String> lines = Files.readAllLines(file);
          Files.write(file, lines.subList(1, lines.size()));
          Files.setLastModifiedTime(file, modified);
        }
      }
      List<List<String>> before = query("ad_performance_daily", PERFORMANCE);
      String googleTimes = "SELECT ad_id, date::text, extracted_at::text FROM read_parquet('" + out.resolve("out")
          + "/ads/ad_performance_daily/*/*.parquet') WHERE platform = 'GOOGLE_ADS' ORDER BY ALL";
      List<List<String>> googleBefore = Parquet.query(googleTimes);
      List<List<String>> accountsBefore = query("account_daily", "*");
      Launch replay = run(fake, RUN_DATE);
      assertThat(replay.err(), replay.exitCode(), is(0));
      assertThat(replay.err(), containsString("resumed from their checkpoint"));
      assertThat(query("ad_performance_daily", PERFORMANCE), equalTo(before));
      assertThat(Parquet.query(googleTimes), equalTo(googleBefore));
      assertThat(query("account_daily", "*"), equalTo(accountsBefore));
    }
  }

  @Test
  void rowsAPlatformNoLongerReportsLeaveWhenTheirDayIsPulledAgainAndAReplayDoesNotBringThemBack() throws Exception {
    LocalDate may4 = RUN_DATE.minusDays(6);
    LocalDate may5 = RUN_DATE.minusDays(5);
    LocalDate may6 = RUN_DATE.minusDays(4);
    String rows = "platform, ad_id, date::text";
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0));
      List<List<String>> first = query("ad_performance_daily", rows);
      assertThat(first, hasItems(List.of("GOOGLE_ADS", "g1", may5.toString()), List.of("TIKTOK", "t1", may6.toString()),
          List.of("TIKTOK", "t2", may6.toString()), List.of("GOOGLE_ADS", "g2", may4.toString())));

      // The platforms withdraw g1's May 5, all of TikTok's May 6, and g2's May 4, which the next
      // run's lookback (May 5 on) does not pull again.
      fake.withdraw("g1", may5);
      fake.withdraw("t1", may6);
      fake.withdraw("t2", may6);
      fake.withdraw("g2", may4);
      Launch next = run(fake, RUN_DATE.plusDays(1));
      assertThat(next.err(), next.exitCode(), is(0));
      List<List<String>> afterNext = query("ad_performance_daily", rows);
      List<List<String>> gone = List.of(
          List.of("GOOGLE_ADS", "g1", may5.toString()), List.of("TIKTOK", "t1", may6.toString()), List.of("TIKTOK", "t2", may6.toString()));
      for (List<String> row : gone) {
        assertThat(afterNext, not(hasItem(row)));
      }
      assertThat(afterNext, hasItem(List.of("GOOGLE_ADS", "g2", may4.toString())));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(1)));
      assertThat(ledger.stages().get("reconcile_ads").filtered().get(ReconcileAdRows.DELETED), is(3L));
      assertThat(ledger.balanced(), is(true));

      // account_daily follows: Google's May 5 is g2's alone, TikTok's May 6 has no row left.
      Ad g2 = ADS.get(3);
      assertThat(
          Parquet.query("SELECT impressions::text, ad_count::text FROM read_parquet('" + out.resolve("out")
              + "/ads/account_daily/*/*.parquet') WHERE platform = 'GOOGLE_ADS' AND date = DATE '" + may5 + "'"),
          equalTo(List.of(List.of(String.valueOf(FakeAdPlatforms.impressions(g2, may5)), "1"))));
      assertThat(
          Parquet.query("SELECT count(*)::text FROM read_parquet('" + out.resolve("out")
              + "/ads/account_daily/*/*.parquet') WHERE platform = 'TIKTOK' AND date = DATE '" + may6 + "'"),
          equalTo(List.of(List.of("0"))));

      // Rerunning the earlier day replays its checkpoint, which still holds the withdrawn rows: the
      // later extraction of those days stands, so nothing changes.
      List<List<String>> accountsAfterNext = query("account_daily", "*");
      Launch replay = run(fake, RUN_DATE);
      assertThat(replay.err(), replay.exitCode(), is(0));
      assertThat(replay.err(), containsString("resumed from their checkpoint"));
      assertThat(query("ad_performance_daily", rows), equalTo(afterNext));
      assertThat(query("account_daily", "*"), equalTo(accountsAfterNext));
      RunLedger replayed = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(2)));
      // Only May 4, which no later run pulled, is written again (as it was): g1, g2 and t1.
      assertThat(replayed.stages().get("reconcile_ads").written(), is(3L));
      assertThat(replayed.stages().get("read_tiktok").filtered().get(ReconcileAdRows.SUPERSEDED), is(9L));
    }
  }

  @Test
  void theDatabaseSinkUpsertsRestatedRowsWithoutDuplicates() throws Exception {
    String target = LocalPostgres.newDatabase("ads");
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch first = run(fake, RUN_DATE, "--sink=jdbc", "--targetJdbcUrl=" + target);
      assertThat(first.err(), first.exitCode(), is(0));
      fake.restate();
      LocalDate withdrawn = RUN_DATE.minusDays(3);
      fake.withdraw("g1", withdrawn);
      Launch second = run(fake, RUN_DATE.plusDays(1), "--sink=jdbc", "--targetJdbcUrl=" + target);
      assertThat(second.err(), second.exitCode(), is(0));
      // 20 rows of May 4..9, less g1's withdrawn May 7, and May 10 without g2, stopped on May 7.
      assertThat(Sql.query(target, "SELECT count(*) - count(DISTINCT (platform, account_id, ad_id, date)), count(*) FROM ads.ad_performance_daily"),
          equalTo(List.of(List.of("0", "22"))));
      assertThat(Sql.query(target, "SELECT ad_id FROM ads.account_daily a JOIN ads.ad_performance_daily p USING (platform, account_id, date)"
              + " WHERE platform = 'GOOGLE_ADS' AND date = DATE '" + withdrawn + "' AND a.ad_count = 1"),
          equalTo(List.of(List.of("g2"))));
      Ad g1 = ADS.get(2);
      LocalDate day = RUN_DATE.minusDays(4); // both Google ads delivered; both runs pulled it
      assertThat(Sql.query(target, "SELECT conversions::text FROM ads.ad_performance_daily WHERE ad_id = 'g1' AND date = DATE '" + day + "'"),
          equalTo(List.of(List.of(fake.conversions(g1, day).setScale(6).toPlainString()))));
      // account_daily follows: its conversions are the restated sums.
      BigDecimal restated = fake.conversions(g1, day).add(fake.conversions(ADS.get(3), day));
      assertThat(Sql.query(target, "SELECT conversions::text, ad_count::text FROM ads.account_daily WHERE platform = 'GOOGLE_ADS' AND date = DATE '" + day + "'"),
          equalTo(List.of(List.of(restated.setScale(6).toPlainString(), "2"))));
    }
  }

  /**
   * One run into BigQuery (Beam's fakes) holds what the same run writes to Parquet. A rerun reads
   * the history back with an export job, which the fakes cannot do for NUMERIC and TIMESTAMP
   * columns, so convergence of restated rows in BigQuery is shown at the sink (BigQuerySinkTest).
   */
  @Test
  void theBigQuerySinkHoldsTheRowsParquetHolds() throws Exception {
    FakeBigQuery fakeBigQuery = FakeBigQuery.withDatasets("acme", "ads");
    FakeDatasetService bigQuery = fakeBigQuery.datasets();
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0));
      Launch launch =
          Launch.with(
              fakeBigQuery.sinks(),
              args(fake, RUN_DATE, "--sink=bigquery", "--bigQueryProject=acme", "--tempLocation=" + out.resolve("tmp"),
                  "--outputRoot=" + out.resolve("bigquery")));
      assertThat(launch.err(), launch.exitCode(), is(0));
      // The Storage Write API's rows as the fake keeps them: DATE as epoch days, NUMERIC as bytes.
      List<List<String>> inBigQuery =
          bigQuery.getAllRows("acme", "ads", "ad_performance_daily").stream()
              .map(
                  r ->
                      List.of(
                          r.get("platform").toString(), r.get("ad_id").toString(),
                          LocalDate.ofEpochDay(Long.parseLong(r.get("date").toString())).toString(),
                          BigDecimalByteStringEncoder.decodeNumericByteString(
                                  ByteString.copyFrom(Base64.getDecoder().decode(r.get("spend").toString())))
                              .setScale(6)
                              .toPlainString()))
              .sorted(Comparator.comparing(Object::toString))
              .toList();
      assertThat(inBigQuery.size() > 0, is(true));
      assertThat(
          inBigQuery,
          equalTo(
              query("ad_performance_daily", "platform, ad_id, date::text, spend::text").stream()
                  .sorted(Comparator.comparing(Object::toString))
                  .toList()));
      assertThat(
          bigQuery.getTable(new TableReference().setProjectId("acme").setDatasetId("ads").setTableId("ad_performance_daily"))
              .getTableConstraints().getPrimaryKey().getColumns(),
          equalTo(List.of("platform", "account_id", "ad_id", "date")));
    }
  }

  @Test
  void tiktokRowsThatMoveWhilePagedArePagedAgainAndAccountsThatKeepMovingStop() throws Exception {
    List<List<String>> expected = new ArrayList<>();
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      for (Ad ad : ADS.subList(0, 2)) {
        for (LocalDate day = RUN_DATE.minusDays(6); day.isBefore(RUN_DATE); day = day.plusDays(1)) {
          if (!day.isBefore(ad.firstDay())) {
            expected.add(expected(fake, ad, day));
          }
        }
      }
      expected.sort((a, b) -> String.join("|", a).compareTo(String.join("|", b)));

      // Ten rows in pages of three; the second page sees the rows shifted by one.
      fake.tiktokRowDrift(1);
      fake.adStatus("t1", "DELETE/AD_STATUS_DELETE");
      Launch moved = run(fake, RUN_DATE, "--accounts=tiktok:7001", "--tiktokPageSize=3");
      assertThat(moved.err(), moved.exitCode(), is(0));
      assertThat(query("ad_performance_daily", PERFORMANCE), equalTo(expected));
      // A deleted ad's rows still in the window: /ad/get lists it only when deleted ads are asked for.
      assertThat(query("ad_performance_daily", "DISTINCT ad_id, ad_status"),
          equalTo(List.of(List.of("t1", "REMOVED"), List.of("t2", "ACTIVE"))));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(0)));
      assertThat(ledger.notes(), hasItem(containsString("moved while being paged; paged again from the first page")));

      // Rows that never hold still stop the account, with nothing written for it; the next run resumes.
      Path restless = out.resolve("restless");
      fake.tiktokRowDrift(1000);
      Launch stopped = run(fake, RUN_DATE, "--accounts=tiktok:7001", "--tiktokPageSize=3", "--outputRoot=" + restless);
      assertThat(stopped.err(), stopped.exitCode(), is(0));
      RunLedger stoppedLedger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(restless, "ads-daily").get(0)));
      assertThat(stoppedLedger.notes(), hasItem(containsString("account 7001 stopped: TikTok report rows of")));
      assertThat(Files.exists(restless.resolve("ads/ad_performance_daily")), is(false));
      fake.tiktokRowDrift(0);
      Launch resumed = run(fake, RUN_DATE, "--accounts=tiktok:7001", "--tiktokPageSize=3", "--outputRoot=" + restless);
      assertThat(resumed.err(), resumed.exitCode(), is(0));
      assertThat(
          Parquet.query("SELECT " + PERFORMANCE + " FROM read_parquet('" + restless + "/ads/ad_performance_daily/*/*.parquet') ORDER BY ALL"),
          equalTo(expected));
    }
  }

  @Test
  void tiktokHalvesTheDaysOfAReportItCallsTooLarge() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.tiktokTooLargeAbove(2);
      Launch launch = run(fake, RUN_DATE, "--platforms=tiktok");
      assertThat(launch.err(), launch.exitCode(), is(0));
      List<List<String>> expected = expectedWeek(fake, ADS.subList(0, 2));
      assertThat(query("ad_performance_daily", PERFORMANCE), equalTo(expected));
      // Six days: refused, then 3 + 3 refused, then 2 + 1 + 2 + 1 answered.
      assertThat(fake.calls("tiktok /open_api/v1.3/report/integrated/get/"), is(7));
    }
  }

  @Test
  void googleSearchFollowsPageTokensWithTheSameQueryAndStartsAgainWhenATokenExpires() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.googlePageRows(3);
      fake.googleExpireNextPageTokens(1);
      Launch launch = run(fake, RUN_DATE, "--googleAdsMethod=search", "--platforms=google_ads", "--googleAdsApiVersion=v22");
      assertThat(launch.err(), launch.exitCode(), is(0));
      assertThat(fake.calls("google v22"), is(6));
      List<List<String>> expected = expectedWeek(fake, ADS.subList(2, 4));
      assertThat(query("ad_performance_daily", PERFORMANCE), equalTo(expected));
      // Ten rows in pages of three: the first page, a follow-up refused as expired, then all four pages again.
      assertThat(expected.size(), is(10));
      assertThat(fake.calls("google search"), is(6));
      assertThat(fake.calls("google searchStream"), is(0));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(0)));
      assertThat(ledger.notes(), hasItem(containsString("google_ads page tokens expired while paging")));
      assertThat(ledger.stages().get("read_google_ads").read(), is(10L));

      Launch unknown = run(fake, RUN_DATE, "--googleAdsMethod=stream");
      assertThat(unknown.exitCode(), is(2));
      assertThat(unknown.err(), containsString("googleAdsMethod"));
      Launch badVersion = run(fake, RUN_DATE, "--googleAdsApiVersion=21");
      assertThat(badVersion.exitCode(), is(2));
      assertThat(badVersion.err(), containsString("invalid option --googleAdsApiVersion: must look like v21"));
    }
  }

  @Test
  void aFailingPlatformsCircuitBreakerStopsItsRemainingSlicesAndSparesTheOthers() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.googleServerErrorNext(1000);
      StringBuilder accounts = new StringBuilder("tiktok:7001");
      for (int i = 0; i < 8; i++) {
        accounts.append(",google_ads:12345678").append(10 + i);
      }
      // One slice at a time, so that how many calls the breaker lets through does not depend on the cores.
      Launch launch = run(fake, RUN_DATE, "--accounts=" + accounts, "--adsMaxRetries=0", "--targetParallelism=1");
      assertThat(launch.exitCode(), is(1));
      assertThat(launch.err(), containsString("google_ads slices could not be extracted"));
      assertThat(launch.err(), containsString("google_ads keeps failing; its circuit breaker is open"));
      // Five failures open the breaker: the other accounts are not asked at all.
      assertThat(fake.calls("google searchStream"), is(5));
      assertThat(query("ad_performance_daily", "DISTINCT platform"), equalTo(List.of(List.of("TIKTOK"))));
    }
  }

  @Test
  void aTiktokAdvertiserTheTokenCannotReachFailsOnlyItsSlicesWithTiktoksReason() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch launch = run(fake, RUN_DATE, "--accounts=tiktok:7001,tiktok:7999");
      assertThat(launch.exitCode(), is(1));
      assertThat(launch.err(), containsString("tiktok slices could not be extracted"));
      List<String> letters = RunOutputs.deadLetters(out.resolve("out"), "ads-daily", RUN_DATE).stream()
          .filter(l -> l.get("stage").asText().equals("read_tiktok")).map(l -> l.get("source").asText() + " " + l.get("error").asText()).toList();
      assertThat(letters, equalTo(List.of("tiktok:7999 2026-05-04..2026-05-09 TikTok code 40002: No permission to operate advertiser 7999.")));
      // 40002 is not retried: one call for each advertiser's info, and nothing after 7999's.
      assertThat(fake.calls("tiktok /open_api/v1.3/advertiser/info/"), is(2));
      assertThat(query("ad_performance_daily", "DISTINCT account_id"), equalTo(List.of(List.of("7001"))));
    }
  }

  @Test
  void metricsSentAsExplicitNullsAreReadAsZeroAndCounted() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.nullConversions("t1");
      Launch launch = run(fake, RUN_DATE, "--platforms=tiktok");
      assertThat(launch.err(), launch.exitCode(), is(0));
      assertThat(Parquet.query("SELECT count(*)::text, sum(conversions)::text, sum(conversion_value)::text FROM read_parquet('"
              + out.resolve("out") + "/ads/ad_performance_daily/*/*.parquet') WHERE ad_id = 't1'"),
          equalTo(List.of(List.of("6", "0.000000", "0.000000"))));
      // Six days of t1, two metrics each.
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(0)));
      assertThat(ledger.notes(), hasItem("ads metric values sent as an explicit null were read as 0 (12)"));
    }
  }

  @Test
  void aRefusedGoogleDeveloperTokenFailsOnlyGoogleAndSaysWhatToCheck() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.googleRevokeDeveloperToken();
      Launch launch = run(fake, RUN_DATE);
      assertThat(launch.exitCode(), is(1));
      assertThat(launch.err(), containsString("google_ads slices could not be extracted"));
      assertThat(RunOutputs.deadLetters(out.resolve("out"), "ads-daily", RUN_DATE).toString(),
          containsString("check the developer token and --googleAdsLoginCustomerId"));
      assertThat(query("ad_performance_daily", "DISTINCT platform"), equalTo(List.of(List.of("TIKTOK"))));
    }
  }

  @Test
  void cadencesChooseTheirDaysAndLookbacksDefaultPerPlatform() {
    AdsOptions options = org.apache.beam.sdk.options.PipelineOptionsFactory.as(AdsOptions.class);
    LocalDate today = LocalDate.of(2026, 5, 10);
    assertThat(AdsDailyPipeline.window(options, Platform.META, today).first(), is(LocalDate.of(2026, 4, 11))); // 28 days before yesterday
    assertThat(AdsDailyPipeline.window(options, Platform.GOOGLE_ADS, today).first(), is(LocalDate.of(2026, 4, 9)));
    assertThat(AdsDailyPipeline.window(options, Platform.TIKTOK, today).first(), is(LocalDate.of(2026, 5, 6)));
    assertThat(AdsDailyPipeline.window(options, Platform.AMAZON_ADS, today).last(), is(LocalDate.of(2026, 5, 9)));
    options.setLookbackDays(1);
    assertThat(AdsDailyPipeline.window(options, Platform.META, today), is(new io.analyticsetl.common.values.DayRange(
        LocalDate.of(2026, 5, 8), LocalDate.of(2026, 5, 9))));
    options.setCadence("hourly");
    assertThat(AdsDailyPipeline.window(options, Platform.META, today), is(new io.analyticsetl.common.values.DayRange(
        LocalDate.of(2026, 5, 9), today)));
    options.setCadence("weekly");
    assertThat(AdsDailyPipeline.window(options, Platform.TIKTOK, today), is(new io.analyticsetl.common.values.DayRange(
        LocalDate.of(2026, 4, 12), LocalDate.of(2026, 5, 9))));
  }

  @Test
  void theHourlyCadenceRefreshesTodayAndYesterday() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch hourly = run(fake, RUN_DATE, "--cadence=hourly", "--accounts=tiktok:7001");
      assertThat(hourly.err(), hourly.exitCode(), is(0));
      assertThat(query("ad_performance_daily", "ad_id, date::text"), equalTo(List.of(
          List.of("t1", "2026-05-09"), List.of("t1", "2026-05-10"), List.of("t2", "2026-05-09"), List.of("t2", "2026-05-10"))));

      // The next hour: today is still filling up, so the slice is asked for again, not replayed.
      int calls = fake.calls("tiktok /open_api/v1.3/report/integrated/get/");
      Launch nextHour = run(fake, RUN_DATE, "--cadence=hourly", "--accounts=tiktok:7001");
      assertThat(nextHour.err(), nextHour.exitCode(), is(0));
      assertThat(fake.calls("tiktok /open_api/v1.3/report/integrated/get/"), greaterThan(calls));
      assertThat(nextHour.err(), not(containsString("resumed from their checkpoint")));
      assertThat(query("ad_performance_daily", "count(*)::text"), equalTo(List.of(List.of("4"))));
    }
  }

  @Test
  void slowDownIsRetriedASpentQuotaStopsOnlyItsAccountAndARerunResumes() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      fake.tiktokRateLimitNext(3);
      fake.tiktokSystemErrorNext(1);
      fake.tiktokMaintenanceNext(1);
      fake.googleTemporarilyExhaustedNext(2);
      fake.googleServerErrorNext(1);
      Launch throttled = run(fake, RUN_DATE);
      assertThat(throttled.err(), throttled.exitCode(), is(0));
      assertThat(query("ad_performance_daily", "count(*)::text"), equalTo(List.of(List.of("20"))));

      LocalDate next = RUN_DATE.plusDays(1);
      fake.googleQuotaSpent(true);
      Launch spent = run(fake, next);
      assertThat(spent.err(), spent.exitCode(), is(0));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(1)));
      assertThat(ledger.notes().toString(), ledger.notes().stream().anyMatch(n -> n.contains("google_ads account 1234567890 stopped")), is(true));
      assertThat(query("ad_performance_daily", "(max(date) FILTER (WHERE platform = 'TIKTOK'))::text").get(0).get(0), is(RUN_DATE.toString()));

      fake.googleQuotaSpent(false);
      int tiktokCalls = fake.calls("tiktok /open_api/v1.3/report/integrated/get/");
      Launch resumed = run(fake, next);
      assertThat(resumed.err(), resumed.exitCode(), is(0));
      assertThat("TikTok's slices came from their checkpoint", fake.calls("tiktok /open_api/v1.3/report/integrated/get/"), is(tiktokCalls));
      assertThat(query("ad_performance_daily", "(max(date) FILTER (WHERE platform = 'GOOGLE_ADS'))::text").get(0).get(0), is(RUN_DATE.toString()));

      fake.tiktokRevokeToken();
      Launch refused = run(fake, next.plusDays(1));
      assertThat(refused.exitCode(), is(1));
      assertThat(refused.err(), containsString("tiktok credentials refused"));
    }
  }

  @Test
  void anAccountStoppedLongerThanItsLookbackCatchesUpOnTheDaysNoCheckpointHolds() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0)); // May 4..9
      fake.googleQuotaSpent(true);
      Launch spent = run(fake, RUN_DATE.plusDays(2)); // May 6..11: Google stops, TikTok lands
      assertThat(spent.err(), spent.exitCode(), is(0));
      fake.googleQuotaSpent(false);

      // Ten days on, the window is May 14..19: Google's days since May 9 and TikTok's since May 11
      // are in no checkpoint, so both catch up on them first.
      LocalDate later = RUN_DATE.plusDays(10);
      Launch caughtUp = run(fake, later);
      assertThat(caughtUp.err(), caughtUp.exitCode(), is(0));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(2)));
      assertThat(ledger.notes(), hasItem("google_ads account 1234567890 catches up from 2026-05-10, the first day no checkpoint holds"));
      assertThat(ledger.notes(), hasItem("tiktok account 7001 catches up from 2026-05-12, the first day no checkpoint holds"));
      String table = "read_parquet('" + out.resolve("out") + "/ads/%s/*/*.parquet')";
      assertThat(
          Parquet.query("SELECT ad_id, min(date)::text, max(date)::text, count(DISTINCT date)::text FROM "
              + table.formatted("ad_performance_daily") + " WHERE ad_id IN ('g1', 't1') GROUP BY 1 ORDER BY 1"),
          equalTo(List.of(List.of("g1", "2026-05-04", "2026-05-19", "16"), List.of("t1", "2026-05-04", "2026-05-19", "16"))));
      assertThat(Parquet.query("SELECT count(*)::text FROM " + table.formatted("account_daily") + " WHERE platform = 'GOOGLE_ADS'"),
          equalTo(List.of(List.of("16"))));

      // Every day is in a checkpoint now: a rerun catches up on nothing and asks Google for nothing.
      int googleCalls = fake.calls("google searchStream");
      Launch rerun = run(fake, later);
      assertThat(rerun.err(), rerun.exitCode(), is(0));
      assertThat(rerun.err(), not(containsString("catches up")));
      assertThat(fake.calls("google searchStream"), is(googleCalls));
    }
  }

  @Test
  void eachDayGetsTheCreativeVersionInEffectThatDay() throws Exception {
    Files.writeString(creatives, String.join("\n",
        "{\"platform\":\"tiktok\",\"ad_id\":\"t1\",\"headline\":\"Save big: the best new deal\",\"start_date\":\"2026-04-01\"}",
        "{\"platform\":\"tiktok\",\"ad_id\":\"t1\",\"headline\":\"New deal\",\"start_date\":\"2026-05-07\"}"));
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      Launch launch = run(fake, RUN_DATE);
      assertThat(launch.err(), launch.exitCode(), is(0));
      // Features as of a day never see a version that started after it.
      String table = "read_parquet('" + out.resolve("out") + "/ads/%s/*/*.parquet')";
      assertThat(Parquet.query("SELECT date::text, headline_words::text FROM " + table.formatted("ad_features_daily")
          + " WHERE ad_id = 't1' ORDER BY ALL"), equalTo(List.of(
          List.of("2026-05-04", "6"), List.of("2026-05-05", "6"), List.of("2026-05-06", "6"),
          List.of("2026-05-07", "2"), List.of("2026-05-08", "2"), List.of("2026-05-09", "2"))));
      assertThat(Parquet.query("SELECT DISTINCT headline FROM " + table.formatted("ad_performance_daily")
              + " WHERE ad_id = 't1' AND date < '2026-05-07'"),
          equalTo(List.of(List.of("Save big: the best new deal"))));
    }
  }

  @Test
  void theQualityReportFlagsSeededProblemsAndPassesCleanData() throws Exception {
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ADS)) {
      assertThat(run(fake, RUN_DATE).exitCode(), is(0));
      assertThat(query("ad_quality_report", "platform, dimension, metric").size(), is(2 * 12));
      assertThat(query("ad_quality_report", "(count(*) FILTER (WHERE NOT passed))::text"), equalTo(List.of(List.of("0"))));
      // Without a creatives export nothing fills headline and landing page: measured, not judged.
      Launch bare = Launch.of(Stream.of(args(fake, RUN_DATE, "--outputRoot=" + out.resolve("bare")))
          .filter(arg -> !arg.startsWith("--internalCreativesPath=")).toArray(String[]::new));
      assertThat(bare.err(), bare.exitCode(), is(0));
      assertThat(Parquet.query("SELECT metric, passed::text FROM read_parquet('" + out.resolve("bare")
              + "/ads/ad_quality_report/*/*.parquet') WHERE NOT passed OR metric = 'null_rate:headline' ORDER BY ALL"),
          equalTo(List.of(List.of("null_rate:headline", "true"), List.of("null_rate:headline", "true"))));
    }
    Files.writeString(creatives, "{\"platform\":\"tiktok\",\"ad_id\":\"t1\",\"headline\":\"only one creative\"}\n");
    List<Ad> stale = new ArrayList<>(ADS.subList(2, 4));
    stale.add(new Ad("tiktok", "7001", "t1", "tg1", "1714125042508817", LocalDate.of(2026, 4, 1), LocalDate.of(2026, 5, 5)));
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(stale)) {
      fake.duplicateRow("g1");
      fake.clicksAboveImpressions("g2");
      assertThat(run(fake, RUN_DATE.plusDays(1)).exitCode(), is(0));
      List<List<String>> failed =
          Parquet.query("SELECT platform, dimension, metric FROM read_parquet('" + out.resolve("out")
              + "/ads/ad_quality_report/dt=" + RUN_DATE.plusDays(1) + "/*.parquet') WHERE NOT passed ORDER BY ALL");
      assertThat(failed.toString(), failed.contains(List.of("GOOGLE_ADS", "completeness", "null_rate:headline")), is(true));
      assertThat(failed.toString(), failed.contains(List.of("GOOGLE_ADS", "consistency", "clicks_above_impressions")), is(true));
      assertThat(failed.toString(), failed.contains(List.of("GOOGLE_ADS", "uniqueness", "duplicate_natural_keys")), is(true));
      assertThat(failed.toString(), failed.contains(List.of("TIKTOK", "timeliness", "days_behind_yesterday")), is(true));
      String html = Files.readString(out.resolve("out/_reports/ads-quality/" + RUN_DATE.plusDays(1) + ".html"));
      assertThat(html, containsString("checks failed"));
      RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(out.resolve("out"), "ads-daily").get(1)));
      assertThat(ledger.notes(), hasItem(containsString("quality check failed: GOOGLE_ADS consistency clicks_above_impressions")));

      // With the gate on, the same data fails the run once everything is written.
      Launch gated = run(fake, RUN_DATE.plusDays(1), "--failOnQualityIssues=true", "--outputRoot=" + out.resolve("gated"));
      assertThat(gated.exitCode(), is(1));
      assertThat(gated.err(), containsString("ad quality checks failed"));
      assertThat(Files.exists(out.resolve("gated/_reports/ads-quality/" + RUN_DATE.plusDays(1) + ".html")), is(true));

      // Google's quota is spent: it delivers nothing at all, and the report still names it as stale.
      fake.googleQuotaSpent(true);
      Launch spent = run(fake, RUN_DATE.plusDays(1), "--platforms=google_ads", "--outputRoot=" + out.resolve("spent"));
      assertThat(spent.err(), spent.exitCode(), is(0));
      assertThat(
          Parquet.query("SELECT platform, passed::text, detail FROM read_parquet('" + out.resolve("spent")
              + "/ads/ad_quality_report/*/*.parquet') WHERE metric = 'days_behind_yesterday'"),
          equalTo(List.of(List.of("GOOGLE_ADS", "false", "no rows"))));
    }
  }
}
