package io.analyticsetl.pipelines;

import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.ExitCode;
import io.analyticsetl.common.run.Launcher;
import io.analyticsetl.pipelines.acmeshop.AcmeshopPipeline;
import io.analyticsetl.pipelines.ads.AdsDailyPipeline;
import io.analyticsetl.pipelines.appstore.AppstoreCuratePipeline;
import io.analyticsetl.pipelines.appstore.AppstoreExtractPipeline;
import io.analyticsetl.pipelines.appstore.AppstoreVerifyPipeline;
import io.analyticsetl.pipelines.ecommerce.IntegrationUsagePipeline;
import io.analyticsetl.pipelines.ecommerce.SendingStatsPipeline;
import io.analyticsetl.pipelines.templates.TemplateLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The bundled jar's entry point: {@code java -jar analytics-etl-bundled.jar <pipeline> [--option=value ...]}.
 */
public final class Main {

  /** Every pipeline of the suite, by launch name. */
  public static final List<EtlPipeline<?>> PIPELINES =
      List.of(
          new AcmeshopPipeline(),
          new AdsDailyPipeline(),
          AppstoreExtractPipeline.daily(),
          AppstoreExtractPipeline.backfill(),
          new AppstoreCuratePipeline(),
          new AppstoreVerifyPipeline(),
          new IntegrationUsagePipeline(),
          new SendingStatsPipeline());

  private Main() {}

  public static void main(String[] args) {
    if (Launcher.verbose(args)) {
      showRunnerWarnings();
    }
    System.exit(run(args, System.out, System.err));
  }

  /**
   * The loggers simplelogger.properties turns off (the embedded Flink cluster's set-up noise and a
   * failed job's stack traces) log warnings again: a system property wins over the file.
   */
  private static void showRunnerWarnings() {
    Properties logging = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/simplelogger.properties")) {
      if (in != null) {
        logging.load(in);
      }
    } catch (IOException e) {
      return; // the defaults stay
    }
    logging.stringPropertyNames().stream()
        .filter(key -> key.startsWith("org.slf4j.simpleLogger.log.") && logging.getProperty(key).equals("off"))
        .forEach(key -> System.setProperty(key, "warn"));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      printUsage(args.length == 0 ? err : out);
      return args.length == 0 ? ExitCode.INVALID_OR_CHECK_FAILED : ExitCode.SUCCESS;
    }
    if (args[0].equals("launch")) {
      return new TemplateLauncher(out, err, System.getenv()).launch(Arrays.copyOfRange(args, 1, args.length));
    }
    Optional<EtlPipeline<?>> pipeline = known(args[0], err);
    return pipeline.isEmpty()
        ? ExitCode.INVALID_OR_CHECK_FAILED
        : launch(pipeline.get(), Arrays.copyOfRange(args, 1, args.length), out, err);
  }

  /** Checks a pipeline command line's options without running it: exit 0, or 2 naming the option. */
  public static int check(String[] args, PrintStream out, PrintStream err) {
    Optional<EtlPipeline<?>> pipeline = known(args[0], err);
    return pipeline.isEmpty()
        ? ExitCode.INVALID_OR_CHECK_FAILED
        : new Launcher(out, err).check(pipeline.get(), Arrays.copyOfRange(args, 1, args.length));
  }

  private static Optional<EtlPipeline<?>> known(String name, PrintStream err) {
    Optional<EtlPipeline<?>> pipeline = find(name);
    if (pipeline.isEmpty()) {
      err.println("unknown pipeline \"" + name + "\"; one of: " + String.join(", ", names()));
    }
    return pipeline;
  }

  public static Optional<EtlPipeline<?>> find(String name) {
    return PIPELINES.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static <O extends EtlOptions> int launch(
      EtlPipeline<O> pipeline, String[] args, PrintStream out, PrintStream err) {
    return new Launcher(out, err).launch(pipeline, args);
  }

  private static List<String> names() {
    return PIPELINES.stream().map(EtlPipeline::name).toList();
  }

  private static void printUsage(PrintStream stream) {
    stream.println("usage: <pipeline> [--option=value ...]   (<pipeline> --help lists its options)");
    stream.println("       launch --template=templates/<pipeline>.json [--environment=NAME] [--param name=value ...] [--dry-run | --help]");
    stream.println();
    stream.println("pipelines:");
    for (EtlPipeline<?> pipeline : PIPELINES) {
      stream.printf("  %-30s %s%n", pipeline.name(), pipeline.summary());
    }
  }
}
