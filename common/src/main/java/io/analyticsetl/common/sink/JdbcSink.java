package io.analyticsetl.common.sink;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.jdbc.ResultSetRowMapper;
import io.analyticsetl.common.jdbc.RowBinder;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.Column;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.PostgresForm;
import io.analyticsetl.common.schema.WriteMode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Tables {@code <domain>.<dataset>} in a relational database (PostgreSQL types), created from the
 * dataset definition when missing. {@link WriteMode#UPSERT} upserts on the natural key in batches;
 * {@link WriteMode#REPLACE_PARTITIONS} replaces each partition's rows in one transaction;
 * {@link WriteMode#FULL_REBUILD} replaces the whole table in one transaction, so a reader sees
 * either the old table or the new one, never a half-empty one, and a failure leaves the old rows.
 */
public final class JdbcSink implements DatasetSink {

  private static final int BATCH_SIZE = 1_000;

  private final JdbcEndpoint endpoint;

  public JdbcSink(JdbcEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public String kind() {
    return "jdbc";
  }

  /** The table's schema is the dataset's domain (a checked identifier by construction). */
  static String table(Dataset dataset) {
    return dataset.domain() + "." + dataset.tableName();
  }

  @Override
  public PTransform<PCollection<Row>, PDone> write(Dataset dataset) {
    return write(dataset, null, null);
  }

  /** {@code days}: days replaced whole, emptied when the run has no rows for them. */
  @Override
  public PTransform<PCollection<Row>, PDone> writeReplacingDays(Dataset dataset, PCollection<LocalDate> days) {
    DatasetSink.checkReplacesDays(dataset);
    return write(dataset, days, null);
  }

  /** The deletions run once the upserts are in. */
  @Override
  public PTransform<PCollection<Row>, PDone> upsert(Dataset dataset, PCollection<Row> deletions) {
    DatasetSink.checkUpserts(dataset);
    return write(dataset, null, deletions);
  }

  private PTransform<PCollection<Row>, PDone> write(Dataset dataset, PCollection<LocalDate> days, PCollection<Row> deletions) {
    JdbcEndpoint database = endpoint;
    return new PTransform<>("WriteJdbc_" + dataset.name()) {
      @Override
      public PDone expand(PCollection<Row> rows) {
        StageCounters stage = StageCounters.of("write_" + dataset.name());
        PCollection<Row> incoming = rows.apply(stage.countRead()).setRowSchema(dataset.beamSchema());
        PCollection<Void> tableReady =
            rows.getPipeline()
                .apply("Table", Create.of(table(dataset)))
                .apply("CreateTableIfMissing", ParDo.of(new CreateTableIfMissing(database, dataset)))
                .setCoder(VoidCoder.of());
        switch (dataset.writeMode()) {
          case UPSERT -> upsert(dataset, database, stage, incoming, tableReady, deletions);
          case REPLACE_PARTITIONS, FULL_REBUILD -> replace(dataset, database, stage, incoming, tableReady, days);
        }
        return PDone.in(rows.getPipeline());
      }
    };
  }

  private static void upsert(
      Dataset dataset,
      JdbcEndpoint database,
      StageCounters stage,
      PCollection<Row> incoming,
      PCollection<Void> tableReady,
      PCollection<Row> deletions) {
    PCollection<Void> written =
        incoming
            .apply("AfterTableReady", Wait.on(tableReady))
            .setRowSchema(dataset.beamSchema())
            .apply("Upsert", batches(database, PostgresForm.upsert(dataset, dataset.domain()), dataset.columns()));
    if (deletions != null) {
      written =
          deletions
              .apply("AfterUpserts", Wait.on(written))
              .setRowSchema(dataset.beamSchema())
              .apply("Delete", batches(database, PostgresForm.delete(dataset, dataset.domain()), PostgresForm.deletionColumns(dataset)));
    }
    incoming
        .apply("CountRows", Count.globally())
        .apply("AfterUpsert", Wait.on(written))
        .apply("CountWritten", ParDo.of(new CountWritten(stage)));
  }

  /** Runs {@code statement} once per row, binding {@code columns} of it, in batches. */
  private static JdbcIO.WriteVoid<Row> batches(JdbcEndpoint database, String statement, List<Column> columns) {
    return JdbcIO.<Row>write()
        .withDataSourceProviderFn(database.dataSourceProvider())
        .withStatement(statement)
        .withPreparedStatementSetter((row, prepared) -> RowBinder.bind(prepared, columns, row, 1))
        .withBatchSize(BATCH_SIZE)
        .withResults();
  }

  /**
   * Groups the rows of each unit that is replaced as a whole (a partition, or the whole table) and
   * replaces it in one transaction. For a full rebuild, the table is replaced even when the run has
   * no rows; so is each day of {@code days} (units keyed by partition, valued by the day).
   */
  private static void replace(
      Dataset dataset,
      JdbcEndpoint database,
      StageCounters stage,
      PCollection<Row> incoming,
      PCollection<Void> tableReady,
      PCollection<LocalDate> days) {
    boolean whole = dataset.writeMode() == WriteMode.FULL_REBUILD;
    KvCoder<String, Row> keyed = KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(dataset.beamSchema()));
    TupleTag<Row> rowsTag = new TupleTag<>();
    TupleTag<String> unitTag = new TupleTag<>();
    KvCoder<String, String> unitCoder = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, String>> units;
    if (!whole && days != null) {
      units = days.apply("ReplacedUnits", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
          .via(day -> KV.of(dataset.dayPartitionPath(day), day.toString())));
    } else {
      List<KV<String, String>> table = whole ? List.of(KV.of("", "")) : List.of();
      units = incoming.getPipeline().apply("ReplacedUnits", Create.of(table).withCoder(unitCoder));
    }
    PCollection<KV<String, CoGbkResult>> grouped =
        KeyedPCollectionTuple.of(
                rowsTag,
                incoming
                    .apply("Unit", WithKeys.of((Row row) -> whole ? "" : dataset.partitionPath(row)))
                    .setCoder(keyed))
            .and(unitTag, units)
            .apply("GroupByUnit", CoGroupByKey.create());
    grouped
        .apply("AfterTableReady", Wait.on(tableReady))
        .setCoder(grouped.getCoder())
        .apply("ReplaceInTransaction", ParDo.of(new ReplaceUnit(database, dataset, rowsTag, unitTag, stage)));
  }

  @Override
  public PTransform<PBegin, PCollection<Row>> read(Dataset dataset) {
    return read(dataset, null, "ReadJdbc_");
  }

  /** Asks for the days from {@code firstDay} on only ({@code WHERE <day column> >= ?}). */
  @Override
  public PTransform<PBegin, PCollection<Row>> read(Dataset dataset, LocalDate firstDay) {
    DatasetSink.dayColumn(dataset);
    return read(dataset, firstDay, "ReadJdbcFrom_");
  }

  private PTransform<PBegin, PCollection<Row>> read(Dataset dataset, LocalDate firstDay, String namePrefix) {
    JdbcEndpoint database = endpoint;
    return new PTransform<>(namePrefix + dataset.name()) {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        return begin
            .apply("Table", Create.of(table(dataset)))
            .apply("ReadTableIfExists", ParDo.of(new ReadTableIfExists(database, dataset, firstDay)))
            .setRowSchema(dataset.beamSchema());
      }
    };
  }

  /** The database aggregates ({@code SELECT key, MAX(day) ... GROUP BY key}); only one row per key comes back. */
  @Override
  public PTransform<PBegin, PCollection<KV<Long, LocalDate>>> lastDays(Dataset dataset, String keyColumn) {
    String dayColumn = DatasetSink.checkKeyedByDay(dataset, keyColumn);
    JdbcEndpoint database = endpoint;
    return new PTransform<>("LastDaysJdbc_" + dataset.name()) {
      @Override
      public PCollection<KV<Long, LocalDate>> expand(PBegin begin) {
        return begin
            .apply("Table", Create.of(table(dataset)))
            .apply("LatestDayPerKey", ParDo.of(new LastDaysIfTableExists(database, dataset, keyColumn, dayColumn)))
            .setCoder(KEY_DAY_CODER);
      }
    };
  }

  /**
   * The dataset's columns an existing table lacks (a table written by an earlier version). A
   * nullable one reads as NULL and is added on write; a NOT NULL one needs a value for the rows
   * already there, which only the user can give, so the run stops and says how.
   */
  private static List<Column> missingColumns(Connection connection, Dataset dataset) throws SQLException {
    Set<String> existing = new HashSet<>();
    try (ResultSet columns = connection.getMetaData().getColumns(null, dataset.domain(), dataset.tableName(), null)) {
      while (columns.next()) {
        existing.add(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    List<Column> missing = dataset.columns().stream().filter(c -> !existing.contains(c.name())).toList();
    for (Column column : missing) {
      if (!column.nullable()) {
        throw new IllegalStateException(
            "table " + table(dataset) + " has no column " + column.name() + ", which this version writes and which may not be"
                + " NULL: add it with a value for the existing rows (ALTER TABLE " + table(dataset) + " ADD COLUMN " + column.name()
                + " " + PostgresForm.type(column) + " NOT NULL DEFAULT ...) or drop the table to rebuild it");
      }
    }
    return missing;
  }

  private static boolean tableExists(Connection connection, Dataset dataset) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    try (ResultSet tables = meta.getTables(null, dataset.domain(), dataset.tableName(), null)) {
      return tables.next();
    }
  }

  private static final class CreateTableIfMissing extends DoFn<String, Void> {
    private final JdbcEndpoint database;
    private final Dataset dataset;

    CreateTableIfMissing(JdbcEndpoint database, Dataset dataset) {
      this.database = database;
      this.dataset = dataset;
    }

    @ProcessElement
    public void process(OutputReceiver<Void> out) throws SQLException {
      try (Connection connection = database.dataSource().getConnection();
          Statement statement = connection.createStatement()) {
        connection.setAutoCommit(true);
        createIfMissing(statement, "CREATE SCHEMA IF NOT EXISTS " + dataset.domain());
        createIfMissing(statement, PostgresForm.createTable(dataset, dataset.domain()));
        for (Column column : missingColumns(connection, dataset)) {
          statement.execute(PostgresForm.addColumn(dataset, dataset.domain(), column));
        }
      }
      out.output(null);
    }

    /**
     * PostgreSQL's IF NOT EXISTS is not safe against a concurrent creator (another dataset's writer
     * creating the same schema): that one's win shows up here as a unique violation, which is fine.
     */
    private static void createIfMissing(Statement statement, String ddl) throws SQLException {
      try {
        statement.execute(ddl);
      } catch (SQLException e) {
        if (!List.of("23505", "42P06", "42P07").contains(e.getSQLState())) {
          throw e;
        }
      }
    }
  }

  private static final class ReplaceUnit extends DoFn<KV<String, CoGbkResult>, Void> {
    private final JdbcEndpoint database;
    private final Dataset dataset;
    private final TupleTag<Row> rowsTag;
    private final TupleTag<String> dayTag;
    private final StageCounters stage;

    ReplaceUnit(JdbcEndpoint database, Dataset dataset, TupleTag<Row> rowsTag, TupleTag<String> dayTag, StageCounters stage) {
      this.database = database;
      this.dataset = dataset;
      this.rowsTag = rowsTag;
      this.dayTag = dayTag;
      this.stage = stage;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> unit) throws SQLException {
      Iterable<Row> rows = unit.getValue().getAll(rowsTag);
      boolean whole = dataset.writeMode() == WriteMode.FULL_REBUILD;
      List<Column> partitionColumns =
          dataset.partitionKeys().stream().map(k -> dataset.column(k.column())).toList();
      long count = 0;
      try (Connection connection = database.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        try {
          if (whole) {
            try (Statement delete = connection.createStatement()) {
              delete.executeUpdate("DELETE FROM " + table(dataset));
            }
          } else {
            String where =
                String.join(" AND ", partitionColumns.stream().map(c -> c.name() + " = ?").toList());
            try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM " + table(dataset) + " WHERE " + where)) {
              if (rows.iterator().hasNext()) {
                RowBinder.bind(delete, partitionColumns, rows.iterator().next(), 1);
              } else {
                // A replaced day the run has no rows for: only its day identifies it.
                delete.setObject(1, LocalDate.parse(unit.getValue().getOnly(dayTag)));
              }
              delete.executeUpdate();
            }
          }
          // The unit was emptied in this transaction, so a duplicate natural key is an error here.
          try (PreparedStatement statement =
              connection.prepareStatement(PostgresForm.insert(dataset, dataset.domain()))) {
            for (Row row : rows) {
              RowBinder.bind(statement, dataset, row);
              statement.addBatch();
              if (++count % BATCH_SIZE == 0) {
                statement.executeBatch();
              }
            }
            statement.executeBatch();
          }
          connection.commit();
        } catch (SQLException | RuntimeException e) {
          connection.rollback();
          SQLException next = e instanceof SQLException sql ? sql.getNextException() : null;
          throw new IllegalStateException(
              "replacing "
                  + (whole ? "table " + table(dataset) : "partition " + unit.getKey() + " of " + table(dataset))
                  + " failed and was rolled back: "
                  + (next != null ? next.getMessage() : e.getMessage()),
              e);
        } finally {
          connection.setAutoCommit(true);
        }
      }
      stage.written(count);
    }
  }

  private static final class ReadTableIfExists extends DoFn<String, Row> {
    private final JdbcEndpoint database;
    private final Dataset dataset;
    private final LocalDate firstDay; // null: every day

    ReadTableIfExists(JdbcEndpoint database, Dataset dataset, LocalDate firstDay) {
      this.database = database;
      this.dataset = dataset;
      this.firstDay = firstDay;
    }

    @ProcessElement
    public void process(OutputReceiver<Row> out) throws SQLException {
      ResultSetRowMapper mapper = new ResultSetRowMapper(dataset.beamSchema());
      streamIfTableExists(
          database,
          dataset,
          connection -> {
            // A column an earlier version's table lacks reads as NULL until this version writes it.
            List<Column> missing = missingColumns(connection, dataset);
            String columns =
                String.join(", ", dataset.columns().stream()
                    .map(c -> missing.contains(c) ? "CAST(NULL AS " + PostgresForm.type(c) + ") AS " + c.name() : c.name())
                    .toList());
            return "SELECT " + columns + " FROM " + table(dataset)
                + (firstDay == null ? "" : " WHERE " + DatasetSink.dayColumn(dataset) + " >= ?");
          },
          firstDay == null ? List.of() : List.of(firstDay),
          rs -> out.output(mapper.mapRow(rs)));
    }
  }

  private static final class LastDaysIfTableExists extends DoFn<String, KV<Long, LocalDate>> {
    private final JdbcEndpoint database;
    private final Dataset dataset;
    private final String keyColumn;
    private final String dayColumn;

    LastDaysIfTableExists(JdbcEndpoint database, Dataset dataset, String keyColumn, String dayColumn) {
      this.database = database;
      this.dataset = dataset;
      this.keyColumn = keyColumn;
      this.dayColumn = dayColumn;
    }

    @ProcessElement
    public void process(OutputReceiver<KV<Long, LocalDate>> out) throws SQLException {
      streamIfTableExists(
          database,
          dataset,
          connection -> "SELECT " + keyColumn + ", MAX(" + dayColumn + ") FROM " + table(dataset) + " GROUP BY " + keyColumn,
          List.of(),
          rs -> out.output(KV.of(rs.getLong(1), rs.getObject(2, LocalDate.class))));
    }
  }

  private interface SqlFunction<T, R> {
    R apply(T value) throws SQLException;
  }

  private interface ResultSetConsumer {
    void accept(ResultSet row) throws SQLException;
  }

  /**
   * Runs a query on a dataset's table, handing over its rows as they stream in; nothing when the
   * table does not exist yet. The query is made on the open connection ({@code sql}), so it can
   * look at the table first.
   */
  private static void streamIfTableExists(
      JdbcEndpoint database, Dataset dataset, SqlFunction<Connection, String> sql, List<Object> parameters,
      ResultSetConsumer each) throws SQLException {
    try (Connection connection = database.dataSource().getConnection()) {
      if (!tableExists(connection, dataset)) {
        return;
      }
      String query = sql.apply(connection);
      connection.setAutoCommit(false); // lets PostgreSQL stream with a cursor
      try (PreparedStatement statement = connection.prepareStatement(query)) {
        statement.setFetchSize(10_000);
        for (int i = 0; i < parameters.size(); i++) {
          statement.setObject(i + 1, parameters.get(i));
        }
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            each.accept(rs);
          }
        }
      } finally {
        connection.commit();
        connection.setAutoCommit(true);
      }
    }
  }
}
