package io.analyticsetl.pipelines;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.Launcher;
import io.analyticsetl.common.sink.Sinks;

/** Runs a pipeline in-process as the bundled jar's entry point would, and keeps what it printed. */
public record Launch(int exitCode, String out, String err) {

  public static Launch of(String... args) {
    return with(Sinks::create, args);
  }

  /** Launches with the given sink factory (e.g. BigQuery with Beam's fake services). */
  public static Launch with(Sinks.Factory sinks, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        launch(
            Main.find(args[0]).orElseThrow(),
            Arrays.copyOfRange(args, 1, args.length),
            new Launcher(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                sinks));
    Launch launch = new Launch(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.err.print(launch.err);
    return launch;
  }

  private static <O extends EtlOptions> int launch(EtlPipeline<O> pipeline, String[] args, Launcher launcher) {
    return launcher.launch(pipeline, args);
  }
}
