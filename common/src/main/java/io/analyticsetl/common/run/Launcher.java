package io.analyticsetl.common.run;

import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.LedgerMetrics;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.ledger.StageCounts;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.schema.Ddl;
import io.analyticsetl.common.secrets.Redaction;
import io.analyticsetl.common.sink.DatasetSink;
import io.analyticsetl.common.sink.PathStyleS3ClientBuilderFactory;
import io.analyticsetl.common.sink.Sinks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs one pipeline from command-line arguments: {@code --help}, option parsing and checks (exit
 * 2 naming the option), preflight, the Beam run, the run ledger (written for failed runs too) and
 * the exit status with a one-line cause.
 */
public final class Launcher {

  private static final Pattern UNKNOWN_OPTION = Pattern.compile("missing a property named '([^']+)'");

  private final PrintStream out;
  private final PrintStream err;
  private final Sinks.Factory sinks;

  public Launcher(PrintStream out, PrintStream err) {
    this(out, err, Sinks::create);
  }

  /** A launcher whose runs write through {@code sinks} (tests pass sinks with fake services). */
  public Launcher(PrintStream out, PrintStream err, Sinks.Factory sinks) {
    this.out = out;
    this.err = err;
    this.sinks = sinks;
  }

  /** Parses and checks the options as a launch does, running nothing: exit 0, or 2 naming the option. */
  public <O extends EtlOptions> int check(EtlPipeline<O> definition, String... args) {
    register(definition);
    args = withJoinedValues(definition.optionsClass(), args);
    try {
      checked(definition, PipelineOptionsFactory.fromArgs(withRunnerDefaults(args)).as(definition.optionsClass()));
      return ExitCode.SUCCESS;
    } catch (InvalidOptionException | IllegalArgumentException e) {
      return invalid(definition, e);
    }
  }

