package io.analyticsetl.common.sink;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.secrets.Secret;
import java.util.List;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;

/** Chooses the sink of a run from {@code --sink}, or from the runner when it is absent. */
public final class Sinks {

  public static final List<String> KINDS = List.of("parquet", "bigquery", "jdbc");

  /** Makes the run's sink; tests hand in one with fake services. */
  @FunctionalInterface
  public interface Factory {
    DatasetSink create(EtlOptions options, String runId);
  }

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
    switch (kind(options)) {
      case "jdbc" -> OptionValues.jdbcUrl("targetJdbcUrl", options.getTargetJdbcUrl());
      case "bigquery" -> {
        OptionValues.required("bigQueryProject", options.getBigQueryProject());
        if (options.getBigQueryDataset() != null) {
          OptionValues.identifier("bigQueryDataset", options.getBigQueryDataset());
        }
        BigQuerySink.WriteMethod.parse(options.getBigQueryWriteMethod());
        if (options.getTempLocation() == null) {
          throw new InvalidOptionException(
              "tempLocation", "is required with --sink=bigquery (a gs:// folder for load and export files)");
        }
      }
      default -> {}
    }
  }

  /** Option defaults that follow from the sink: BigQuery jobs run in the destination project. */
  public static void configure(EtlOptions options) {
    if (kind(options).equals("bigquery") && options.as(GcpOptions.class).getProject() == null) {
      options.as(GcpOptions.class).setProject(options.getBigQueryProject());
    }
  }

  /** Fails early, naming the database, when the JDBC target cannot be reached. */
  public static void preflight(EtlOptions options) {
    if (kind(options).equals("jdbc")) {
      target(options).checkReachable();
    }
  }

  public static DatasetSink create(EtlOptions options, String runId) {
    return switch (kind(options)) {
      case "jdbc" -> new JdbcSink(target(options));
      case "bigquery" -> {
        // Checked here, not in validate(): tests give Beam's fake BigQuery services a local folder.
        if (!options.getTempLocation().startsWith("gs://")) {
          throw new InvalidOptionException(
              "tempLocation", "must be a gs:// folder for BigQuery's load and export files, got \"" + options.getTempLocation() + "\"");
        }
        yield bigQuery(options);
      }
      default -> new ParquetSink(options.getOutputRoot(), runId);
    };
  }

  public static BigQuerySink bigQuery(EtlOptions options) {
    return new BigQuerySink(
        options.getBigQueryProject(),
        options.getBigQueryDataset(),
        BigQuerySink.WriteMethod.parse(options.getBigQueryWriteMethod()));
  }

  private static JdbcEndpoint target(EtlOptions options) {
    return new JdbcEndpoint(
        "target database",
        options.getTargetJdbcUrl(),
        options.getTargetJdbcUser(),
        Secret.fromEnvironment(options.getTargetJdbcPasswordEnv()));
  }
}
