package io.analyticsetl.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Sql;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code <pipeline> --printDdl=...} for the suite's real datasets, as a user runs it: PostgreSQL's
 * DDL executed on a real server for every pipeline; Athena's and BigQuery's checked for every table,
 * and Athena's for an appstore table (dt and app_id partitions) against a golden file reviewed by hand.
 */
class EveryPipelinesDdlTest {

  @Test
  void postgresDdlOfEveryPipelineRunsOnARealServerAndCreatesEveryTable() {
    String url = LocalPostgres.newDatabase("every_ddl");
    for (EtlPipeline<?> pipeline : Main.PIPELINES) {
      Launch printed = Launch.of(pipeline.name(), "--printDdl=postgres");
      assertThat(printed.err(), printed.exitCode(), is(0));
      for (String statement : printed.out().split(";\n")) {
        if (!statement.isBlank() && !statement.strip().startsWith("--")) {
          Sql.execute(url, statement);
        }
      }
      for (Dataset dataset : pipeline.datasets()) {
        List<List<String>> columns = Sql.query(url,
            "SELECT count(*)::text FROM information_schema.columns WHERE table_schema = '" + dataset.domain()
                + "' AND table_name = '" + dataset.tableName() + "'");
        assertThat(pipeline.name() + " " + dataset.name(), columns.get(0).get(0), is(String.valueOf(dataset.columns().size())));
      }
    }
  }

  @Test
  void athenaAndBigQueryDdlCoverEveryTable() {
    for (EtlPipeline<?> pipeline : Main.PIPELINES) {
      String athena = Launch.of(pipeline.name(), "--printDdl=athena", "--outputRoot=s3://acme-analytics/etl").out();
      String bigQuery = Launch.of(pipeline.name(), "--printDdl=bigquery", "--bigQueryProject=acme-analytics").out();
      for (Dataset dataset : pipeline.datasets()) {
        String table = "`" + dataset.domain() + "`.`" + dataset.tableName() + "`";
        assertThat(athena, containsString("CREATE EXTERNAL TABLE IF NOT EXISTS " + table));
        assertThat(athena, containsString("LOCATION 's3://acme-analytics/etl/" + dataset.relativePath() + "/'"));
        assertThat(bigQuery, containsString(dataset.tableName()));
      }
    }
  }

  /**
   * With the apps configured, app_id is an enum projection of them, so queries without an app_id
   * filter (the contract's sample queries) run; without, it is injected and queries must name one.
   */
  @Test
  void athenaDdlOfAnAppstoreTableMatchesTheReviewedGoldenFile() throws Exception {
    String athena =
        Launch.of("appstore-curate", "--printDdl=athena", "--outputRoot=s3://acme-analytics/etl", "--reports=downloads",
            "--appIds=1234567890,987654321").out();
    String first = athena.split(";\n\n")[0] + ";\n";
    try (InputStream golden = getClass().getResourceAsStream("/ddl/appstore_curated_downloads.athena.sql")) {
      assertThat(first, is(new String(golden.readAllBytes(), StandardCharsets.UTF_8)));
    }
    String anyApp = Launch.of("appstore-curate", "--printDdl=athena", "--outputRoot=s3://acme-analytics/etl").out();
    assertThat(anyApp, containsString("'projection.app_id.type' = 'injected'"));
    assertThat(anyApp, not(containsString("projection.app_id.values")));
  }
}
