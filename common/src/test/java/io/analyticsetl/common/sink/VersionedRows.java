package io.analyticsetl.common.sink;

import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.values.Row;

/**
 * The fixture of the sinks' version tests: an upserted dataset whose rows carry their extraction
 * time, and two writes in which one row's second version is older than its first.
 */
final class VersionedRows {

  static Dataset dataset(String domain) {
    return Dataset.builder(domain, "versioned")
        .column("day", ColumnType.DATE, "")
        .column("id", ColumnType.BIGINT, "")
        .column("value", ColumnType.BIGINT, "")
        .column("extracted_at", ColumnType.TIMESTAMP, "")
        .naturalKey("day", "id")
        .partitionedBy("dt", "day")
        .versionColumn("extracted_at")
        .build();
  }

  /** A row of 2026-03-01 whose value is also its extraction time in epoch seconds (larger is newer). */
  static Row row(Dataset dataset, long id, long value) {
    return Row.withSchema(dataset.beamSchema()).addValues(LocalDate.parse("2026-03-01"), id, value, Instant.ofEpochSecond(value)).build();
  }

  static Row[] firstWrite(Dataset dataset) {
    return new Row[] {row(dataset, 1, 10), row(dataset, 2, 20)};
  }

  /** A replay of older figures for id 1 beside a newer one for id 2: the sink keeps (1, 10) and (2, 25). */
  static Row[] secondWrite(Dataset dataset) {
    return new Row[] {row(dataset, 1, 5), row(dataset, 2, 25)};
  }

  /** After the two writes, id 3 arrives. */
  static Row[] thirdWrite(Dataset dataset) {
    return new Row[] {row(dataset, 3, 40)};
  }

  /**
   * Beside the third write, ids 1 and 2 deleted as of seconds 8 and 30: (1, 10) is newer than its
   * deletion and stays, (2, 25) goes; the sink keeps (1, 10) and (3, 40).
   */
  static Row[] deletions(Dataset dataset) {
    return new Row[] {row(dataset, 1, 8), row(dataset, 2, 30)};
  }

  private VersionedRows() {}
}
