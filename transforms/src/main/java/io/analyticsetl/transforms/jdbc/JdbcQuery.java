package io.analyticsetl.transforms.jdbc;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.jdbc.ResultSetRowMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A SQL query kept in a resource file, read through JdbcIO into rows of a given schema.
 *
 * <p>Values are always bound parameters ({@code ?}). The only text substituted into the SQL is
 * identifiers ({@code ${schema}}), each checked against a strict pattern first:
 *
 * <pre>{@code
 * JdbcQuery.fromResource("sql/ecommerce/shops.sql")
 *     .withIdentifier("schema", "ecommerce")
 *     .withRowSchema(SHOP)
 *     .from(sourceDatabase)
 *     .read(QueryParameters.of())
 * }</pre>
 *
 * {@link #readPartitioned} splits a large table by ranges of a numeric column and reads the
 * ranges in parallel; {@link #readAll} runs the query once per input element.
 */
public final class JdbcQuery implements Serializable {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final String resource;
  private final String template;
  private final Map<String, String> identifiers;
  private final Schema rowSchema;
  private final JdbcEndpoint endpoint;

  private JdbcQuery(
      String resource,
      String template,
      Map<String, String> identifiers,
      Schema rowSchema,
      JdbcEndpoint endpoint) {
    this.resource = resource;
    this.template = template;
    this.identifiers = identifiers;
    this.rowSchema = rowSchema;
    this.endpoint = endpoint;
  }

  /** Loads the SQL text from a classpath resource, e.g. {@code sql/ecommerce/shops.sql}. */
  public static JdbcQuery fromResource(String resource) {
    try (InputStream in = JdbcQuery.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no SQL resource " + resource + " on the classpath");
      }
      return new JdbcQuery(
          resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of(), null, null);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read SQL resource " + resource, e);
    }
  }

  /** Substitutes {@code ${name}} with an identifier (schema or table name), checked first. */
  public JdbcQuery withIdentifier(String name, String value) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "identifier ${" + name + "} of " + resource + " must match " + IDENTIFIER + ", got \"" + value + "\"");
    }
    Map<String, String> all = new LinkedHashMap<>(identifiers);
    all.put(name, value);
    return new JdbcQuery(resource, template, Map.copyOf(all), rowSchema, endpoint);
  }

  /** The schema of the rows; result columns are mapped to its fields by name. */
  public JdbcQuery withRowSchema(Schema schema) {
    return new JdbcQuery(resource, template, identifiers, schema, endpoint);
  }

  public JdbcQuery from(JdbcEndpoint database) {
    return new JdbcQuery(resource, template, identifiers, rowSchema, database);
  }

  /** The SQL with identifiers substituted; fails if one is missing. */
  public String sql() {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder sql = new StringBuilder();
    while (matcher.find()) {
      String value = identifiers.get(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException(
            resource + " needs identifier ${" + matcher.group(1) + "}: call withIdentifier");
      }
      matcher.appendReplacement(sql, value);
    }
    matcher.appendTail(sql);
    return sql.toString().trim().replaceAll(";\\s*$", "");
  }

  /** Where rows come from, for dead letters: the resource and the database. */
  public String source() {
    return resource + (endpoint == null ? "" : " @ " + endpoint.displayUrl());
  }

  private void checkConfigured() {
    if (rowSchema == null) {
      throw new IllegalStateException(resource + ": withRowSchema is required");
    }
    if (endpoint == null) {
      throw new IllegalStateException(resource + ": from(database) is required");
    }
    sql();
  }

  /** Runs the query once with {@code parameters}. */
  public PTransform<PBegin, PCollection<Row>> read(QueryParameters parameters) {
    JdbcQuery query = this;
    return new PTransform<>("Query_" + baseName()) {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        query.checkConfigured();
        return begin
            .apply("Parameters", Create.of(parameters).withCoder(SerializableCoder.of(QueryParameters.class)))
            .apply("Run", query.readAll(p -> p));
      }
    };
  }

  /**
   * Runs the query as {@code partitions} range queries over the numeric {@code column} of its
   * result, read in parallel: for tables too large for one cursor.
   */
  public PTransform<PBegin, PCollection<Row>> readPartitioned(
      String column, int partitions, QueryParameters parameters) {
    if (!IDENTIFIER.matcher(column).matches()) {
      throw new IllegalArgumentException("partition column must be an identifier: " + column);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1");
    }
    JdbcQuery query = this;
    return new PTransform<>("PartitionedQuery_" + baseName()) {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        query.checkConfigured();
        String inner = query.sql();
        String bounds = "SELECT min(q." + column + "), max(q." + column + ") FROM (" + inner + ") AS q";
        String ranged =
            "SELECT * FROM (" + inner + ") AS q WHERE q." + column + " >= ? AND q." + column + " < ?";
        return begin
            .apply("Parameters", Create.of(parameters).withCoder(SerializableCoder.of(QueryParameters.class)))
            .apply("SplitRanges", ParDo.of(new SplitRanges(query.endpoint, bounds, partitions)))
            .setCoder(SerializableCoder.of(QueryParameters.class))
            .apply("Spread", Reshuffle.viaRandomKey())
            .apply("ReadRanges", query.jdbcReadAll(ranged));
      }
    };
  }

  /** Runs the query once per input element, with the parameters {@code parametersOf} gives. */
  public <T> PTransform<PCollection<T>, PCollection<Row>> readAll(
      SerializableFunction<T, QueryParameters> parametersOf) {
    JdbcQuery query = this;
    return new PTransform<>("QueryEach_" + baseName()) {
      @Override
      public PCollection<Row> expand(PCollection<T> input) {
        query.checkConfigured();
        return input
            .apply(
                "Parameters",
                MapElements.into(TypeDescriptor.of(QueryParameters.class)).via(parametersOf))
            .setCoder(SerializableCoder.of(QueryParameters.class))
            .apply("Read", query.jdbcReadAll(query.sql()));
      }
    };
  }

  private JdbcIO.ReadAll<QueryParameters, Row> jdbcReadAll(String sql) {
    return JdbcIO.<QueryParameters, Row>readAll()
        .withDataSourceProviderFn(endpoint.dataSourceProvider())
        .withQuery(sql)
        .withParameterSetter((parameters, statement) -> parameters.bind(statement))
        .withRowMapper(new ResultSetRowMapper(rowSchema))
        .withCoder(SchemaCoder.of(rowSchema))
        .withOutputParallelization(false);
  }

  private String baseName() {
    String name = resource.substring(resource.lastIndexOf('/') + 1);
    return name.endsWith(".sql") ? name.substring(0, name.length() - 4) : name;
  }

  /** Reads the bounds of the partition column and emits one parameter set per range. */
  private static final class SplitRanges extends DoFn<QueryParameters, QueryParameters> {
    private final JdbcEndpoint endpoint;
    private final String boundsSql;
    private final int partitions;

    SplitRanges(JdbcEndpoint endpoint, String boundsSql, int partitions) {
      this.endpoint = endpoint;
      this.boundsSql = boundsSql;
      this.partitions = partitions;
    }

    @ProcessElement
    public void process(@Element QueryParameters parameters, OutputReceiver<QueryParameters> out)
        throws SQLException {
      long min;
      long max;
      try (Connection connection = endpoint.dataSource().getConnection();
          PreparedStatement statement = connection.prepareStatement(boundsSql)) {
        parameters.bind(statement);
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          min = rs.getLong(1);
          if (rs.wasNull()) {
            return;
          }
          max = rs.getLong(2);
        }
      }
      long span = max - min + 1;
      long step = Math.max(1, (span + partitions - 1) / partitions);
      for (long low = min; low <= max; low += step) {
        out.output(parameters.plus(low, Math.min(low + step, max + 1)));
      }
    }
  }

  @Override
  public String toString() {
    return Objects.toString(resource);
  }
}
