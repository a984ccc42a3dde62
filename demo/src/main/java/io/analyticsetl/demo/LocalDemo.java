package io.analyticsetl.demo;

import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.run.RunSummary;
import io.analyticsetl.pipelines.Main;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.acmeshop.AcmeshopSeed;
import io.analyticsetl.testkit.ads.FakeAdPlatforms;
import io.analyticsetl.testkit.appstore.AscKey;
import io.analyticsetl.testkit.appstore.FakeAppStoreConnect;
import java.util.LinkedHashMap;
import java.util.Map;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ./run-local.sh}: starts local stand-ins for the sources (an embedded PostgreSQL seeded with
 * generated data), runs every pipeline on the DirectRunner, writes Parquet under {@code ./out} and
 * prints a summary table read back from the run ledgers.
 */
public final class LocalDemo {

  private static final long SEED = 20260301L;
  private static final long[] APP_IDS = {1506886061L, 1234567890L, 987654321L, 1122334455L, 1600000001L};

  private LocalDemo() {}

  public static void main(String[] args) throws IOException {
    Path out = Paths.get(args.length > 0 ? args[0] : "out").toAbsolutePath().normalize();
    LocalDate runDate = LocalDate.now(ZoneOffset.UTC);
    PrintStream console = System.out;

    deleteRecursively(out);
    console.println("Starting an embedded PostgreSQL and seeding ecommerce data (seed " + SEED + ") ...");
    String ecommerceDb = LocalPostgres.newDatabase("ecommerce_demo");
    EcommerceSeed.createTables(ecommerceDb, "ecommerce");
    new EcommerceSeed(SEED, runDate).seed(ecommerceDb, "ecommerce", EcommerceSeed.Size.demo(), 1);

    console.println("Seeding the shop's acmeshop database in both layouts (v2 and legacy v1) ...");
    AcmeshopSeed shop = new AcmeshopSeed(SEED, runDate, AcmeshopSeed.Size.demo());
    String acmeshopV2 = LocalPostgres.newDatabase("acmeshop_v2_demo");
    shop.writeV2(acmeshopV2, "acmeshop");
    String acmeshopV1 = LocalPostgres.newDatabase("acmeshop_v1_demo");
    shop.writeV1(acmeshopV1, "acmeshop");

    console.println("Starting the local fake App Store Connect (5 apps) ...");
    Path keyFile = Paths.get(System.getenv().getOrDefault("ASC_P8_PATH", "demo/target/asc-demo/AuthKey.p8"));
    AscKey key = AscKey.generate(keyFile.getParent());
    Map<Long, String> apps = new LinkedHashMap<>();
    for (long app : APP_IDS) {
      apps.put(app, "Demo App " + app);
    }
    FakeAppStoreConnect appStore = FakeAppStoreConnect.start(key.issuerId(), key.keyId(), key.publicKey(), apps, runDate, 40);
    String appIds = String.join(",", java.util.Arrays.stream(APP_IDS).mapToObj(String::valueOf).toList());

    console.println("Starting the local fake Meta, Google Ads, TikTok and Amazon Ads APIs (4 accounts, 24 ads) ...");
    FakeAdPlatforms adPlatforms = FakeAdPlatforms.start(demoAds(runDate));
    Path creatives = out.resolve("ads-input/creatives.jsonl");
    writeCreatives(creatives, demoAds(runDate));

    List<String[]> runs = new ArrayList<>();
    // Two months of App Store data (the older instances, past Apple's 35 days, from a one-time
    // snapshot), then the daily run, a replay of the raw zone, and the checks.
    String[] appstore = {"--appIds=" + appIds, "--ascBaseUrl=" + appStore.baseUrl(), "--outputRoot=" + out, "--runDate=" + runDate};
    runs.add(concat(new String[] {"appstore-backfill", "--days=60"}, appstore));
    runs.add(concat(new String[] {"appstore-daily"}, appstore));
    runs.add(concat(new String[] {"appstore-curate", "--startDate=" + runDate.minusDays(60)}, appstore));
    runs.add(concat(new String[] {"appstore-verify", "--startDate=" + runDate.minusDays(60)}, appstore));
    // A first run a week ago, then today's: the second only adds the days since.
    runs.add(args("ecommerce-integration-usage", ecommerceDb, out, runDate.minusDays(7)));
    runs.add(args("ecommerce-integration-usage", ecommerceDb, out, runDate));
    runs.add(args("ecommerce-sending-stats", ecommerceDb, out, runDate));
    // The last 30 days of shop analytics; the legacy layout goes to its own folder to compare.
    runs.add(
        concat(
            args("acmeshop-analytics", acmeshopV2, out, runDate),
            "--startDate=" + runDate.minusDays(30),
            "--sourceSchemaVersion=v2"));
    runs.add(
        concat(
            args("acmeshop-analytics", acmeshopV1, out.resolve("acmeshop-v1-layout"), runDate),
            "--startDate=" + runDate.minusDays(30),
            "--sourceSchemaVersion=v1"));

    // Five weeks of ad history (enough for 28-day features and training labels), then today's
    // daily run, whose lookback re-pulls restated figures.
    String[] ads = {"ads-daily", "--accounts=meta:act_1234567,google_ads:1234567890,tiktok:7001,amazon_ads:3456789012",
        "--internalCreativesPath=" + creatives, "--metaBaseUrl=" + adPlatforms.metaBaseUrl(),
        "--googleAdsBaseUrl=" + adPlatforms.googleAdsBaseUrl(), "--googleAdsAuthUrl=" + adPlatforms.googleAuthUrl(),
        "--tiktokBaseUrl=" + adPlatforms.tiktokBaseUrl(), "--amazonAdsBaseUrl=" + adPlatforms.amazonAdsBaseUrl(),
        "--amazonAuthUrl=" + adPlatforms.amazonAuthUrl(), "--adsReportPollMillis=200", "--outputRoot=" + out};
    runs.add(concat(ads, "--runDate=" + runDate.minusDays(1), "--lookbackDays=35"));
    runs.add(concat(ads, "--runDate=" + runDate));

    int failures = 0;
    for (String[] run : runs) {
      console.println("\n$ " + String.join(" ", run));
      int code = Main.run(run, console, System.err);
      if (code != 0) {
        failures++;
      }
    }
    appStore.close();
    adPlatforms.close();
    printSummary(console, out);
    console.println();
    console.println("Parquet output:  " + out);
    console.println("App Store:       " + out.resolve("appstore") + " (raw zone and curated tables)");
    console.println("Verification:    " + out.resolve("_reports/appstore-verify/" + runDate + ".html"));
    console.println("Ads quality:     " + out.resolve("_reports/ads-quality/" + runDate + ".html"));
    console.println("Legacy layout:   " + out.resolve("acmeshop-v1-layout") + " (acmeshop from the v1 tables)");
    console.println("Dead letters:    " + out.resolve("_dead_letter"));
    console.println("Run ledgers:     " + out.resolve("_runs"));
    console.println("Query it, e.g. with DuckDB:");
    console.println(
        "  SELECT day, sum(orders_count) FROM read_parquet('"
            + out
            + "/ecommerce/integration_usage_daily/*/*.parquet') GROUP BY day ORDER BY day DESC LIMIT 7;");
    System.exit(failures == 0 ? 0 : 1);
  }

