package io.analyticsetl.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
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
      String rest = "http://127.0.0.1:" + restPort;
      List<String> finished = new ArrayList<>();
      for (String pipeline : List.of("ecommerce-integration-usage", "ecommerce-sending-stats")) {
        Process submission =
            start(List.of(
                "java", "-jar", BUNDLE.toString(), pipeline,
                "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort, "--filesToStage=" + BUNDLE,
                "--parallelism=2", "--sourceJdbcUrl=" + source, "--outputRoot=" + temp.resolve("cluster"),
                "--runDate=" + RUN_DATE), temp.resolve(pipeline + ".log"));
        // Followed through the REST API, as an operator's tooling would: the new job, until it ends.
        JsonNode job = awaitNewJobEnded(rest, finished, submission);
        assertThat(job.toString(), job.path("state").asText(), is("FINISHED"));
        finished.add(job.path("jid").asText());
        assertThat("the ledger's counters are the job's metrics",
            get(rest + "/jobs/" + job.path("jid").asText() + "/accumulators"), containsString("etl.ledger"));
        assertThat(submission.waitFor(2, TimeUnit.MINUTES), is(true));
        String output = java.nio.file.Files.readString(temp.resolve(pipeline + ".log"));
        System.err.println(output);
        assertThat(output, submission.exitValue(), is(0));
        Launch direct =
            Launch.of(pipeline, "--sourceJdbcUrl=" + source, "--outputRoot=" + temp.resolve("direct"), "--runDate=" + RUN_DATE);
        assertThat(direct.err(), direct.exitCode(), is(0));
      }

      for (String dataset : List.of("integration_usage_daily/*", "sending_stats_30d")) {
        assertThat(dataset, rows(temp.resolve("cluster"), dataset), equalTo(rows(temp.resolve("direct"), dataset)));
      }

      // A job that fails on the cluster (its source has no tables): exit 1, the cause in one line.
      String empty = LocalPostgres.newDatabase("flink_cluster_empty");
      Process failing =
          start(List.of(
              "java", "-jar", BUNDLE.toString(), "ecommerce-sending-stats",
              "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:" + restPort, "--filesToStage=" + BUNDLE,
              "--sourceJdbcUrl=" + empty, "--outputRoot=" + temp.resolve("failing"), "--runDate=" + RUN_DATE),
              temp.resolve("failing.log"));
      assertThat(failing.waitFor(5, TimeUnit.MINUTES), is(true));
      String output = java.nio.file.Files.readString(temp.resolve("failing.log"));
      System.err.println(output);
      assertThat(output, failing.exitValue(), is(1));
      assertThat(output, containsString("does not exist"));
      assertThat("no stack trace without --verbose", output, not(containsString("\tat ")));
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

  private Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Polls /jobs/overview until a job not in {@code seen} reaches a terminal state. */
  private static JsonNode awaitNewJobEnded(String rest, List<String> seen, Process submission) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      for (JsonNode job : Json.MAPPER.readTree(get(rest + "/jobs/overview")).path("jobs")) {
        String state = job.path("state").asText();
        if (!seen.contains(job.path("jid").asText()) && List.of("FINISHED", "FAILED", "CANCELED").contains(state)) {
          return job;
        }
      }
      if (!submission.isAlive() && submission.exitValue() != 0) {
        throw new AssertionError("the submission ended with exit " + submission.exitValue() + " before its job ended");
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no new job ended within 5 minutes: " + get(rest + "/jobs/overview"));
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
