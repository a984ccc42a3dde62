package io.analyticsetl.common.schema;

/**
 * The column types a dataset may use. Each maps to one type in every form a dataset takes (Beam
 * row, Avro/Parquet, BigQuery, PostgreSQL, Athena); see the {@code *Form} classes.
 */
public enum ColumnType {
  BIGINT,
  INT,
  STRING,
  BOOLEAN,
  DOUBLE,
  /** Exact decimal with the column's precision and scale. */
  DECIMAL,
  /** A UTC calendar day (or the account's own day where the dataset says so). */
  DATE,
  /** An instant, stored with microsecond precision and adjusted to UTC. */
  TIMESTAMP
}