  public <O extends EtlOptions> int launch(EtlPipeline<O> definition, String... args) {
    register(definition);
    args = withJoinedValues(definition.optionsClass(), args);
    if (Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      out.println(definition.name() + ": " + definition.summary());
      out.println();
      PipelineOptionsFactory.printHelp(out, definition.optionsClass());
      return ExitCode.SUCCESS;
    }
    boolean verbose = verbose(args);

    O options;
    LocalDate runDate;
    String sinkKind;
    try {
      options = PipelineOptionsFactory.fromArgs(withRunnerDefaults(args)).as(definition.optionsClass());
      if (options.getPrintDdl() != null) {
        out.print(Ddl.render(options.getPrintDdl(), definition.datasets(), options, definition.partitionValues(options)));
        return ExitCode.SUCCESS;
      }
      checked(definition, options);
      runDate = OptionValues.runDate(options);
      sinkKind = Sinks.kind(options);
    } catch (InvalidOptionException | IllegalArgumentException e) {
      return invalid(definition, e);
    }

    options.setOutputRoot(Locations.normalizeRoot(options.getOutputRoot()));
    if (options.getS3PathStyleAccess()) {
      options.as(S3Options.class).setS3ClientFactoryClass(PathStyleS3ClientBuilderFactory.class);
    }
    Sinks.configure(options);
    FileSystems.setDefaultPipelineOptions(options);

    Instant startedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    String runId = RunIds.next(startedAt);
    SortedMap<String, StageCounts> stages = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    String status = RunLedger.SUCCEEDED;
    String cause = null;
    Throwable failure = null;
    PipelineResult result = null;
    try {
      definition.preflight(options);
      Sinks.preflight(options);
      DatasetSink sink = sinks.create(options, runId);
      RunContext run =
          new RunContext(definition.name(), runId, runDate, startedAt, options.getOutputRoot(), sink);
      Pipeline pipeline = Pipeline.create(options);
      definition.build(pipeline, options, run);
      run.finishGraph(pipeline);
      for (String note : run.notes()) {
        err.println(definition.name() + ": " + note);
        notes.add(note);
      }
      result = runWithHeartbeat(definition.name(), pipeline, startedAt, options);
      PipelineResult.State state = waitReportingProgress(definition.name(), result, startedAt, options);
      stages.putAll(LedgerMetrics.stages(result));
      for (String note : LedgerMetrics.notes(result)) {
        err.println(definition.name() + ": " + note);
        notes.add(note);
      }
      SortedMap<String, Long> failures = LedgerMetrics.failures(result);
      SortedMap<String, Long> failedChecks = LedgerMetrics.failedChecks(result);
      if (state != PipelineResult.State.DONE) {
        status = RunLedger.FAILED;
        cause = "the runner reported the run as " + state;
      } else if (!failures.isEmpty()) {
        status = RunLedger.FAILED;
        cause =
            String.join(
                "; ", failures.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList());
      } else if (!failedChecks.isEmpty()) {
        status = RunLedger.CHECKS_FAILED;
        cause =
            "checks failed: "
                + String.join(
                    "; ", failedChecks.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").toList());
      }
    } catch (InvalidOptionException e) {
      err.println(definition.name() + ": invalid option " + e.describe());
      return ExitCode.INVALID_OR_CHECK_FAILED;
    } catch (RuntimeException | Error e) {
      status = RunLedger.FAILED;
      cause = Failures.oneLine(e);
      failure = e;
      stages.putAll(countsSoFar(result));
    }

    RunLedger ledger =
        new RunLedger(
            definition.name(),
            runId,
            runDate.toString(),
            options.getRunner().getSimpleName(),
            sinkKind,
            redactedOptions(args),
            startedAt,
            Instant.now(),
            status,
            cause,
            stages,
            notes);
    if (!ledger.status().equals(RunLedger.FAILED) && !ledger.balanced()) {
      String unbalanced = "the run ledger does not balance: " + String.join("; ", ledger.unbalancedStages());
      ledger = withStatus(ledger, RunLedger.FAILED, ledger.cause() == null ? unbalanced : unbalanced + "; and " + ledger.cause());
    }
    String ledgerPath = Locations.join(options.getOutputRoot(), "_runs", definition.name(), runId + ".json");
    try {
      writeText(ledgerPath, Json.writePretty(ledger));
    } catch (IOException | RuntimeException e) {
      err.println(definition.name() + ": could not write the run ledger " + ledgerPath + ": " + Failures.oneLine(e));
      return ExitCode.FAILURE;
    }

    printSummary(ledger, ledgerPath);
    if (ledger.status().equals(RunLedger.SUCCEEDED)) {
      return ExitCode.SUCCESS;
    }
    if (ledger.status().equals(RunLedger.CHECKS_FAILED)) {
      err.println(definition.name() + ": " + ledger.cause());
      return ExitCode.INVALID_OR_CHECK_FAILED;
    }
    err.println(definition.name() + ": FAILED: " + ledger.cause());
    if (verbose && failure != null) {
      err.print(Failures.stackTrace(failure));
    }
    return ExitCode.FAILURE;
  }

  /** What a failed run counted before it stopped, when its runner still answers; else nothing. */
  private static SortedMap<String, StageCounts> countsSoFar(PipelineResult result) {
    if (result == null) {
      return new TreeMap<>();
    }
    try {
      return LedgerMetrics.stages(result);
    } catch (RuntimeException e) {
      return new TreeMap<>();
    }
  }

  private static void register(EtlPipeline<?> definition) {
    PipelineOptionsFactory.register(S3Options.class);
    PipelineOptionsFactory.register(BigQueryOptions.class);
    PipelineOptionsFactory.register(definition.optionsClass());
  }

  /** Every check that needs no connection: run date, sink combination, the pipeline's own. */
  private static <O extends EtlOptions> void checked(EtlPipeline<O> definition, O options) {
    OptionValues.runDate(options);
    OptionValues.outputLocation("outputRoot", options.getOutputRoot());
    Sinks.validate(options);
    definition.validate(options);
  }

  private int invalid(EtlPipeline<?> definition, RuntimeException e) {
    String what = e instanceof InvalidOptionException invalid ? invalid.describe() : describeParseError((IllegalArgumentException) e);
    err.println(definition.name() + ": invalid option " + what);
    return ExitCode.INVALID_OR_CHECK_FAILED;
  }

  /**
   * Runs the pipeline. Runners whose run() returns only when the job ends (Flink in batch mode)
   * report no counts until then, so while run() blocks a line says the run is alive; the counts
   * follow when it ends (and are live in the Flink web UI).
   */
  private PipelineResult runWithHeartbeat(String name, Pipeline pipeline, Instant startedAt, EtlOptions options) {
    int interval = options.getProgressIntervalSeconds();
    if (interval <= 0) {
      return pipeline.run();
    }
    ScheduledExecutorService heartbeat =
        Executors.newSingleThreadScheduledExecutor(task -> {
          Thread thread = new Thread(task, "progress-" + name);
          thread.setDaemon(true);
          return thread;
        });
    heartbeat.scheduleAtFixedRate(
        () -> err.printf("%s: running %d s (%s reports rows when the job ends)%n", name,
            java.time.Duration.between(startedAt, Instant.now()).toSeconds(), options.getRunner().getSimpleName()),
        interval, interval, TimeUnit.SECONDS);
    try {
      return pipeline.run();
    } finally {
      heartbeat.shutdownNow();
    }
  }

  /**
   * Waits for the run, printing a progress line on stderr every --progressIntervalSeconds with the
   * ledger counts so far (runners that run the job inside {@code run()}, like Flink batch, have
   * finished by the time this is called and print nothing).
   */
  private PipelineResult.State waitReportingProgress(
      String pipeline, PipelineResult result, Instant startedAt, EtlOptions options) {
    int interval = options.getProgressIntervalSeconds();
    if (interval <= 0) {
      return result.waitUntilFinish();
    }
    while (true) {
      PipelineResult.State state =
          result.waitUntilFinish(org.joda.time.Duration.standardSeconds(interval));
      if (state != null && state.isTerminal()) {
        return state;
      }
      SortedMap<String, StageCounts> soFar;
      try {
        soFar = LedgerMetrics.stages(result);
      } catch (RuntimeException metricsNotAvailableYet) {
        continue;
      }
      long elapsed = java.time.Duration.between(startedAt, Instant.now()).toSeconds();
      SortedMap<String, Long> work = LedgerMetrics.progress(result);
      long done = work.getOrDefault("done", 0L);
      long total = work.getOrDefault("total", 0L);
      String progress =
          total == 0
              ? ""
              : String.format(
                  ", done %d/%d%s", done, total,
                  done == 0 ? "" : ", ETA " + (elapsed * (total - done) / done) + " s");
      err.printf(
          "%s: running %d s%s: rows read %d, written %d, dead-lettered %d%n",
          pipeline,
          elapsed,
          progress,
          RunSummary.rowsRead(soFar),
          RunSummary.rowsWritten(soFar),
          RunSummary.rowsDeadLettered(soFar));
    }
  }

  private static RunLedger withStatus(RunLedger ledger, String status, String cause) {
    return new RunLedger(
        ledger.pipeline(),
        ledger.runId(),
        ledger.runDate(),
        ledger.runner(),
        ledger.sink(),
        ledger.options(),
        ledger.startedAt(),
        ledger.endedAt(),
        status,
        cause,
        ledger.stages(),
        ledger.notes());
  }

  private void printSummary(RunLedger ledger, String ledgerPath) {
    err.printf(
        "%s %s in %.1f s: rows read %d, written %d, dead-lettered %d; ledger %s%n",
        ledger.pipeline(),
        ledger.status(),
        ledger.seconds(),
        RunSummary.rowsRead(ledger),
        RunSummary.rowsWritten(ledger),
        RunSummary.rowsDeadLettered(ledger),
        ledgerPath);
  }

  /** Whether the command line asks for {@code --verbose} (read before Beam parses it, for logging). */
  public static boolean verbose(String... args) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--verbose") || a.equals("--verbose=true"));
  }

