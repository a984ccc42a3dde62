package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.pipelines.Launch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option values the appstore pipelines refuse before anything starts: exit 2, the option named. */
class AppstoreOptionsTest {

  @TempDir Path out;

  @Test
  void noProcessingDaysIsRefused() {
    for (String days : new String[] {"0", "-7"}) {
      Launch daily = Launch.of("appstore-daily", "--appIds=1506886061", "--outputRoot=" + out, "--processingDays=" + days);
      assertThat(daily.err(), daily.exitCode(), is(2));
      assertThat(daily.err(), containsString("processingDays"));
    }
  }

  @Test
  void aBackfillReachingTheRunDateIsRefused() {
    Launch backfill = Launch.of("appstore-backfill", "--appIds=1506886061", "--outputRoot=" + out, "--runDate=2026-03-10",
        "--startDate=2026-03-01", "--endDate=2026-03-10");
    assertThat(backfill.err(), backfill.exitCode(), is(2));
    assertThat(backfill.err(), containsString("endDate"));
  }
}
