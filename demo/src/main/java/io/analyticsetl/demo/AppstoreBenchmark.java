package io.analyticsetl.demo;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.testkit.appstore.AppleReportFiles;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Report;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code ./bench.sh appstore}: generates Apple-shaped raw segments (default 7.7 million engagement
 * rows over 92 apps x 30 processing days), then curates them with {@code appstore-curate} on the
 * DirectRunner and on FlinkRunner [local], and with DuckDB as a baseline doing the same curation
 * (typed columns, restatement rule, the same partitions), each in its own JVM; prints rows per
 * second (over the whole process, and over the curation alone, without JVM start-up), the ratio to
 * DuckDB and each engine's peak memory.
 *
 * <p>Arguments: {@code [--rows=N] [--full] [--engines=direct,flink,duckdb] [--dir=DIR]}; {@code --full}
 * curates all six reports, 15.3 million raw rows unless {@code --rows} says otherwise.
 */
public final class AppstoreBenchmark {

  private static final int APPS = 92;
  private static final int PROCESSING_DAYS = 30;
  private static final LocalDate LAST_PROCESSING = LocalDate.of(2026, 3, 31);

  private AppstoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    Long targetRows = null;
    boolean full = false;
    List<String> engines = List.of("duckdb", "direct", "flink");
    Path dir = Paths.get("target/bench").toAbsolutePath();
    for (String arg : args) {
      if (arg.startsWith("--rows=")) {
        targetRows = Long.parseLong(arg.substring(7).replace("_", ""));
      } else if (arg.equals("--full")) {
        full = true;
      } else if (arg.startsWith("--engines=")) {
        engines = List.of(arg.substring(10).split(","));
      } else if (arg.startsWith("--dir=")) {
        dir = Paths.get(arg.substring(6)).toAbsolutePath();
      }
    }
    // The seeds' scale: 7.7 million engagement rows, 15.3 million across the six reports.
    if (targetRows == null) {
      targetRows = full ? 15_300_000L : 7_700_000L;
    }
    List<Report> reports = full ? List.of(Report.values()) : List.of(Report.ENGAGEMENT);
    Path raw = dir.resolve("raw");
    long rawRows = generate(raw, reports, targetRows);

