package io.analyticsetl.pipelines.sinks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.model.TableRow;
import io.analyticsetl.common.sink.Sinks;
import io.analyticsetl.pipelines.FakeBigQuery;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ecommerce and acmeshop pipelines write the same input through all three sinks: Parquet (read
 * back with DuckDB), JDBC into a real PostgreSQL, and BigQuery through Beam's fake services. The
 * rows agree, and reruns change nothing in any sink.
 */
class SinksAgreeTest {

  private static final LocalDate RUN_DATE = LocalDate.of(2026, 3, 1);
  private static final String USAGE_COLUMNS =
      "shop_id, account_id, %s, platform, day, orders_count";
  private static final String STATS_COLUMNS =
      "account_id, emails_30d, automation_emails_30d, campaign_emails_30d, transactional_emails_30d, %s";

  @TempDir Path temp;

  @Test
  void parquetJdbcAndBigQueryHoldTheSameRows() throws Exception {
    String source = LocalPostgres.newDatabase("agree_source");
    EcommerceSeed.createTables(source, "ecommerce");
    new EcommerceSeed(7, RUN_DATE).seed(source, "ecommerce", EcommerceSeed.Size.small(), 1);
    String target = LocalPostgres.newDatabase("agree_target");

    FakeBigQuery fake = FakeBigQuery.withDatasets("acme", "ecommerce");
    FakeDatasetService bigQuery = fake.datasets();
    Sinks.Factory fakeBigQuery = fake.sinks();

    for (String pipeline : List.of("ecommerce-integration-usage", "ecommerce-sending-stats")) {
      String[] common = {pipeline, "--sourceJdbcUrl=" + source, "--runDate=" + RUN_DATE};
      // Twice each: reruns must not duplicate in any sink.
      for (int run = 0; run < 2; run++) {
        assertThat(Launch.of(concat(common, "--outputRoot=" + temp.resolve("parquet"))).exitCode(), is(0));
        assertThat(
            Launch.of(concat(common, "--outputRoot=" + temp.resolve("jdbc"), "--sink=jdbc", "--targetJdbcUrl=" + target))
                .exitCode(),
            is(0));
      }
      // The fakes cannot export TIMESTAMP columns, which integration usage reads back for its
      // checkpoint, so it runs once there; sending stats (a full rebuild) runs twice.
      int bigQueryRuns = pipeline.equals("ecommerce-sending-stats") ? 2 : 1;
      for (int run = 0; run < bigQueryRuns; run++) {
        Launch launch =
            Launch.with(
                fakeBigQuery,
                concat(
                    common,
                    "--outputRoot=" + temp.resolve("bigquery"),
                    "--sink=bigquery",
                    "--bigQueryProject=acme",
                    "--tempLocation=" + temp.resolve("bq-temp")));
        assertThat(launch.err(), launch.exitCode(), is(0));
      }
    }

    List<String> parquetUsage =
        joined(Parquet.query("SELECT " + USAGE_COLUMNS.formatted("strftime(integration_created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f')")
            + " FROM read_parquet('" + temp.resolve("parquet") + "/ecommerce/integration_usage_daily/*/*.parquet')"));
    List<String> jdbcUsage =
        joined(Sql.query(target, "SELECT " + USAGE_COLUMNS.formatted("to_char(integration_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
            + " FROM ecommerce.integration_usage_daily"));
    List<String> bigQueryUsage =
        bigQueryRows(bigQuery, "integration_usage_daily", "shop_id", "account_id", "integration_created_at", "platform", "day", "orders_count");
    assertThat(parquetUsage.size() > 100, is(true));
    assertThat(jdbcUsage, equalTo(parquetUsage));
    assertThat(bigQueryUsage, equalTo(parquetUsage));

    List<String> parquetStats =
        joined(Parquet.query("SELECT " + STATS_COLUMNS.formatted("strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f')")
            + " FROM read_parquet('" + temp.resolve("parquet") + "/ecommerce/sending_stats_30d/*.parquet')"));
    List<String> jdbcStats =
        joined(Sql.query(target, "SELECT " + STATS_COLUMNS.formatted("to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
            + " FROM ecommerce.sending_stats_30d"));
    List<String> bigQueryStats =
        bigQueryRows(bigQuery, "sending_stats_30d", "account_id", "emails_30d", "automation_emails_30d",
            "campaign_emails_30d", "transactional_emails_30d", "updated_at");
    assertThat(parquetStats.size() > 5, is(true));
    assertThat(jdbcStats, equalTo(parquetStats));
    assertThat(bigQueryStats, equalTo(parquetStats));
  }

  @Test
  void acmeshopWritesTheSameRowsToEverySinkAndRerunsChangeNothing() throws Exception {
    LocalDate runDate = LocalDate.of(2026, 5, 1);
    String source = LocalPostgres.newDatabase("agree_acme");
    new io.analyticsetl.testkit.acmeshop.AcmeshopSeed(5, runDate, io.analyticsetl.testkit.acmeshop.AcmeshopSeed.Size.small())
        .writeV2(source, "acmeshop");
    String target = LocalPostgres.newDatabase("agree_acme_target");
    FakeBigQuery fake = FakeBigQuery.withDatasets("acme", "acmeshop");
    FakeDatasetService bigQuery = fake.datasets();
    Sinks.Factory fakeBigQuery = fake.sinks();
    String[] common = {
      "acmeshop-analytics", "--sourceJdbcUrl=" + source, "--runDate=" + runDate, "--startDate=" + runDate.minusDays(10)
    };
    for (int run = 0; run < 2; run++) {
      assertThat(Launch.of(concat(common, "--outputRoot=" + temp.resolve("parquet"))).exitCode(), is(0));
      assertThat(
          Launch.of(concat(common, "--outputRoot=" + temp.resolve("jdbc"), "--sink=jdbc", "--targetJdbcUrl=" + target))
              .exitCode(),
          is(0));
      assertThat(
          Launch.with(
                  fakeBigQuery,
                  concat(common, "--outputRoot=" + temp.resolve("bigquery"), "--sink=bigquery",
                      "--bigQueryProject=acme", "--tempLocation=" + temp.resolve("bq-temp")))
              .exitCode(),
          is(0));
    }
    for (var dataset : new io.analyticsetl.pipelines.acmeshop.AcmeshopPipeline().datasets()) {
      List<String> columns = dataset.columns().stream().map(c -> c.name()).toList();
      String parquetGlob =
          temp.resolve("parquet") + "/acmeshop/" + dataset.name() + (dataset.partitionKeys().isEmpty() ? "" : "/*") + "/*.parquet";
      List<String> parquet =
          normalised(Parquet.query("SELECT " + textColumns(dataset, "duckdb") + " FROM read_parquet('" + parquetGlob + "')"));
      List<String> jdbc =
          normalised(Sql.query(target, "SELECT " + textColumns(dataset, "postgres") + " FROM acmeshop." + dataset.name()));
      List<List<String>> bigQueryRows = new ArrayList<>();
      for (TableRow row : bigQuery.getAllRows("acme", "acmeshop", dataset.name())) {
        List<String> values = new ArrayList<>();
        for (String column : columns) {
          Object value = row.get(column);
          values.add(value == null ? null : value.toString().replace(" UTC", "").replaceAll("\\.000000$", ""));
        }
        bigQueryRows.add(values);
      }
      assertThat(dataset.name(), parquet.isEmpty(), is(false));
      assertThat(dataset.name(), jdbc, equalTo(parquet));
      assertThat(dataset.name(), normalised(bigQueryRows), equalTo(parquet));
    }
    // The BigQuery sink emptied (deleted the partitions of) exactly the days of the range without rows,
    // which Parquet leaves without files.
    List<String> emptyDays = new ArrayList<>();
    for (var dataset : new io.analyticsetl.pipelines.acmeshop.AcmeshopPipeline().datasets()) {
      if (dataset.partitionKeys().size() != 1 || dataset.dateColumn().isEmpty()) {
        continue; // not replaced by day
      }
      for (LocalDate day = runDate.minusDays(10); day.isBefore(runDate); day = day.plusDays(1)) {
        if (!java.nio.file.Files.isDirectory(temp.resolve("parquet/acmeshop/" + dataset.name() + "/dt=" + day))) {
          emptyDays.add("acmeshop." + dataset.name() + "$" + day.toString().replace("-", ""));
        }
      }
    }
    assertThat(io.analyticsetl.testkit.PartitionDeletingDatasetService.deletedPartitions().stream().distinct().sorted().toList(),
        equalTo(emptyDays.stream().sorted().toList()));
  }

  /** Every column as text in one format: timestamps to the second in UTC. */
  private static String textColumns(io.analyticsetl.common.schema.Dataset dataset, String engine) {
    List<String> columns = new ArrayList<>();
    for (var column : dataset.columns()) {
      if (column.type() == io.analyticsetl.common.schema.ColumnType.TIMESTAMP) {
        columns.add(
            engine.equals("duckdb")
                ? "strftime(" + column.name() + " AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')"
                : "to_char(" + column.name() + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')");
      } else {
        columns.add(column.name());
      }
    }
    return String.join(", ", columns);
  }

  private static List<String> normalised(List<List<String>> rows) {
    return io.analyticsetl.pipelines.acmeshop.AcmeshopPipelineTest.normalised(rows);
  }

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }

  private static List<String> joined(List<List<String>> rows) {
    return rows.stream().map(row -> String.join("|", row)).sorted().toList();
  }

  private static List<String> bigQueryRows(FakeDatasetService bigQuery, String table, String... columns) throws Exception {
    List<String> rows = new ArrayList<>();
    for (TableRow row : bigQuery.getAllRows("acme", "ecommerce", table)) {
      List<String> values = new ArrayList<>();
      for (String column : columns) {
        values.add(String.valueOf(row.get(column)).replace(" UTC", ""));
      }
      rows.add(String.join("|", values));
    }
    return rows.stream().sorted().toList();
  }
}
