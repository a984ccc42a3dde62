package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.appstore.AppleReportFiles;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Report;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** appstore-verify over curated data it can pass or fail. */
class AppstoreVerifyTest {

  private static final long APP = 1506886061L;
  private static final LocalDate LAST_PROCESSING = LocalDate.of(2026, 3, 20);

  @TempDir Path root;

  private void land(Variant latestVariant, int latestRows) {
    for (Report report : List.of(Report.DOWNLOADS, Report.SESSIONS)) {
      for (int p = 9; p >= 0; p--) {
        LocalDate processing = LAST_PROCESSING.minusDays(p);
        boolean latest = p == 0;
        AppleReportFiles.writeRaw(root, report, APP, processing, "inst" + p, "0",
            AppleReportFiles.segment(report, APP, processing, AppleReportFiles.metricDays(report, processing),
                latest ? latestRows : 12, latest && report == Report.DOWNLOADS ? latestVariant : Variant.PLAIN));
      }
    }
  }

  private Launch run(String pipeline, LocalDate runDate, String... more) {
    return Launch.of(java.util.stream.Stream.concat(
            java.util.stream.Stream.of(pipeline, "--outputRoot=" + root, "--runDate=" + runDate, "--reports=downloads,sessions",
                "--startDate=2026-03-01", "--endDate=" + runDate.minusDays(1)),
            java.util.stream.Stream.of(more))
        .toArray(String[]::new));
  }

  private JsonNode report(LocalDate runDate) throws Exception {
    return Json.MAPPER.readTree(root.resolve("_reports/appstore-verify/" + runDate + ".json").toFile());
  }

  private static List<String> failed(JsonNode report) {
    List<String> failed = new ArrayList<>();
    report.path("checks").forEach(c -> {
      if (!c.path("passed").asBoolean()) {
        failed.add(c.path("check").asText() + " " + c.path("dataset").asText());
      }
    });
    return failed;
  }

