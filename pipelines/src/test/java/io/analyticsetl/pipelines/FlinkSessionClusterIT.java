package io.analyticsetl.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Flink 1.19 session cluster (JobManager and TaskManager as separate JVMs, started from Maven
 * artifacts by scripts/flink-cluster.sh), the bundled jar submitted to it as a user would, the job
 * followed through the REST API, and its output compared with the DirectRunner's.
 */
class FlinkSessionClusterIT {

  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path ROOT = MODULE.getParent();
  private static final Path BUNDLE = MODULE.resolve("target/analytics-etl-bundled.jar");
  private static final LocalDate RUN_DATE = LocalDate.of(2026, 6, 1);

  @TempDir Path temp;

  @Test
  void runsAPipelineSubmittedToASessionCluster() throws Exception {
    String source = LocalPostgres.newDatabase("flink_cluster");
    EcommerceSeed.createTables(source, "ecommerce");
    new EcommerceSeed(17, RUN_DATE).seed(source, "ecommerce", EcommerceSeed.Size.small(), 1);
    int restPort = freePort();
    List<String> cluster = List.of("bash", ROOT.resolve("scripts/flink-cluster.sh").toString());

    Result started = run(concat(cluster, "start", "--rest-port", String.valueOf(restPort)));
    assertThat(started.output(), started.code(), is(0));
    try {
      for (String pipeline : List.of("ecommerce-integration-usage", "ecommerce-sending-stats")) {
        Result submitted =
            run(List.of(
                "java", "-jar", BUNDLE.toString(), pipeline,
                "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort, "--filesToStage=" + BUNDLE,
                "--parallelism=2", "--sourceJdbcUrl=" + source, "--outputRoot=" + temp.resolve("cluster"),
                "--runDate=" + RUN_DATE));
        assertThat(submitted.output(), submitted.code(), is(0));
        Launch direct =
            Launch.of(pipeline, "--sourceJdbcUrl=" + source, "--outputRoot=" + temp.resolve("direct"), "--runDate=" + RUN_DATE);
        assertThat(direct.err(), direct.exitCode(), is(0));
      }
      String jobs = get("http://127.0.0.1:" + restPort + "/jobs/overview");
      assertThat(jobs, containsString("\"state\":\"FINISHED\""));
      assertThat(jobs.split("\"state\":\"FINISHED\"", -1).length - 1, is(2));

      for (String dataset : List.of("integration_usage_daily/*", "sending_stats_30d")) {
        assertThat(dataset, rows(temp.resolve("cluster"), dataset), equalTo(rows(temp.resolve("direct"), dataset)));
      }
    } finally {
      Result stopped = run(concat(cluster, "stop"));
      assertThat(stopped.output(), stopped.code(), is(0));
    }
  }

  private static List<List<String>> rows(Path root, String dataset) {
    return Parquet.query(
        "SELECT * EXCLUDE (filename) FROM read_parquet('" + root + "/ecommerce/" + dataset
            + "/*.parquet', filename = true) ORDER BY ALL");
  }

  private record Result(int code, String output) {}

  private Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    builder.environment().put("FLINK_CLUSTER_HOME", temp.resolve("flink-cluster").toString());
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    String text = new String(output, StandardCharsets.UTF_8);
    System.err.println("$ " + String.join(" ", command) + "\n" + text);
    return new Result(process.exitValue(), text);
  }

  private static String get(String url) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static List<String> concat(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }
}
