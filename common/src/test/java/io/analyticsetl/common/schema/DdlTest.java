package io.analyticsetl.common.schema;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import com.google.api.services.bigquery.model.TableRow;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/**
 * The DDL derived from one dataset definition. PostgreSQL's runs on a real server; Athena's and
 * BigQuery's (no engine here) are compared with golden files that were reviewed by hand.
 */
class DdlTest {

  private static EtlOptions options() {
    return PipelineOptionsFactory.fromArgs(
            "--outputRoot=s3://analytics-bucket/etl", "--bigQueryProject=acme-analytics")
        .as(EtlOptions.class);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = DdlTest.class.getResourceAsStream("/ddl/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void postgresDdlRunsOnARealServerWithTheDatasetsTypes() {
    String url = LocalPostgres.newDatabase("ddl");
    String ddl = Ddl.render("postgres", List.of(DatasetTest.PAYMENTS), options());
    for (String statement : ddl.split(";\n")) {
      if (!statement.isBlank()) {
        Sql.execute(url, statement);
      }
    }
    Sql.execute(url, ddl.split(";\n\n")[0].replace(";\nCREATE TABLE", ";CREATE TABLE")); // IF NOT EXISTS: reruns are fine
    assertThat(
        Sql.query(
            url,
            "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns"
                + " WHERE table_schema = 'shop' AND table_name = 'payments_daily' ORDER BY ordinal_position"),
        contains(
            List.of("day date NO"),
            List.of("app_id bigint NO"),
            List.of("provider text NO"),
            List.of("attempts integer YES"),
            List.of("amount numeric YES"),
            List.of("rate double precision YES"),
            List.of("flagged boolean YES"),
            List.of("updated_at timestamp with time zone YES")));
    assertThat(
        Sql.query(
                url,
                "SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum)) FROM pg_index i"
                    + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                    + " WHERE i.indrelid = 'shop.payments_daily'::regclass AND i.indisprimary")
            .get(0)
            .get(0),
        is("day,app_id,provider"));
  }

  @Test
  void athenaDdlMatchesTheReviewedGoldenFile() throws IOException {
    assertThat(Ddl.render("athena", List.of(DatasetTest.PAYMENTS), options()), is(golden("payments_daily.athena.sql")));
  }

  @Test
  void bigQueryDdlMatchesTheReviewedGoldenFile() throws IOException {
    assertThat(Ddl.render("bigquery", List.of(DatasetTest.PAYMENTS), options()), is(golden("payments_daily.bigquery.sql")));
  }

  @Test
  void bigQueryValuesRoundTripThroughTheirExportedTextForms() {
    Row row = DatasetTest.row(new BigDecimal("10.5"));
    TableRow written = BigQueryForm.toTableRow(DatasetTest.PAYMENTS, row);
    assertThat(written.get("updated_at"), is("2026-03-01 10:15:30.123456 UTC"));
    assertThat(written.get("amount"), is("10.50"));
    // An export hands integers back as text, timestamps as text or epoch seconds.
    TableRow exported = new TableRow();
    written.forEach((k, v) -> exported.set(k, v.toString()));
    exported.set("updated_at", "1772360130.123456");
    Row back = BigQueryForm.fromTableRow(DatasetTest.PAYMENTS, exported);
    assertThat(back.getInt64("app_id"), is(7L));
    assertThat(back.getLogicalTypeValue("day", LocalDate.class), is(LocalDate.parse("2026-03-01")));
    assertThat(back.getLogicalTypeValue("updated_at", Instant.class), is(Instant.parse("2026-03-01T10:15:30.123456Z")));
    assertThat(back.getDecimal("amount"), is(new BigDecimal("10.50")));
  }
}
