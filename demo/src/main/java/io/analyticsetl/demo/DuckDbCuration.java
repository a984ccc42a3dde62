package io.analyticsetl.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The benchmark's baseline: appstore curation done by DuckDB alone — the raw segments read as TSV,
 * typed, the restatement rule (latest processing date per app and metric day), derived counts,
 * written as Parquet partitioned by dt and app_id.
 */
public final class DuckDbCuration {

  /** Where, under the output folder, the seconds the curation took are written for the benchmark. */
  static final String SECONDS_FILE = "_bench_seconds";

  private DuckDbCuration() {}

  public static void main(String[] args) throws Exception {
    String raw = args[0];
    String out = args[1];
    long start = System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = connection.createStatement()) {
      sql.execute("SET threads = " + Runtime.getRuntime().availableProcessors());
      for (int i = 2; i < args.length; i++) {
        String report = args[i];
        String folder = out + "/appstore/curated/" + report;
        new java.io.File(folder).mkdirs();
        String derived = switch (report) {
          case "engagement" ->
              ", CASE WHEN lower(\"Event\") = 'impression' THEN \"Counts\" ELSE 0 END AS impressions"
                  + ", CASE WHEN lower(\"Event\") = 'page view' THEN \"Counts\" ELSE 0 END AS page_views"
                  + ", CASE WHEN lower(\"Event\") = 'tap' THEN \"Counts\" ELSE 0 END AS taps";
          case "installs" ->
              ", CASE WHEN lower(\"Event\") = 'install' THEN \"Counts\" ELSE 0 END AS installs"
                  + ", CASE WHEN lower(\"Event\") = 'delete' THEN \"Counts\" ELSE 0 END AS deletions";
          default -> "";
        };
        sql.execute(
            "COPY ("
                + " WITH raw AS ("
                + "   SELECT *, CAST(regexp_extract(filename, 'dt=([0-9-]+)', 1) AS DATE) AS processing_date"
                + "   FROM read_csv('" + raw + "/appstore/raw/" + report + "/dt=*/app_id=*/*.tsv.gz',"
                + "     delim = '\t', header = true, filename = true, union_by_name = true)),"
                + " latest AS ("
                + "   SELECT *, max(processing_date) OVER (PARTITION BY \"App Apple Identifier\", \"Date\") AS newest FROM raw)"
                + " SELECT CAST(\"Date\" AS DATE) AS metric_date, \"App Name\" AS app_name,"
                + "   CAST(\"App Apple Identifier\" AS BIGINT) AS app_id, processing_date,"
                + "   * EXCLUDE (\"Date\", \"App Name\", \"App Apple Identifier\", filename, processing_date, newest)"
                + derived + ","
                + "   CAST(\"Date\" AS DATE) AS dt"
                + " FROM latest WHERE processing_date = newest"
                + ") TO '" + folder + "' (FORMAT PARQUET, PARTITION_BY (dt, app_id), OVERWRITE_OR_IGNORE)");
      }
    }
    Files.writeString(Path.of(out, SECONDS_FILE), String.valueOf((System.nanoTime() - start) / 1e9));
  }
}
