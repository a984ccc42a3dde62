package io.analyticsetl.common.run;

import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.schema.Dataset;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;

/**
 * One named pipeline of the suite. The {@link Launcher} parses and checks its options, builds it
 * with {@link #build}, runs it and writes the run ledger; tests call the same methods.
 */
public interface EtlPipeline<O extends EtlOptions> {

  /** The launch name, e.g. {@code ecommerce-integration-usage}. */
  String name();

  /** The source domain, which is also the output folder and target schema. */
  String domain();

  /** One line on what the pipeline does. */
  String summary();

  Class<O> optionsClass();

  /** The datasets the pipeline writes (for {@code --printDdl}). */
  List<Dataset> datasets();

  /**
   * The values a partition key can take that the options fix (e.g. the configured apps' ids), by
   * partition name: the Athena DDL enumerates them, so queries need not name one.
   */
  default Map<String, List<String>> partitionValues(O options) {
    return Map.of();
  }

  /**
   * Checks option values beyond their types; throws {@link
   * io.analyticsetl.common.options.InvalidOptionException} naming the option.
   */
  default void validate(O options) {}

  /** Checks that sources can be reached, so a run fails early with a clear cause. */
  default void preflight(O options) {}

  /** Adds the pipeline's transforms to {@code pipeline}. */
  void build(Pipeline pipeline, O options, RunContext run);
}
