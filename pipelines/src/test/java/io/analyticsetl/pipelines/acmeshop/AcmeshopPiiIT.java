package io.analyticsetl.pipelines.acmeshop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.acmeshop.AcmeshopSeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled jar run as a user runs it, over the legacy layout (e-mail and name on every order),
 * with verbose output: no e-mail, name or phone number of the source in anything it writes, nor in
 * any line it logs (Beam's, the JDBC driver's and the libraries' log lines included, which a test
 * inside the build's JVM cannot see).
 */
class AcmeshopPiiIT {

  private static final Path BUNDLE = Path.of("").toAbsolutePath().resolve("target/analytics-etl-bundled.jar");

  @TempDir Path temp;

  @Test
  void noPersonalDataInAnyOutputOrLogLineOfARun() throws Exception {
    LocalDate runDate = LocalDate.of(2026, 6, 1);
    AcmeshopSeed shop = new AcmeshopSeed(42, runDate, AcmeshopSeed.Size.small());
    String url = LocalPostgres.newDatabase("acme_pii");
    shop.writeV1(url, "acmeshop");
    Path out = temp.resolve("out");
    ProcessBuilder builder =
        new ProcessBuilder(
                "java", "-jar", BUNDLE.toString(), "acmeshop-analytics", "--sourceJdbcUrl=" + url, "--outputRoot=" + out,
                "--runDate=" + runDate, "--startDate=" + runDate.minusDays(30), "--sourceSchemaVersion=v1", "--verbose=true")
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("run.log").toFile());
    builder.environment().put("ACMESHOP_PII_KEY", "an-integration-test-key");
    Process process = builder.start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES), is(true));
    String log = Files.readString(temp.resolve("run.log"));
    System.err.println(log);
    assertThat(log, process.exitValue(), is(0));
    assertThat(log, containsString("acmeshop-analytics SUCCEEDED"));

    StringBuilder everything = new StringBuilder(log);
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        everything.append(file.toString().endsWith(".parquet")
            ? Parquet.query("SELECT * FROM read_parquet('" + file + "')").toString()
            : new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
    }
    String text = everything.toString().toLowerCase(Locale.ROOT);
    List<String> personal = shop.personalData();
    assertThat(personal.isEmpty(), is(false));
    for (String pii : personal) {
      assertThat("PII leaked: " + pii, text.contains(pii.toLowerCase(Locale.ROOT)), is(false));
    }
  }
}
