package io.analyticsetl.transforms.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.TestPipelineExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestPipelineExtension.class)
class JdbcQueryTest {

  private static final Schema CUSTOMER =
      Schema.builder()
          .addInt64Field("id")
          .addNullableField("name", Schema.FieldType.STRING)
          .addNullableField("signed_up_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .build();

  private static String url;
  private static JdbcEndpoint database;

  @BeforeAll
  static void createTable() {
    url = LocalPostgres.newDatabase("jdbcquery");
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      rows.add("(" + i + ", 'customer " + i + "', '2026-03-01 00:00:00+00'::timestamptz + interval '" + i + " hours')");
    }
    Sql.execute(
        url,
        "CREATE SCHEMA shop",
        "CREATE TABLE shop.customers (id BIGINT PRIMARY KEY, name TEXT, signed_up_at TIMESTAMPTZ)",
        "INSERT INTO shop.customers VALUES " + String.join(",", rows),
        "INSERT INTO shop.customers VALUES (1000, 'O''Brien; DROP TABLE shop.customers; --', '2026-03-01 23:30:00-05:00')");
    database = new JdbcEndpoint("test database", url, LocalPostgres.user(), Secret.of(""));
  }

  private static JdbcQuery byName() {
    return JdbcQuery.fromResource("sql/test/customers_by_name.sql")
        .withIdentifier("schema", "shop")
        .withRowSchema(CUSTOMER)
        .from(database);
  }

  @Test
  void bindsValuesAsParametersNeverAsSqlText(TestPipeline p) {
    String hostile = "O'Brien; DROP TABLE shop.customers; --";
    PAssert.that(p.apply(byName().read(QueryParameters.of(hostile))))
        .containsInAnyOrder(
            Row.withSchema(CUSTOMER)
                .addValues(1000L, hostile, Instant.parse("2026-03-02T04:30:00Z"))
                .build());
    p.run();
    assertThat(Sql.query(url, "SELECT count(*) FROM shop.customers").get(0).get(0), is("101"));
  }

  @Test
  void refusesIdentifiersThatAreNotPlainNames() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcQuery.fromResource("sql/test/customers_by_name.sql").withIdentifier("schema", "shop; DROP"));
    assertThat(refused.getMessage(), containsString("${schema}"));
  }

  @Test
  void failsClearlyWhenAnIdentifierIsMissing() {
    IllegalStateException missing =
        assertThrows(
            IllegalStateException.class, () -> JdbcQuery.fromResource("sql/test/customers_by_name.sql").sql());
    assertThat(missing.getMessage(), containsString("${schema}"));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 250})
  void partitionedReadReturnsEveryRowExactlyOnce(int partitions, TestPipeline p) {
    PCollection<Row> all =
        p.apply(
            JdbcQuery.fromResource("sql/test/customers_signed_up_between.sql")
                .withIdentifier("schema", "shop")
                .withRowSchema(CUSTOMER)
                .from(database)
                .readPartitioned(
                    "id",
                    partitions,
                    QueryParameters.of(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-03T00:00:00Z"))));
    // Hours 1..47 fall in [Mar 1, Mar 3) (hour 48 is the excluded end), plus the one at 04:30 UTC on Mar 2.
    PAssert.thatSingleton(all.apply(Count.globally())).isEqualTo(48L);
    PAssert.that(all.apply(Count.perElement()))
        .satisfies(
            counts -> {
              counts.forEach(kv -> assertThat(kv.getValue(), is(1L)));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void readAllRunsTheQueryOncePerElement(TestPipeline p) {
    PCollection<Row> rows =
        p.apply(Create.of("customer 5", "customer 7", "nobody"))
            .apply(byName().readAll(QueryParameters::of));
    PAssert.that(rows)
        .containsInAnyOrder(
            Row.withSchema(CUSTOMER).addValues(5L, "customer 5", Instant.parse("2026-03-01T05:00:00Z")).build(),
            Row.withSchema(CUSTOMER).addValues(7L, "customer 7", Instant.parse("2026-03-01T07:00:00Z")).build());
    p.run();
  }
}