  /** Six ads per platform, some started or stopped within the last weeks. */
  private static List<FakeAdPlatforms.Ad> demoAds(LocalDate runDate) {
    List<FakeAdPlatforms.Ad> ads = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      LocalDate first = runDate.minusDays(10L * i);
      LocalDate last = i % 3 == 0 ? runDate.minusDays(5) : runDate.plusDays(30);
      ads.add(new FakeAdPlatforms.Ad("meta", "1234567", "238500" + i, "238510" + (i % 2), "2385200", first, last));
      ads.add(new FakeAdPlatforms.Ad("google_ads", "1234567890", "55" + i, "ag" + (i % 2), "c" + (i % 3), first, last));
      ads.add(new FakeAdPlatforms.Ad("tiktok", "7001", "17" + i, "tg" + (i % 2), "1714125042508817", first, last));
      ads.add(new FakeAdPlatforms.Ad("amazon_ads", "3456789012", "30100000000000" + i, "7232088286150" + (i % 2), "158410630682987",
          first, last));
    }
    return ads;
  }

  /** The internal creatives export: one JSON line per ad. */
  private static void writeCreatives(Path file, List<FakeAdPlatforms.Ad> ads) throws IOException {
    String[] headlines = {"Save big on the best new shoes", "Free fast delivery this week", "Never pay too much again",
        "Top picks for a happy home", "Exclusive bonus for new members", "Our slow season sale"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < ads.size(); i++) {
      FakeAdPlatforms.Ad ad = ads.get(i);
      lines.add(Json.MAPPER.createObjectNode()
          .put("platform", ad.platform()).put("ad_id", ad.adId()).put("headline", headlines[i % headlines.length])
          .put("description", "Demo creative " + ad.adId()).put("call_to_action", i % 2 == 0 ? "Shop now" : null)
          .put("landing_page_url", "https://shop.example.com/" + ad.adId())
          .put("start_date", ad.firstDay().toString()).put("end_date", ad.lastDay().toString()).toString());
    }
    Files.createDirectories(file.getParent());
    Files.write(file, lines);
  }

  private static String[] args(String pipeline, String jdbcUrl, Path out, LocalDate runDate) {
    return new String[] {
      pipeline, "--sourceJdbcUrl=" + jdbcUrl, "--outputRoot=" + out, "--runDate=" + runDate
    };
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }

  /** One line per run, from the ledgers the runs wrote. */
  private static void printSummary(PrintStream console, Path out) throws IOException {
    List<RunLedger> ledgers = new ArrayList<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(f -> f.getParent().getParent().getFileName().toString().equals("_runs")
          && f.toString().endsWith(".json")).toList()) {
        ledgers.add(RunLedger.fromJson(Files.readString(file)));
      }
    }
    ledgers.sort(Comparator.comparing(RunLedger::runId));
    String format = "%-30s %-10s %-10s %10s %10s %14s %8s%n";
    console.println();
    console.printf(format, "pipeline", "run date", "status", "rows read", "written", "dead-lettered", "seconds");
    for (RunLedger ledger : ledgers) {
      console.printf(
          format,
          ledger.pipeline(),
          ledger.runDate(),
          ledger.status(),
          RunSummary.rowsRead(ledger),
          RunSummary.rowsWritten(ledger),
          RunSummary.rowsDeadLettered(ledger),
          String.format("%.1f", ledger.seconds()));
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
