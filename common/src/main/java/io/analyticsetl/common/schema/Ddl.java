package io.analyticsetl.common.schema;

import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.options.InvalidOptionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code --printDdl=postgres|bigquery|athena}: the DDL of a pipeline's datasets for a target. */
public final class Ddl {

  public static final List<String> TARGETS = List.of("postgres", "bigquery", "athena");

  private Ddl() {}

  public static void checkTarget(String target) {
    if (!TARGETS.contains(target)) {
      throw new InvalidOptionException(
          "printDdl", "must be one of " + String.join(", ", TARGETS) + ", got \"" + target + "\"");
    }
  }

  /** Statements separated by ";\n\n", each ending with ';' (a comment alone when there are no datasets). */
  public static String render(String target, List<Dataset> datasets, EtlOptions options) {
    return render(target, datasets, options, Map.of());
  }

  /**
   * As {@link #render(String, List, EtlOptions)}, with the values partition keys can take (by
   * partition name) where the options fix them.
   */
  public static String render(String target, List<Dataset> datasets, EtlOptions options, Map<String, List<String>> partitionValues) {
    checkTarget(target);
    if (datasets.isEmpty()) {
      return "-- this pipeline writes no tables\n";
    }
    List<String> statements = new ArrayList<>();
    for (Dataset dataset : datasets) {
      statements.add(
          switch (target) {
            case "postgres" ->
                "CREATE SCHEMA IF NOT EXISTS " + dataset.domain() + ";\n"
                    + PostgresForm.createTable(dataset, dataset.domain());
            case "bigquery" ->
                BigQueryForm.createTable(
                    dataset,
                    (options.getBigQueryProject() == null ? "<project>" : options.getBigQueryProject())
                        + "."
                        + (options.getBigQueryDataset() == null ? dataset.domain() : options.getBigQueryDataset())
                        + "."
                        + dataset.tableName());
            default ->
                AthenaForm.createExternalTable(
                    dataset,
                    dataset.domain(),
                    dataset.tableName(),
                    Locations.join(Locations.normalizeRoot(options.getOutputRoot()), dataset.relativePath()),
                    partitionValues);
          });
    }
    return String.join(";\n\n", statements) + ";\n";
  }
}
