package io.analyticsetl.pipelines.ecommerce;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.LocalS3;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both pipelines writing Parquet, dead letters and ledgers to S3 (S3Proxy on loopback). */
class S3OutputTest {

  @TempDir Path storage;

  @Test
  void pipelinesWriteToS3AndReplacePartitionsThere() throws Exception {
    String url = LocalPostgres.newDatabase("s3out");
    io.analyticsetl.testkit.ecommerce.EcommerceSeed.createTables(url, "ecommerce");
    Sql.execute(
        url,
        "INSERT INTO ecommerce.ecommerce_shops VALUES (1, 10, 'shopify', '2026-02-26 08:00:00+00', NULL),"
            + " (2, 11, 'magento', '2026-02-27 08:00:00+00', '2026-02-18 00:00:00+00')",
        "INSERT INTO ecommerce.orders VALUES (1, 1, '2026-02-27 10:00:00+00'), (2, 1, '2026-02-28 10:00:00+00')",
        "INSERT INTO ecommerce.emails VALUES (1, 10, 'campaign', '2026-02-27 10:00:00+00'),"
            + " (2, 10, 'bogus', '2026-02-27 10:00:00+00')");
    try (LocalS3 s3 = LocalS3.start(storage, "analytics")) {
      String root = "s3://analytics/etl";
      for (String pipeline : List.of("ecommerce-integration-usage", "ecommerce-sending-stats")) {
        for (int run = 0; run < 2; run++) {
          String[] args =
              Stream.concat(
                      Stream.of(pipeline, "--sourceJdbcUrl=" + url, "--outputRoot=" + root, "--runDate=2026-03-01",
                          "--startDate=2026-02-2" + run),
                      Stream.of(s3.beamArguments()))
                  .toArray(String[]::new);
          Launch launch = Launch.of(args);
          assertThat(launch.err(), launch.exitCode(), is(0));
        }
      }
      Path bucket = storage.resolve("analytics").resolve("etl");
      assertThat(
          Parquet.query(
              "SELECT shop_id::text, day::text, orders_count::text FROM read_parquet('"
                  + bucket + "/ecommerce/integration_usage_daily/*/*.parquet') ORDER BY 1, 2"),
          equalTo(
              List.of(
                  List.of("1", "2026-02-26", "0"),
                  List.of("1", "2026-02-27", "1"),
                  List.of("1", "2026-02-28", "1"))));
      // One file per partition after the rerun: the first run's files were replaced.
      assertThat(files(bucket.resolve("ecommerce/integration_usage_daily"), ".parquet"), hasSize(3));
      assertThat(
          Parquet.query(
              "SELECT account_id::text, emails_30d::text FROM read_parquet('"
                  + bucket + "/ecommerce/sending_stats_30d/*.parquet')"),
          equalTo(List.of(List.of("10", "1"))));
      assertThat(files(bucket.resolve("_runs"), ".json"), hasSize(4));
      assertThat(files(bucket.resolve("_dead_letter/ecommerce-integration-usage"), ".jsonl").size(), greaterThan(0));
      assertThat(
          String.join("", Files.readAllLines(files(bucket.resolve("_dead_letter/ecommerce-sending-stats"), ".jsonl").get(0))).contains("bogus"),
          is(true));
    }
  }

  private static List<Path> files(Path dir, String suffix) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
    }
  }

}
