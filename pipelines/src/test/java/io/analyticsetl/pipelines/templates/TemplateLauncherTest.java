package io.analyticsetl.pipelines.templates;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.pipelines.Main;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.appstore.AscKey;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateLauncherTest {

  private static final Path TEMPLATES = Path.of("").toAbsolutePath().getParent().resolve("templates");
  private static final String SENDING_STATS = TEMPLATES.resolve("ecommerce-sending-stats.json").toString();
  private static String source;

  @TempDir Path out;

  @BeforeAll
  static void sourceDatabase() {
    // The appstore pipelines' checks read the .p8 key the build names in $ASC_P8_PATH.
    Path p8 = Path.of(System.getenv("ASC_P8_PATH"));
    if (!Files.exists(p8)) {
      AscKey.generate(p8.getParent());
    }
    source = LocalPostgres.newDatabase("templates");
    EcommerceSeed.createTables(source, "ecommerce");
    new EcommerceSeed(23, LocalDate.of(2026, 3, 1)).seed(source, "ecommerce", EcommerceSeed.Size.small(), 1);
  }

  private record Result(int code, String out, String err) {}

  private static Result launch(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new TemplateLauncher(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment)
            .launch(args);
    Result result = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.err.print(result.out() + result.err());
    return result;
  }

  @Test
  void everyPipelineHasATemplateWhoseParametersAreItsOptions() throws Exception {
    for (EtlPipeline<?> pipeline : Main.PIPELINES) {
      Path file = TEMPLATES.resolve(pipeline.name() + ".json");
      assertThat(file + " exists", Files.exists(file), is(true));
      LaunchTemplate template = LaunchTemplate.read(file);
      assertThat(template.pipeline(), is(pipeline.name()));
      TemplateLauncher.checkAgainstOptions(template, pipeline); // throws on a parameter that is no option
      for (LaunchTemplate.Parameter parameter : template.parameters()) {
        assertThat(parameter.name(), parameter.pattern() != null, is(true));
        assertThat(file + " " + parameter.name(), parameter.help(), is(TemplateLauncher.help(pipeline, parameter.name())));
        String optionDefault = TemplateLauncher.optionDefault(pipeline, parameter.name());
        if (optionDefault != null && !optionDefault.equals("computed at launch")) {
          assertThat(file + " " + parameter.name() + " states its default", parameter.defaultValue() != null, is(true));
        }
      }
    }
  }

  @Test
  void everyEnvironmentOfEveryTemplatePassesThePipelinesOwnChecks() throws Exception {
    Map<String, String> ci = Map.of(
        "SOURCE_JDBC_URL", "jdbc:postgresql://db.internal:5432/shop", "TARGET_JDBC_URL", "jdbc:postgresql://warehouse:5432/analytics",
        "TARGET_JDBC_USER", "etl", "BIGQUERY_PROJECT", "acme-analytics", "BIGQUERY_TEMP_LOCATION", "gs://acme-etl/tmp",
        "FLINK_MASTER", "flink.internal:8081", "BUNDLED_JAR", "/opt/etl/analytics-etl-bundled.jar", "OUTPUT_ROOT", out.toString(),
        "ASC_APP_IDS", "1506886061", "ADS_ACCOUNTS", "meta:act_1234567");
    for (EtlPipeline<?> pipeline : Main.PIPELINES) {
      LaunchTemplate template = LaunchTemplate.read(TEMPLATES.resolve(pipeline.name() + ".json"));
      for (String environment : template.environments().keySet()) {
        List<String> args = new java.util.ArrayList<>(
            List.of("--template=" + TEMPLATES.resolve(pipeline.name() + ".json"), "--environment=" + environment, "--dry-run"));
        if (pipeline.name().equals("appstore-backfill")) {
          args.addAll(List.of("--param", "startDate=2026-01-01", "--param", "endDate=2026-01-31")); // a range, or --days
        }
        if (pipeline.name().equals("appstore-verify")) {
          args.addAll(List.of("--param", "gapChecks=")); // none: the gap checks off
        }
        Result result = launch(ci, args.toArray(String[]::new));
        assertThat(pipeline.name() + " on " + environment + ": " + result.err(), result.code(), is(0));
      }
    }
    // The dry run goes as far as the pipeline's checks: a JDBC sink without its URL is refused.
    Result noUrl = launch(Map.of("SOURCE_JDBC_URL", source), "--template=" + SENDING_STATS, "--environment=jdbc", "--dry-run");
    assertThat(noUrl.code(), is(2));
    assertThat(noUrl.err(), containsString("targetJdbcUrl"));
  }

  @Test
  void anEmptyVariableCountsAsUnset() {
    // CI passes a secret nobody defined as an empty string.
    Result result = launch(Map.of("SOURCE_JDBC_URL", source, "OUTPUT_ROOT", "", "TARGET_JDBC_URL", " "),
        "--template=" + SENDING_STATS, "--dry-run");
    assertThat(result.err(), result.code(), is(0));
    assertThat(result.out(), not(containsString("--outputRoot=")));
    Result required = launch(Map.of("SOURCE_JDBC_URL", ""), "--template=" + SENDING_STATS, "--dry-run");
    assertThat(required.code(), is(2));
    assertThat(required.err(), containsString("parameter sourceJdbcUrl is required"));
  }

  @Test
  void helpListsTheParametersWithTheirOptionsHelpAndDefaults() {
    Result result = launch(Map.of(), "--template=" + SENDING_STATS, "--help");
    assertThat(result.code(), is(0));
    assertThat(result.out(), containsString("sourceJdbcUrl (required)  [or $SOURCE_JDBC_URL]"));
    assertThat(result.out(), containsString("default: 4")); // sourceReadPartitions
    assertThat(result.out(), containsString("jdbc  sink jdbc"));
  }

  @Test
  void launchesOnTheDirectRunnerWithParametersFromArgumentsAndEnvironment() throws Exception {
    Result result =
        launch(
            Map.of("SOURCE_JDBC_URL", source),
            "--template=" + SENDING_STATS, "--param", "runDate=2026-03-01", "--param", "outputRoot=" + out);
    assertThat(result.err(), result.code(), is(0));
    assertThat(result.out(), containsString("launching: ecommerce-sending-stats --runner=DirectRunner --sink=parquet"));
    assertThat(ledger().runner(), is("DirectRunner"));
    assertThat(Files.isDirectory(out.resolve("ecommerce/sending_stats_30d")), is(true));
  }

  @Test
  void launchesOnFlinkLocalThroughItsEnvironment() throws Exception {
    Result result =
        launch(
            Map.of(),
            "--template=" + SENDING_STATS, "--environment=flink-local",
            "--param", "sourceJdbcUrl=" + source, "--param", "runDate=2026-03-01", "--param", "outputRoot=" + out);
    assertThat(result.err(), result.code(), is(0));
    assertThat(result.out(), containsString("--runner=FlinkRunner"));
    assertThat(ledger().runner(), is("FlinkRunner"));
  }

  @Test
  void refusesBadParametersBeforeAnythingStarts() {
    String[][] bad = {
      {"--template=" + SENDING_STATS, "--param", "sourceJdbcUrl=" + source, "--param", "runDate=2026-3-1"},
      {"--template=" + SENDING_STATS, "--param", "runDate=2026-03-01"},
      {"--template=" + SENDING_STATS, "--param", "sourceJdbcUrl=" + source, "--param", "noSuchParameter=1"},
      {"--template=" + SENDING_STATS, "--param", "sourceJdbcUrl=" + source, "--environment=flink-cluster"},
      {"--template=" + SENDING_STATS, "--param", "sourceJdbcUrl=" + source, "--environment=mars"},
    };
    String[] named = {"parameter runDate", "parameter sourceJdbcUrl is required", "parameter noSuchParameter",
        "environment variable FLINK_MASTER", "unknown environment mars"};
    for (int i = 0; i < bad.length; i++) {
      String[] args = Stream.concat(Stream.of(bad[i]), Stream.of("--param", "outputRoot=" + out)).toArray(String[]::new);
      Result result = launch(Map.of(), args);
      assertThat(named[i], result.code(), is(2));
      assertThat(result.err(), containsString(named[i]));
      assertThat(result.out(), not(containsString("launching")));
    }
    assertThat(Files.exists(out.resolve("_runs")), is(false));
  }

  @Test
  void printsTheCommandWithSecretsMasked() {
    Result result =
        launch(
            Map.of(),
            "--template=" + SENDING_STATS, "--dry-run",
            "--param", "sourceJdbcUrl=jdbc:postgresql://db:5432/shop?password=hunter2", "--param", "outputRoot=" + out);
    assertThat(result.code(), is(0));
    assertThat(result.out(), containsString("password=<redacted>"));
    assertThat(result.out() + result.err(), not(containsString("hunter2")));
  }

  private RunLedger ledger() throws Exception {
    try (Stream<Path> files = Files.walk(out.resolve("_runs"))) {
      List<Path> ledgers = files.filter(p -> p.toString().endsWith(".json")).toList();
      assertThat(ledgers.size(), is(1));
      return RunLedger.fromJson(Files.readString(ledgers.get(0)));
    }
  }
}
