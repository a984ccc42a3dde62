package io.analyticsetl.common.schema;

/** What writing a run's rows does to the rows already in the target. */
public enum WriteMode {
  /**
   * Rows are merged into the target on the natural key: a row with the key of an existing row
   * replaces it, other existing rows stay. Reruns and reprocessed ranges never duplicate.
   */
  UPSERT,
  /**
   * Every partition the run writes is replaced as a whole; partitions the run does not write stay.
   */
  REPLACE_PARTITIONS,
  /** The whole dataset is replaced by the run's rows (truncate semantics). */
  FULL_REBUILD
}
