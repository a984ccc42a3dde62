package io.analyticsetl.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.acmeshop.AcmeshopSeed;
import io.analyticsetl.testkit.ads.FakeAdPlatforms;
import io.analyticsetl.testkit.appstore.AppleReportFiles;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every domain's pipelines on Flink's embedded mini-cluster produce exactly the DirectRunner's rows. */
class FlinkRunnerTest {

  private static final LocalDate RUN_DATE = LocalDate.of(2026, 4, 15);

  @TempDir Path temp;

  @Test
  void acmeshopOnFlinkLocalEqualsTheDirectRunner() throws Exception {
    String source = LocalPostgres.newDatabase("flink_acme");
    new AcmeshopSeed(13, RUN_DATE, AcmeshopSeed.Size.small()).writeV2(source, "acmeshop");
    String[] common = {
      "acmeshop-analytics", "--sourceJdbcUrl=" + source, "--runDate=" + RUN_DATE, "--startDate=" + RUN_DATE.minusDays(20)
    };
    Launch direct = Launch.of(concat(common, "--outputRoot=" + temp.resolve("direct")));
    assertThat(direct.err(), direct.exitCode(), is(0));
    Launch flink =
        Launch.of(concat(common, "--outputRoot=" + temp.resolve("flink"), "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
    assertThat(flink.err(), flink.exitCode(), is(0));
    for (var dataset : new io.analyticsetl.pipelines.acmeshop.AcmeshopPipeline().datasets()) {
      String path = "acmeshop/" + dataset.name() + (dataset.partitionKeys().isEmpty() ? "" : "/*");
      List<List<String>> expected = table(temp.resolve("direct"), path);
      assertThat(dataset.name(), expected.isEmpty(), is(false));
      assertThat(dataset.name(), table(temp.resolve("flink"), path), equalTo(expected));
    }
  }

  @Test
  void appstoreCurationOnFlinkLocalEqualsTheDirectRunner() throws Exception {
    Path raw = temp.resolve("raw");
    for (AppleReportFiles.Report report : AppleReportFiles.Report.values()) {
      for (long app : new long[] {11L, 22L}) {
        for (int p = 0; p < 6; p++) {
          LocalDate processing = RUN_DATE.minusDays(p);
          AppleReportFiles.writeRaw(raw, report, app, processing, "i" + p, "0",
              AppleReportFiles.segment(report, app, processing, AppleReportFiles.metricDays(report, processing), 5,
                  AppleReportFiles.Variant.PLAIN));
        }
      }
    }
    String[] common = {
      "appstore-curate", "--rawRoot=" + raw, "--runDate=" + RUN_DATE.plusDays(1), "--startDate=" + RUN_DATE.minusDays(14)
    };
    Launch direct = Launch.of(concat(common, "--outputRoot=" + temp.resolve("direct")));
    assertThat(direct.err(), direct.exitCode(), is(0));
    Launch flink =
        Launch.of(concat(common, "--outputRoot=" + temp.resolve("flink"), "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
    assertThat(flink.err(), flink.exitCode(), is(0));
    for (AppleReportFiles.Report report : AppleReportFiles.Report.values()) {
      String path = "appstore/curated/" + report.key + "/*/*";
      List<List<String>> expected = table(temp.resolve("direct"), path);
      assertThat(report.key, expected.isEmpty(), is(false));
      assertThat(report.key, table(temp.resolve("flink"), path), equalTo(expected));
    }
  }

  @Test
  void ecommerceOnFlinkLocalEqualsTheDirectRunner() throws Exception {
    String source = LocalPostgres.newDatabase("flink_source");
    EcommerceSeed.createTables(source, "ecommerce");
    new EcommerceSeed(11, RUN_DATE).seed(source, "ecommerce", EcommerceSeed.Size.small(), 1);

    for (String pipeline : List.of("ecommerce-integration-usage", "ecommerce-sending-stats")) {
      String[] common = {pipeline, "--sourceJdbcUrl=" + source, "--runDate=" + RUN_DATE};
      Launch direct = Launch.of(concat(common, "--outputRoot=" + temp.resolve("direct")));
      assertThat(direct.err(), direct.exitCode(), is(0));
      Launch flink =
          Launch.of(
              concat(common, "--outputRoot=" + temp.resolve("flink"), "--runner=FlinkRunner",
                  "--flinkMaster=[local]", "--parallelism=2", "--progressIntervalSeconds=1"));
      assertThat(flink.err(), flink.exitCode(), is(0));
      assertThat("a progress line while Flink runs", flink.err(), containsString(pipeline + ": running "));
    }

    for (String dataset : List.of("integration_usage_daily/*", "sending_stats_30d")) {
      assertThat(
          dataset,
          rows(temp.resolve("flink"), dataset),
          equalTo(rows(temp.resolve("direct"), dataset)));
    }
    assertThat(rows(temp.resolve("direct"), "integration_usage_daily/*").size() > 100, is(true));

    try (Stream<Path> ledgers = Files.walk(temp.resolve("flink").resolve("_runs"))) {
      for (Path file : ledgers.filter(p -> p.toString().endsWith(".json")).toList()) {
        RunLedger ledger = RunLedger.fromJson(Files.readString(file));
        assertThat(ledger.runner(), is("FlinkRunner"));
        assertThat(ledger.balanced(), is(true));
        assertThat(ledger.stages().isEmpty(), is(false));
      }
    }
  }

  @Test
  void adsOnFlinkLocalEqualsTheDirectRunner() throws Exception {
    List<FakeAdPlatforms.Ad> ads = new java.util.ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      LocalDate first = RUN_DATE.minusDays(9L * i);
      ads.add(new FakeAdPlatforms.Ad("meta", "1234567", "2385000" + i, "23851", "23852", first, RUN_DATE.plusDays(5)));
      ads.add(new FakeAdPlatforms.Ad("google_ads", "1234567890", "55" + i, "ag1", "c1", first, RUN_DATE.minusDays(3L * i)));
      ads.add(new FakeAdPlatforms.Ad("tiktok", "7001", "17" + i, "tg1", "1714125042508817", first, RUN_DATE.plusDays(5)));
      ads.add(new FakeAdPlatforms.Ad("amazon_ads", "3456789012", "30100000000000" + i, "72320882861500", "158410630682987", first,
          RUN_DATE.plusDays(5)));
    }
    try (FakeAdPlatforms fake = FakeAdPlatforms.start(ads)) {
      String[] common = {
        "ads-daily", "--accounts=meta:act_1234567,google_ads:1234567890,tiktok:7001,amazon_ads:3456789012",
        "--runDate=" + RUN_DATE, "--lookbackDays=20", "--adsReportPollMillis=10",
        "--metaBaseUrl=" + fake.metaBaseUrl(), "--googleAdsBaseUrl=" + fake.googleAdsBaseUrl(), "--googleAdsAuthUrl=" + fake.googleAuthUrl(),
        "--tiktokBaseUrl=" + fake.tiktokBaseUrl(), "--amazonAdsBaseUrl=" + fake.amazonAdsBaseUrl(), "--amazonAuthUrl=" + fake.amazonAuthUrl()
      };
      Launch direct = Launch.of(concat(common, "--outputRoot=" + temp.resolve("direct")));
      assertThat(direct.err(), direct.exitCode(), is(0));
      Launch flink =
          Launch.of(concat(common, "--outputRoot=" + temp.resolve("flink"), "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
      assertThat(flink.err(), flink.exitCode(), is(0));
    }
    for (var dataset : new io.analyticsetl.pipelines.ads.AdsDailyPipeline().datasets()) {
      // What differs between two runs by design: when they extracted, the platforms' request ids, the run's id.
      String select = "SELECT COLUMNS(c -> c NOT IN ('filename', 'extracted_at', 'request_id', 'run_id')) FROM read_parquet('%s/ads/"
          + dataset.name() + "/*/*.parquet', filename = true) ORDER BY ALL";
      List<List<String>> expected = Parquet.query(select.formatted(temp.resolve("direct")));
      assertThat(dataset.name(), expected.isEmpty(), is(false));
      assertThat(dataset.name(), Parquet.query(select.formatted(temp.resolve("flink"))), equalTo(expected));
    }
  }

  private static List<List<String>> rows(Path root, String dataset) {
    return table(root, "ecommerce/" + dataset);
  }

  private static List<List<String>> table(Path root, String path) {
    return Parquet.query(
        "SELECT * EXCLUDE (filename) FROM read_parquet('" + root + "/" + path + "/*.parquet', filename = true)"
            + " ORDER BY ALL");
  }

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }
}
