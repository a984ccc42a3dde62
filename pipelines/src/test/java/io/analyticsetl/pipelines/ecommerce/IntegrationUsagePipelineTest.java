package io.analyticsetl.pipelines.ecommerce;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrationUsagePipelineTest {

  private static final String PIPELINE = "ecommerce-integration-usage";

  @TempDir Path out;

  /** The contract's definition, computed by PostgreSQL alone. */
  private static List<List<String>> expected(String url, LocalDate runDate) {
    String lastDay = "DATE '" + runDate.minusDays(1) + "'";
    return Sql.query(
        url,
        "WITH shops AS ("
            + " SELECT id, account_id, platform, created_at,"
            + "   (created_at AT TIME ZONE 'UTC')::date AS first_day,"
            + "   LEAST(" + lastDay + ", COALESCE((deleted_at AT TIME ZONE 'UTC')::date, " + lastDay + ")) AS last_day"
            + " FROM ecommerce.ecommerce_shops WHERE deleted_at IS NULL OR deleted_at >= created_at),"
            + " days AS (SELECT s.*, d::date AS day FROM shops s,"
            + "   generate_series(s.first_day, s.last_day, interval '1 day') d)"
            + " SELECT d.id::text, d.account_id::text, d.platform,"
            + "   to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), d.day::text, count(o.id)::text"
            + " FROM days d LEFT JOIN ecommerce.orders o"
            + "   ON o.shop_id = d.id AND (o.created_at AT TIME ZONE 'UTC')::date = d.day"
            + " GROUP BY d.id, d.account_id, d.platform, d.created_at, d.day ORDER BY d.id, d.day");
  }

  private List<List<String>> output() {
    return Parquet.query(
        "SELECT shop_id::text, account_id::text, platform,"
            + " strftime(integration_created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f'), day::text, orders_count::text"
            + " FROM read_parquet('" + out + "/ecommerce/integration_usage_daily/*/*.parquet')"
            + " ORDER BY shop_id, day");
  }

  private static String[] args(String url, Path out, LocalDate runDate, String... more) {
    return Stream.concat(
            Stream.of(
                PIPELINE,
                "--sourceJdbcUrl=" + url,
                "--outputRoot=" + out,
                "--runDate=" + runDate),
            Stream.of(more))
        .toArray(String[]::new);
  }

  @Test
  void equalsAnIndependentSqlComputationOnGeneratedShopsAndIsIncremental() throws IOException {
    long seed = System.nanoTime();
    System.err.println("IntegrationUsagePipelineTest seed " + seed);
    LocalDate runDate = LocalDate.of(2026, 3, 1).plusDays(seed % 300);
    String url = LocalPostgres.newDatabase("usage");
    EcommerceSeed.createTables(url, "ecommerce");
    new EcommerceSeed(seed, runDate).seed(url, "ecommerce", EcommerceSeed.Size.small(), 1);

    // First run: everything up to runDate - 10.
    LocalDate earlier = runDate.minusDays(9);
    assertThat(Launch.of(args(url, out, earlier)).exitCode(), is(0));
    assertThat("seed " + seed, output(), equalTo(expected(url, earlier)));

    // A later run date adds only the new days; the earlier files are untouched.
    List<Path> firstFiles = RunOutputs.parquetFiles(out);
    assertThat(Launch.of(args(url, out, runDate)).exitCode(), is(0));
    List<List<String>> complete = expected(url, runDate);
    assertThat("seed " + seed, output(), equalTo(complete));
    assertThat(RunOutputs.parquetFiles(out).containsAll(firstFiles), is(true));

    // Rerunning the same run date changes nothing: same rows, same files.
    List<Path> files = RunOutputs.parquetFiles(out);
    assertThat(Launch.of(args(url, out, runDate)).exitCode(), is(0));
    assertThat(output(), equalTo(complete));
    assertThat(RunOutputs.parquetFiles(out), equalTo(files));
    files = RunOutputs.parquetFiles(out);

    // A shop whose row arrives late (created five days ago) gets its days; the other shops' rows
    // of those days stay.
    Sql.execute(
        url,
        "INSERT INTO ecommerce.ecommerce_shops VALUES (9000000, 1, 'shopify', TIMESTAMPTZ '"
            + runDate.minusDays(5) + " 13:00:00+00', NULL)",
        "INSERT INTO ecommerce.orders VALUES (9000000, 9000000, TIMESTAMPTZ '" + runDate.minusDays(3) + " 08:00:00+00')");
    assertThat(Launch.of(args(url, out, runDate)).exitCode(), is(0));
    complete = expected(url, runDate);
    assertThat("seed " + seed, output(), equalTo(complete));

    // --startDate reprocesses from that day: rows replaced, never duplicated.
    Launch reprocess = Launch.of(args(url, out, runDate, "--startDate=" + runDate.minusDays(40)));
    assertThat(reprocess.exitCode(), is(0));
    assertThat(output(), equalTo(complete));
    assertThat(RunOutputs.parquetFiles(out), not(equalTo(files)));

    // The bad shop rows (deleted before created) are dead letters with the failed rule, once per run.
    long badShops =
        Long.parseLong(
            Sql.query(url, "SELECT count(*) FROM ecommerce.ecommerce_shops WHERE deleted_at < created_at")
                .get(0)
                .get(0));
    List<JsonNode> deadLetters = RunOutputs.deadLetters(out, PIPELINE, runDate);
    assertThat(deadLetters, hasSize((int) (4 * badShops)));
    for (JsonNode letter : deadLetters) {
      assertThat(letter.get("pipeline").asText(), is(PIPELINE));
      assertThat(letter.get("stage").asText(), is("read_shops"));
      assertThat(letter.get("error").asText(), containsString("deleted_at >= created_at"));
      assertThat(letter.get("record").asText(), containsString("\"id\""));
    }
  }

  @Test
  void handlesTheEdgeCasesOfTheContractExactly() {
    String url = LocalPostgres.newDatabase("usage_edges");
    EcommerceSeed.createTables(url, "ecommerce");
    Sql.execute(
        url,
        "INSERT INTO ecommerce.ecommerce_shops VALUES"
            // created late on Feb 26 UTC, written with a +05:00 offset as Feb 27 03:30
            + " (1, 10, 'shopify', '2026-02-27 03:30:00+05:00', NULL),"
            // deleted on Feb 27 UTC: its last day is Feb 27
            + " (2, 10, 'magento', '2026-02-25 12:00:00+00', '2026-02-27 23:59:59+00'),"
            // created on the run date: no rows yet
            + " (3, 11, 'woocommerce', '2026-03-01 00:00:00+00', NULL),"
            // no orders at all
            + " (4, 11, 'prestashop', '2026-02-27 00:00:00+00', NULL),"
            // deleted before it was created: a dead letter
            + " (5, 12, 'shopify', '2026-02-20 00:00:00+00', '2026-02-19 00:00:00+00')",
        "INSERT INTO ecommerce.orders VALUES"
            + " (100, 1, '2026-02-26 23:59:59.999999+00'),"
            + " (101, 1, '2026-02-27 00:00:00+00'),"
            + " (102, 1, '2026-02-27 01:00:00+02:00'),"   // Feb 26 23:00 UTC
            + " (103, 1, '2026-02-28 23:30:00-01:00'),"   // Mar 1 00:30 UTC: after the last day
            + " (104, 2, '2026-02-27 10:00:00+00'),"
            + " (105, 2, '2026-02-28 10:00:00+00'),"      // after deletion
            + " (106, 99, '2026-02-27 10:00:00+00')");    // unknown shop
    Launch launch = Launch.of(args(url, out, LocalDate.of(2026, 3, 1)));
    assertThat(launch.err(), launch.exitCode(), is(0));
    assertThat(
        output(),
        contains(
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-26", "2"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-27", "1"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-28", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-25", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-26", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-27", "1"),
            List.of("4", "11", "prestashop", "2026-02-27 00:00:00.000000", "2026-02-27", "0"),
            List.of("4", "11", "prestashop", "2026-02-27 00:00:00.000000", "2026-02-28", "0")));

    JsonNode ledger = RunOutputs.onlyLedger(out);
    assertThat(ledger.get("status").asText(), is("SUCCEEDED"));
    assertThat(ledger.get("balanced").asBoolean(), is(true));
    JsonNode shops = ledger.get("stages").get("read_shops");
    assertThat(shops.get("read").asLong(), is(5L));
    assertThat(shops.get("dead_lettered").asLong(), is(1L));
    JsonNode plan = ledger.get("stages").get("plan_shops");
    assertThat(plan.get("filtered").get("shop created on or after the run date").asLong(), is(1L));
    assertThat(ledger.get("stages").get("write_integration_usage_daily").get("written").asLong(), is(8L));
    // Orders 105 (after shop 2's deletion) and 106 (no such shop) are not counted, and said so;
    // 103 falls on the run date, which no run has written yet.
    assertThat(ledger.get("notes").toString(), containsString(
        "1 order(s) of the days written belong to no shop in ecommerce.ecommerce_shops: not counted"));
    assertThat(ledger.get("notes").toString(), containsString(
        "1 order(s) of the days written fall before their shop's creation day or after its deletion day: not counted"));

    List<JsonNode> deadLetters = RunOutputs.deadLetters(out, PIPELINE, LocalDate.of(2026, 3, 1));
    assertThat(deadLetters, hasSize(1));
    assertThat(deadLetters.get(0).get("source").asText(), is("ecommerce.ecommerce_shops"));
    assertThat(deadLetters.get(0).get("error").asText(), containsString("deleted_at >= created_at"));

    // Shop 4's deletion on Feb 27 is recorded only after its Feb 28 row was written: the next run
    // rewrites Feb 28 without it, as well as adding Mar 1.
    Sql.execute(url, "UPDATE ecommerce.ecommerce_shops SET deleted_at = '2026-02-27 18:00:00+00' WHERE id = 4");
    Launch next = Launch.of(args(url, out, LocalDate.of(2026, 3, 2)));
    assertThat(next.err(), next.exitCode(), is(0));
    assertThat(
        output(),
        contains(
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-26", "2"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-27", "1"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-28", "0"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-03-01", "1"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-25", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-26", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-27", "1"),
            List.of("3", "11", "woocommerce", "2026-03-01 00:00:00.000000", "2026-03-01", "0"),
            List.of("4", "11", "prestashop", "2026-02-27 00:00:00.000000", "2026-02-27", "0")));

    // Shop 1's deletion on Feb 27 is recorded late too, and it was Feb 28's only shop: that day is
    // emptied, not left with shop 1's row, and once it is, a rerun has nothing to rewrite.
    Sql.execute(url, "UPDATE ecommerce.ecommerce_shops SET deleted_at = '2026-02-27 20:00:00+00' WHERE id = 1");
    Launch third = Launch.of(args(url, out, LocalDate.of(2026, 3, 3)));
    assertThat(third.err(), third.exitCode(), is(0));
    assertThat(
        output(),
        contains(
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-26", "2"),
            List.of("1", "10", "shopify", "2026-02-26 22:30:00.000000", "2026-02-27", "1"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-25", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-26", "0"),
            List.of("2", "10", "magento", "2026-02-25 12:00:00.000000", "2026-02-27", "1"),
            List.of("3", "11", "woocommerce", "2026-03-01 00:00:00.000000", "2026-03-01", "0"),
            List.of("3", "11", "woocommerce", "2026-03-01 00:00:00.000000", "2026-03-02", "0"),
            List.of("4", "11", "prestashop", "2026-02-27 00:00:00.000000", "2026-02-27", "0")));
    Launch rerun = Launch.of(args(url, out, LocalDate.of(2026, 3, 3)));
    assertThat(rerun.err(), rerun.exitCode(), is(0));
    JsonNode rerunPlan = RunOutputs.ledgers(out, PIPELINE).get(3).get("stages").get("plan_shops");
    assertThat(rerunPlan.toString(), rerunPlan.get("filtered").get("every shop already processed through runDate - 1").asLong(), is(4L));
  }

  @Test
  void aDayLeftWithoutAnyShopIsEmptiedInADatabaseSinkToo() {
    String url = LocalPostgres.newDatabase("usage_emptied");
    String target = LocalPostgres.newDatabase("usage_emptied_target");
    EcommerceSeed.createTables(url, "ecommerce");
    Sql.execute(
        url,
        "INSERT INTO ecommerce.ecommerce_shops VALUES"
            + " (1, 10, 'shopify', '2026-02-26 10:00:00+00', NULL),"
            + " (2, 10, 'magento', '2026-02-25 12:00:00+00', '2026-02-26 12:00:00+00')",
        "INSERT INTO ecommerce.orders VALUES (100, 1, '2026-02-27 10:00:00+00')");
    String table = "SELECT shop_id::text, day::text, orders_count::text FROM ecommerce.integration_usage_daily ORDER BY 1, 2";
    Launch first = Launch.of(args(url, out, LocalDate.of(2026, 3, 1), "--sink=jdbc", "--targetJdbcUrl=" + target));
    assertThat(first.err(), first.exitCode(), is(0));
    assertThat(Sql.query(target, table), contains(
        List.of("1", "2026-02-26", "0"), List.of("1", "2026-02-27", "1"), List.of("1", "2026-02-28", "0"),
        List.of("2", "2026-02-25", "0"), List.of("2", "2026-02-26", "0")));

    // Shop 1's deletion on Feb 27 is recorded late; it was Feb 28's only shop: the day is emptied.
    Sql.execute(url, "UPDATE ecommerce.ecommerce_shops SET deleted_at = '2026-02-27 20:00:00+00' WHERE id = 1");
    Launch next = Launch.of(args(url, out, LocalDate.of(2026, 3, 2), "--sink=jdbc", "--targetJdbcUrl=" + target));
    assertThat(next.err(), next.exitCode(), is(0));
    assertThat(Sql.query(target, table), contains(
        List.of("1", "2026-02-26", "0"), List.of("1", "2026-02-27", "1"),
        List.of("2", "2026-02-25", "0"), List.of("2", "2026-02-26", "0")));
  }

  @Test
  void anUnreachableDatabaseExitsOneWithACauseNamingIt() {
    Launch launch =
        Launch.of(args("jdbc:postgresql://127.0.0.1:1/shop?password=hunter2", out, LocalDate.of(2026, 3, 1)));
    assertThat(launch.exitCode(), is(1));
    assertThat(launch.err(), containsString("source database jdbc:postgresql://127.0.0.1:1/shop"));
    assertThat(launch.err(), not(containsString("hunter2")));
    assertThat(launch.err(), not(containsString("\tat ")));
    JsonNode ledger = RunOutputs.onlyLedger(out);
    assertThat(ledger.get("status").asText(), is("FAILED"));
    assertThat(ledger.get("balanced").asBoolean(), is(true));
    assertThat(ledger.toString(), not(containsString("hunter2")));
  }

  @Test
  void invalidOptionsExitTwoNamingTheOption() {
    Launch badDate = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--runDate=2026-13-01");
    assertThat(badDate.exitCode(), is(2));
    assertThat(badDate.err(), containsString("--runDate"));

    Launch startAfterRun = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--runDate=2026-03-01", "--startDate=2026-03-01");
    assertThat(startAfterRun.exitCode(), is(2));
    assertThat(startAfterRun.err(), containsString("--startDate: must be before the run date 2026-03-01"));

    Launch unknown = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--noSuchOption=1");
    assertThat(unknown.exitCode(), is(2));
    assertThat(unknown.err(), containsString("--noSuchOption"));

    Launch missing = Launch.of(PIPELINE, "--outputRoot=" + out);
    assertThat(missing.exitCode(), is(2));
    assertThat(missing.err(), containsString("--sourceJdbcUrl"));

    Launch jdbcWithoutTarget = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--sink=jdbc");
    assertThat(jdbcWithoutTarget.exitCode(), is(2));
    assertThat(jdbcWithoutTarget.err(), containsString("--targetJdbcUrl"));

    Launch bigQueryWithoutProject = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--sink=bigquery");
    assertThat(bigQueryWithoutProject.exitCode(), is(2));
    assertThat(bigQueryWithoutProject.err(), containsString("--bigQueryProject"));

    Launch injected = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://x/y", "--sourceSchema=a;drop table x");
    assertThat(injected.exitCode(), is(2));
    assertThat(injected.err(), containsString("--sourceSchema"));
  }

  @Test
  void printsTheDatasetsDdlForEveryTargetWithoutRunning() {
    Launch postgres = Launch.of(PIPELINE, "--printDdl=postgres");
    assertThat(postgres.exitCode(), is(0));
    assertThat(postgres.out(), containsString("CREATE TABLE IF NOT EXISTS ecommerce.integration_usage_daily"));
    assertThat(postgres.out(), containsString("PRIMARY KEY (shop_id, day)"));
    Launch athena = Launch.of(PIPELINE, "--printDdl=athena", "--outputRoot=s3://bucket/etl");
    assertThat(athena.out(), containsString("LOCATION 's3://bucket/etl/ecommerce/integration_usage_daily/'"));
    assertThat(athena.out(), containsString("'projection.dt.type' = 'date'"));
    Launch bigQuery = Launch.of(PIPELINE, "--printDdl=bigquery", "--bigQueryProject=acme");
    assertThat(bigQuery.out(), containsString("`acme.ecommerce.integration_usage_daily`"));
    assertThat(bigQuery.out(), containsString("PARTITION BY day"));
    assertThat(Launch.of(PIPELINE, "--printDdl=oracle").exitCode(), is(2));
  }

  @Test
  void helpListsTheOptionsWithDescriptionsAndDefaults() {
    Launch help = Launch.of(PIPELINE, "--help");
    assertThat(help.exitCode(), is(0));
    assertThat(help.out(), containsString("--startDate"));
    assertThat(help.out(), containsString("--outputRoot"));
    assertThat(help.out(), containsString("Default: ./out"));
  }
}