  @Test
  void passesFreshConsistentDataAndWritesItsReport() throws Exception {
    land(Variant.PLAIN, 12);
    LocalDate runDate = LAST_PROCESSING.plusDays(1);
    assertThat(run("appstore-curate", runDate).exitCode(), is(0));
    Launch verify = run("appstore-verify", runDate);
    assertThat(verify.err(), verify.exitCode(), is(0));
    JsonNode report = report(runDate);
    assertThat(failed(report).toString(), report.path("passed").asBoolean(), is(true));
    assertThat(report.path("rows_per_day").path("downloads").size() > 5, is(true));
    String html = Files.readString(root.resolve("_reports/appstore-verify/" + runDate + ".html"));
    assertThat(html, containsString("<svg"));
    assertThat(html, containsString("all checks passed"));

    // Its ledger counts the curated rows it read, each counted for the checks.
    RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(root, "appstore-verify").get(0)));
    long curated = Long.parseLong(Parquet.query(
        "SELECT count(*)::text FROM read_parquet('" + root + "/appstore/curated/downloads/*/*/*.parquet')").get(0).get(0));
    assertThat(curated > 0, is(true));
    assertThat(ledger.stages().get("read_downloads").read(), is(curated));
    assertThat(ledger.stages().get("read_downloads").filtered().get(AppstoreVerifyPipeline.COUNTED), is(curated));
    assertThat(ledger.balanced(), is(true));
    assertThat(Launch.of("appstore-verify", "--printDdl=athena").out(), is("-- this pipeline writes no tables\n"));
  }

  @Test
  void aConfiguredAppWithoutCuratedRowsFailsNamingTheApp() throws Exception {
    land(Variant.PLAIN, 12);
    LocalDate runDate = LAST_PROCESSING.plusDays(1);
    assertThat(run("appstore-curate", runDate).exitCode(), is(0));
    long silent = 1234567890L;
    Launch verify = run("appstore-verify", runDate, "--appIds=" + APP + "," + silent);
    assertThat(verify.err(), verify.exitCode(), is(2));
    List<String> silentChecks = new ArrayList<>();
    report(runDate).path("checks").forEach(c -> {
      if (!c.path("passed").asBoolean()) {
        silentChecks.add(c.path("check").asText() + " " + c.path("dataset").asText() + " " + c.path("app_id").asLong()
            + ": " + c.path("detail").asText());
      }
    });
    assertThat(silentChecks, is(List.of(
        "freshness downloads " + silent + ": no curated rows of this app since " + runDate.minusDays(AppstoreVerifyPipeline.FRESHNESS_HORIZON_DAYS),
        "freshness sessions " + silent + ": no curated rows of this app since " + runDate.minusDays(AppstoreVerifyPipeline.FRESHNESS_HORIZON_DAYS))));
  }

  @Test
  void staleDataDriftAndAFallingRowCountFailWithExitTwo() throws Exception {
    land(new Variant(false, true, false, false, false), 3);
    LocalDate runDate = LAST_PROCESSING.plusDays(1);
    assertThat(run("appstore-curate", runDate).exitCode(), is(0));
    Launch verify = run("appstore-verify", runDate);
    assertThat(verify.exitCode(), is(2));
    List<String> failed = failed(report(runDate));
    assertThat(failed.toString(), failed.contains("header_drift downloads"), is(true));
    assertThat(failed.toString(), failed.contains("row_count_band downloads"), is(true));
    assertThat(failed.toString(), failed.contains("freshness downloads"), is(false));

    // Ten days later nothing new has landed: every dataset is stale.
    LocalDate later = runDate.plusDays(10);
    Launch stale = run("appstore-verify", later);
    assertThat(stale.exitCode(), is(2));
    assertThat(stale.err(), containsString("freshness downloads"));
    assertThat(failed(report(later)).contains("freshness sessions"), is(true));

    // Half a year later its rows are past the freshness horizon: not read, and the dataset fails as empty.
    LocalDate muchLater = runDate.plusDays(180);
    Launch gone = Launch.of("appstore-verify", "--outputRoot=" + root, "--runDate=" + muchLater, "--reports=downloads");
    assertThat(gone.exitCode(), is(2));
    assertThat(report(muchLater).path("checks").get(0).path("detail").asText(),
        is("no curated rows since " + muchLater.minusDays(AppstoreVerifyPipeline.FRESHNESS_HORIZON_DAYS)));
    RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(root, "appstore-verify").get(2)));
    assertThat(ledger.stages().containsKey("read_downloads") ? ledger.stages().get("read_downloads").read() : 0L, is(0L));
  }

  @Test
  void anotherAppsDriftDoesNotFailTheAppsChecked() throws Exception {
    land(Variant.PLAIN, 12);
    LocalDate runDate = LAST_PROCESSING.plusDays(1);
    assertThat(run("appstore-curate", runDate).exitCode(), is(0));
    long other = 1234567890L;
    AppleReportFiles.writeRaw(root, Report.DOWNLOADS, other, LAST_PROCESSING, "drifted", "0",
        AppleReportFiles.segment(Report.DOWNLOADS, other, LAST_PROCESSING, AppleReportFiles.metricDays(Report.DOWNLOADS, LAST_PROCESSING),
            12, new Variant(false, true, false, false, false)));
    Launch mine = run("appstore-verify", runDate, "--appIds=" + APP);
    assertThat(mine.err(), mine.exitCode(), is(0));
    Launch every = run("appstore-verify", runDate);
    assertThat(every.exitCode(), is(2));
    assertThat(failed(report(runDate)).toString(), failed(report(runDate)).contains("header_drift downloads"), is(true));
  }

  @Test
  void aDayWithoutRowsBetweenDaysWithRowsFailsNamingTheDay() throws Exception {
    land(Variant.PLAIN, 12);
    LocalDate runDate = LAST_PROCESSING.plusDays(1);
    assertThat(run("appstore-curate", runDate).exitCode(), is(0));
    // The downloads of one day in the middle of the range are gone.
    Path day = root.resolve("appstore/curated/downloads/dt=2026-03-10");
    try (var files = Files.walk(day)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    Launch verify = run("appstore-verify", runDate);
    assertThat(verify.exitCode(), is(2));
    JsonNode report = report(runDate);
    assertThat(failed(report), is(List.of("missing_days downloads")));
    List<String> details = new ArrayList<>();
    report.path("checks").forEach(c -> {
      if (c.path("check").asText().equals("missing_days")) {
        details.add(c.path("dataset").asText() + ": " + c.path("detail").asText());
      }
    });
    assertThat(details.get(0), is("downloads: 1 day(s) without rows between days with rows: [2026-03-10]"));
    assertThat(details.get(1), containsString("sessions: no day without rows between"));

    // Not checked for datasets left out of --gapChecks; an unknown dataset there is refused.
    assertThat(Launch.of("appstore-verify", "--outputRoot=" + root, "--runDate=" + runDate, "--reports=downloads,sessions",
        "--startDate=2026-03-01", "--endDate=" + runDate.minusDays(1), "--gapChecks=sessions").exitCode(), is(0));
    Launch refused = Launch.of("appstore-verify", "--outputRoot=" + root, "--runDate=" + runDate, "--gapChecks=downlods");
    assertThat(refused.exitCode(), is(2));
    assertThat(refused.err(), containsString("gapChecks"));
  }
}
