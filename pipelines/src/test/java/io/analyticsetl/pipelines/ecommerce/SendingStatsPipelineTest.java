package io.analyticsetl.pipelines.ecommerce;

import static io.analyticsetl.pipelines.RunOutputs.deadLetters;
import static io.analyticsetl.pipelines.RunOutputs.onlyLedger;
import static io.analyticsetl.pipelines.RunOutputs.parquetFiles;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.ecommerce.EcommerceSeed;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendingStatsPipelineTest {

  private static final String PIPELINE = "ecommerce-sending-stats";

  @TempDir Path out;

  /** The contract's definition, computed by PostgreSQL alone. */
  private static List<List<String>> expected(String url, LocalDate runDate) {
    return Sql.query(
        url,
        "SELECT account_id::text AS account, count(*)::text,"
            + " count(*) FILTER (WHERE category = 'automation')::text,"
            + " count(*) FILTER (WHERE category = 'campaign')::text,"
            + " count(*) FILTER (WHERE category = 'transactional')::text"
            + " FROM ecommerce.emails"
            + " WHERE sent_at >= TIMESTAMPTZ '" + runDate.minusDays(30) + " 00:00:00+00'"
            + "   AND sent_at < TIMESTAMPTZ '" + runDate + " 00:00:00+00'"
            + "   AND category IN ('automation', 'campaign', 'transactional')"
            + " GROUP BY account_id ORDER BY account_id");
  }

  private List<List<String>> output() {
    return Parquet.query(
        "SELECT account_id::text, emails_30d::text, automation_emails_30d::text,"
            + " campaign_emails_30d::text, transactional_emails_30d::text"
            + " FROM read_parquet('" + out + "/ecommerce/sending_stats_30d/*.parquet') ORDER BY account_id");
  }

  private String[] args(String url, LocalDate runDate) {
    return new String[] {
      PIPELINE, "--sourceJdbcUrl=" + url, "--outputRoot=" + out, "--runDate=" + runDate, "--sourceReadPartitions=3"
    };
  }

  @Test
  void equalsAnIndependentSqlComputationAndRebuildsCompletely() throws Exception {
    long seed = System.nanoTime();
    System.err.println("SendingStatsPipelineTest seed " + seed);
    LocalDate runDate = LocalDate.of(2026, 1, 1).plusDays(seed % 365);
    String url = LocalPostgres.newDatabase("stats");
    EcommerceSeed.createTables(url, "ecommerce");
    new EcommerceSeed(seed, runDate).seed(url, "ecommerce", EcommerceSeed.Size.small(), 1);

    Launch first = Launch.of(args(url, runDate));
    assertThat(first.err(), first.exitCode(), is(0));
    assertThat("seed " + seed, output(), equalTo(expected(url, runDate)));

    long inWindow = count(url, runDate, "TRUE");
    long unknown = count(url, runDate, "category NOT IN ('automation', 'campaign', 'transactional')");
    JsonNode stage = onlyLedger(out).get("stages").get("read_emails");
    assertThat(stage.get("read").asLong(), is(inWindow));
    assertThat(stage.get("dead_lettered").asLong(), is(unknown));
    List<JsonNode> letters = deadLetters(out, PIPELINE, runDate);
    assertThat(letters, hasSize((int) unknown));
    for (JsonNode letter : letters) {
      assertThat(letter.get("error").asText(), containsString("category in [automation, campaign, transactional]"));
      assertThat(letter.get("record").asText(), containsString("newsletter"));
    }

    // Full rebuild: an account whose emails are gone disappears, and no file of the first run stays.
    List<Path> firstFiles = parquetFiles(out);
    Sql.execute(url, "DELETE FROM ecommerce.emails WHERE account_id = 1");
    assertThat(Launch.of(args(url, runDate)).exitCode(), is(0));
    List<List<String>> rebuilt = output();
    assertThat(rebuilt, equalTo(expected(url, runDate)));
    assertThat(rebuilt.stream().anyMatch(row -> row.get(0).equals("1")), is(false));
    assertThat(parquetFiles(out).stream().anyMatch(firstFiles::contains), is(false));

    // Running again changes nothing.
    assertThat(Launch.of(args(url, runDate)).exitCode(), is(0));
    assertThat(output(), equalTo(rebuilt));
  }

  @Test
  void windowIsThirtyUtcDaysBeforeTheRunDate() {
    String url = LocalPostgres.newDatabase("stats_window");
    EcommerceSeed.createTables(url, "ecommerce");
    Sql.execute(
        url,
        "INSERT INTO ecommerce.emails VALUES"
            + " (1, 7, 'automation', '2026-01-30 00:00:00+00'),"       // first instant of the window
            + " (2, 7, 'campaign', '2026-01-30 00:59:59+01:00'),"      // Jan 29 23:59:59 UTC: outside
            + " (3, 7, 'transactional', '2026-02-28 23:59:59.999999+00'),"
            + " (4, 7, 'transactional', '2026-03-01 00:00:00+00'),"    // the run date itself: outside
            + " (5, 8, 'campaign', '2026-02-15 12:00:00-08:00'),"
            + " (6, 8, 'newsletter', '2026-02-15 12:00:00+00'),"       // unknown category: dead letter
            + " (7, 9, 'newsletter', '2026-02-16 12:00:00+00')");      // account with only a bad email
    Launch launch = Launch.of(args(url, LocalDate.of(2026, 3, 1)));
    assertThat(launch.err(), launch.exitCode(), is(0));
    assertThat(
        output(),
        contains(List.of("7", "2", "1", "0", "1"), List.of("8", "1", "0", "1", "0")));
    assertThat(
        Parquet.query(
            "SELECT DISTINCT strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')"
                + " FROM read_parquet('" + out + "/ecommerce/sending_stats_30d/*.parquet')"),
        contains(List.of("2026-03-01 00:00:00")));
    assertThat(deadLetters(out, PIPELINE, LocalDate.of(2026, 3, 1)), hasSize(2));
    assertThat(onlyLedger(out).get("balanced").asBoolean(), is(true));
    assertThat(launch.err(), not(containsString("Exception")));
  }

  private static long count(String url, LocalDate runDate, String condition) {
    return Long.parseLong(
        Sql.query(
                url,
                "SELECT count(*) FROM ecommerce.emails WHERE sent_at >= TIMESTAMPTZ '"
                    + runDate.minusDays(30)
                    + " 00:00:00+00' AND sent_at < TIMESTAMPTZ '"
                    + runDate
                    + " 00:00:00+00' AND "
                    + condition)
            .get(0)
            .get(0));
  }
}