    List<String[]> results = new ArrayList<>();
    Double duckdbRate = null;
    for (String engine : engines) {
      Path out = dir.resolve("out-" + engine);
      deleteRecursively(out);
      Measured measured = run(engine, raw, out, reports);
      double rate = rawRows / measured.seconds();
      if (engine.equals("duckdb")) {
        duckdbRate = rate;
      }
      long curated = countCurated(out, reports);
      double inRun = measured.exitCode() == 0 ? runSeconds(engine, out) : Double.NaN;
      results.add(new String[] {
        engine, String.valueOf(rawRows), String.valueOf(curated), String.format(Locale.ROOT, "%.1f", measured.seconds()),
        String.format(Locale.ROOT, "%,.0f", rate),
        duckdbRate == null ? "-" : String.format(Locale.ROOT, "%.2fx", rate / duckdbRate),
        String.format(Locale.ROOT, "%.1f", inRun), String.format(Locale.ROOT, "%,.0f", rawRows / inRun),
        String.format(Locale.ROOT, "%.0f MiB", measured.peakRssBytes() / 1024.0 / 1024.0),
        measured.exitCode() == 0 ? "ok" : "exit " + measured.exitCode()
      });
    }
    System.out.println();
    System.out.printf("appstore-curate benchmark: %s, %d apps x %d processing days, %d cores%n",
        full ? "all six reports" : "engagement", APPS, PROCESSING_DAYS, Runtime.getRuntime().availableProcessors());
    String format = "%-8s %12s %12s %9s %12s %10s %9s %12s %12s %6s%n";
    System.out.printf(format, "engine", "raw rows", "curated", "seconds", "rows/s", "vs DuckDB", "in run s", "in-run rows/s",
        "peak memory", "");
    for (String[] row : results) {
      System.out.printf(format, (Object[]) row);
    }
  }

  /**
   * Seconds of the curation itself, without starting the JVM: the run ledger's start to end for
   * the pipelines, the time DuckDB reports for its queries.
   */
  private static double runSeconds(String engine, Path out) throws IOException {
    if (engine.equals("duckdb")) {
      return Double.parseDouble(Files.readString(out.resolve(DuckDbCuration.SECONDS_FILE)).trim());
    }
    try (Stream<Path> ledgers = Files.list(out.resolve("_runs/appstore-curate"))) {
      Path ledger = ledgers.findFirst().orElseThrow(() -> new IOException("no run ledger under " + out));
      return RunLedger.fromJson(Files.readString(ledger)).seconds();
    }
  }

  /** Raw segments for every app and processing day: each instance restates its report's window. */
  private static long generate(Path raw, List<Report> reports, long targetRows) throws Exception {
    long perDayUnits = 0;
    for (Report report : reports) {
      perDayUnits += report.window;
    }
    int rowsPerDay = (int) Math.max(1, targetRows / ((long) APPS * PROCESSING_DAYS * perDayUnits));
    long rows = (long) rowsPerDay * APPS * PROCESSING_DAYS * perDayUnits;
    Path marker = raw.resolve("generated-" + rows + "-" + reports.size());
    if (Files.exists(marker)) {
      System.out.println("Reusing " + rows + " generated raw rows in " + raw);
      return rows;
    }
    deleteRecursively(raw);
    System.out.println("Generating " + rows + " raw rows (" + rowsPerDay + " per app and day) in " + raw + " ...");
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    List<Future<?>> work = new ArrayList<>();
    for (Report report : reports) {
      for (int app = 0; app < APPS; app++) {
        long appId = 1_500_000_000L + app;
        work.add(pool.submit(() -> {
          for (int p = 0; p < PROCESSING_DAYS; p++) {
            LocalDate processing = LAST_PROCESSING.minusDays(p);
            AppleReportFiles.writeRaw(raw, report, appId, processing, "instance-" + processing, "0",
                AppleReportFiles.segment(report, appId, processing, AppleReportFiles.metricDays(report, processing), rowsPerDay, Variant.PLAIN));
          }
          return null;
        }));
      }
    }
    for (Future<?> future : work) {
      future.get();
    }
    pool.shutdown();
    Files.createFile(marker);
    return rows;
  }

  private record Measured(double seconds, long peakRssBytes, int exitCode) {}

  private static Measured run(String engine, Path raw, Path out, List<Report> reports) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-cp", System.getProperty("java.class.path")));
    if (engine.equals("duckdb")) {
      command.add(DuckDbCuration.class.getName());
      command.add(raw.toString());
      command.add(out.toString());
      reports.forEach(r -> command.add(r.key));
    } else {
      command.add("io.analyticsetl.pipelines.Main");
      command.addAll(List.of("appstore-curate", "--rawRoot=" + raw, "--outputRoot=" + out, "--runDate=2026-04-01",
          "--startDate=2026-02-20", "--endDate=2026-03-31", "--progressIntervalSeconds=0",
          "--reports=" + String.join(",", reports.stream().map(r -> r.key).toList())));
      if (engine.equals("flink")) {
        command.addAll(List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"));
      }
    }
    System.out.println("Running " + engine + " ...");
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).inheritIO().start();
    long peak = 0;
    Path status = Paths.get("/proc", String.valueOf(process.pid()), "status");
    while (process.isAlive()) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmHWM:")) {
            peak = Math.max(peak, Long.parseLong(line.replaceAll("\\D", "")) * 1024);
          }
        }
      } catch (IOException gone) {
        // the process ended between two looks
      }
      Thread.sleep(200);
    }
    return new Measured((System.nanoTime() - start) / 1e9, peak, process.waitFor());
  }

  private static long countCurated(Path out, List<Report> reports) throws Exception {
    long total = 0;
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
      for (Report report : reports) {
        Path folder = out.resolve("appstore/curated/" + report.key);
        if (!Files.isDirectory(folder)) {
          continue;
        }
        try (var rs = statement.executeQuery("SELECT count(*) FROM read_parquet('" + folder + "/*/*/*.parquet')")) {
          rs.next();
          total += rs.getLong(1);
        }
      }
    }
    return total;
  }

  static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