  /**
   * Beam reads only {@code --name=value}; {@code --name value} (as the old acmeshop CLI had it, {@code
   * --job user_analytics}) is joined into that form when {@code name} is an option that takes a value.
   * Boolean options are left alone: {@code --verbose} followed by a value is not theirs.
   */
  static String[] withJoinedValues(Class<? extends PipelineOptions> optionsClass, String[] args) {
    List<String> joined = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      boolean takesNext = arg.startsWith("--") && !arg.contains("=") && i + 1 < args.length
          && !args[i + 1].startsWith("--") && takesValue(optionsClass, arg.substring(2));
      if (takesNext) {
        joined.add(arg + "=" + args[++i]);
      } else {
        joined.add(arg);
      }
    }
    return joined.toArray(String[]::new);
  }

  private static boolean takesValue(Class<? extends PipelineOptions> optionsClass, String name) {
    if (name.isEmpty()) {
      return false;
    }
    String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    Stream<Class<? extends PipelineOptions>> interfaces =
        Stream.concat(Stream.of(optionsClass), PipelineOptionsFactory.getRegisteredOptions().stream());
    return interfaces
        .flatMap(i -> Arrays.stream(i.getMethods()))
        .anyMatch(m -> m.getName().equals(getter) && m.getParameterCount() == 0
            && m.getReturnType() != boolean.class && m.getReturnType() != Boolean.class);
  }

  /**
   * The DirectRunner's immutability and encodability checks make real runs many times slower; they
   * stay on in unit tests (TestPipeline) and are off here unless asked for.
   */
  private static String[] withRunnerDefaults(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    boolean direct =
        all.stream().noneMatch(a -> a.startsWith("--runner=")) || all.contains("--runner=DirectRunner");
    if (direct) {
      if (all.stream().noneMatch(a -> a.startsWith("--enforceImmutability"))) {
        all.add("--enforceImmutability=false");
      }
      if (all.stream().noneMatch(a -> a.startsWith("--enforceEncodability"))) {
        all.add("--enforceEncodability=false");
      }
      if (all.stream().noneMatch(a -> a.startsWith("--blockOnRun"))) {
        all.add("--blockOnRun=false"); // so that the launcher can print progress while it waits
      }
    }
    return all.toArray(String[]::new);
  }

  private static String describeParseError(IllegalArgumentException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    Matcher unknown = UNKNOWN_OPTION.matcher(message);
    if (unknown.find()) {
      return "--" + unknown.group(1) + ": no such option (see --help)";
    }
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }

  static Map<String, String> redactedOptions(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      String value = eq < 0 ? "true" : arg.substring(eq + 1);
      options.put(name, Redaction.optionValue(name, value));
    }
    return options;
  }

  private static void writeText(String path, String text) throws IOException {
    ResourceId file = FileSystems.matchNewResource(path, false);
    try (WritableByteChannel channel = FileSystems.create(file, "application/json")) {
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
