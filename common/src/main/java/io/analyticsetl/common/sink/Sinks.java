package io.analyticsetl.common.sink;

import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.options.InvalidOptionException;
import java.util.List;

/** Chooses the sink of a run from {@code --sink}, or from the runner when it is absent. */
public final class Sinks {

  public static final List<String> KINDS = List.of("parquet", "bigquery", "jdbc");

  private Sinks() {}

  /** The sink kind the run uses: {@code --sink}, or the runner's default. */
  public static String kind(EtlOptions options) {
    String requested = options.getSink();
    if (requested == null || requested.isBlank()) {
      // DirectRunner and FlinkRunner both default to Parquet under --outputRoot.
      return "parquet";
    }
    if (!KINDS.contains(requested)) {
      throw new InvalidOptionException(
          "sink", "must be one of " + String.join(", ", KINDS) + ", got \"" + requested + "\"");
    }
    return requested;
  }

  /** Checks the options the chosen sink needs, before anything starts. */
  public static void validate(EtlOptions options) {
    String kind = kind(options);
    if (!kind.equals("parquet")) {
      throw new InvalidOptionException(
          "sink", "\"" + kind + "\" is not available in this build yet; use --sink=parquet");
    }
  }

  public static DatasetSink create(EtlOptions options, String runId) {
    validate(options);
    return new ParquetSink(options.getOutputRoot(), runId);
  }
}
