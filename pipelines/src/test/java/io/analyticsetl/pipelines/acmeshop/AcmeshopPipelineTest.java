package io.analyticsetl.pipelines.acmeshop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.acmeshop.AcmeshopSeed;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acmeshop-analytics on generated shops, in both layouts, against an independent SQL computation
 * of every definition in the issue.
 */
public class AcmeshopPipelineTest {

  private static final String PIPELINE = "acmeshop-analytics";
  private static final String PII_KEY = "test-only-pii-key"; // set for the test JVM by the build

  @TempDir Path temp;

  private static final Map<String, String> OUTPUT_QUERIES = new LinkedHashMap<>();

  static {
    OUTPUT_QUERIES.put("user_activity_daily",
        "SELECT day, country, new_users, active_users, churned_users, total_users FROM %s");
    OUTPUT_QUERIES.put("order_metrics_daily",
        "SELECT day, currency, orders, cancelled_orders, refunded_orders, revenue, avg_order_value, unique_customers FROM %s");
    OUTPUT_QUERIES.put("product_sales_daily",
        "SELECT day, product_id, product_name, category, units_sold, revenue, revenue_7d, revenue_rank FROM %s");
    OUTPUT_QUERIES.put("payment_metrics_daily",
        "SELECT day, provider, method, currency, attempts, succeeded, failed, refunded, chargebacks, success_rate,"
            + " amount_captured, high_risk, fraud_signals, fraud_rate FROM %s");
    OUTPUT_QUERIES.put("notification_metrics_daily",
        "SELECT day, channel, sent, delivered, bounced, failed, opened, clicked, delivery_rate, open_rate, click_rate FROM %s");
    OUTPUT_QUERIES.put("users_dim",
        "SELECT user_id, email_token, phone_token, country, strftime(created_at AT TIME ZONE 'UTC', '%%Y-%%m-%%d %%H:%%M:%%S'),"
            + " strftime(deleted_at AT TIME ZONE 'UTC', '%%Y-%%m-%%d %%H:%%M:%%S') FROM %s");
  }

  @Test
  void bothLayoutsEqualAnIndependentComputationAndNoPiiLeaves() throws Exception {
    long seed = System.nanoTime();
    System.err.println("AcmeshopPipelineTest seed " + seed);
    LocalDate runDate = LocalDate.of(2026, 5, 1).plusDays(seed % 200);
    AcmeshopSeed shop = new AcmeshopSeed(seed, runDate, AcmeshopSeed.Size.small());
    String v2 = LocalPostgres.newDatabase("acme_v2");
    String v1 = LocalPostgres.newDatabase("acme_v1");
    shop.writeV2(v2, "acmeshop");
    shop.writeV1(v1, "acmeshop");
    LocalDate first = runDate.minusDays(40);
    LocalDate last = runDate.minusDays(1);

    Launch runV2 = Launch.of(args(v2, "v2", runDate, first, last));
    assertThat(runV2.err(), runV2.exitCode(), is(0));
    Launch runV1 = Launch.of(args(v1, "v1", runDate, first, last));
    assertThat(runV1.err(), runV1.exitCode(), is(0));
    assertThat(RunOutputs.onlyLedger(temp.resolve("v1")).path("notes").toString(), containsString("source layout v1"));

    Map<String, List<String>> expected = expected(v2, first, last);
    for (String dataset : OUTPUT_QUERIES.keySet()) {
      List<String> fromV2 = output(temp.resolve("v2"), dataset);
      assertThat("seed " + seed + " " + dataset, fromV2, equalTo(expected.get(dataset)));
      assertThat("seed " + seed + " " + dataset + " (v1)", output(temp.resolve("v1"), dataset), equalTo(fromV2));
      assertThat(dataset, fromV2.size(), greaterThan(0));
    }

    // A rerun changes nothing.
    assertThat(Launch.of(args(v2, "v2", runDate, first, last)).exitCode(), is(0));
    for (String dataset : OUTPUT_QUERIES.keySet()) {
      assertThat(dataset, output(temp.resolve("v2"), dataset), equalTo(expected.get(dataset)));
    }

    // Every kind of bad row is a dead letter with its reason, from the stage that read it.
    List<String> errors =
        RunOutputs.deadLetters(temp.resolve("v2"), PIPELINE, runDate).stream()
            .map(d -> d.get("stage").asText() + ": " + d.get("error").asText()).toList();
    for (String reason :
        List.of("read_users: deleted_at >= created_at", "read_users: country matches", "read_orders: currency in",
            "read_orders: total_amount >= 0", "read_orders: status in", "read_order_items: quantity >= 0",
            "read_order_items: product_id refers to an existing product", "read_order_items: product_name is required",
            "read_order_items: order_id refers to an existing order", "read_payments: order_id refers to an existing order",
            "read_payments: risk_score <= 100", "read_notifications: channel in", "read_notifications: status in",
            "read_sessions: user_id refers to an existing user", "read_orders: status is required",
            "read_order_items: order_status is required", "read_order_items: order_id is required",
            "read_orders: created_at is required", "read_payments: created_at is required",
            "read_order_items: order_currency in", "read_payments: order_currency in",
            "read_notifications: created_at is required", "read_sessions: started_at is required")) {
      assertThat(reason, errors.stream().anyMatch(e -> e.startsWith(reason.substring(0, reason.indexOf(':')))
          && e.contains(reason.substring(reason.indexOf(':') + 2))), is(true));
    }
    // Sessions of a user who is a dead letter are counted out in the ledger, not silently dropped.
    JsonNode sessionsByUser = RunOutputs.onlyLedger(temp.resolve("v1")).path("stages").path("sessions_by_user");
    assertThat(sessionsByUser.toString(), sessionsByUser.path("filtered").path(UserActivity.OF_INVALID_USER).asLong() > 0, is(true));
    assertThat(sessionsByUser.toString(), sessionsByUser.path("read").asLong(),
        is(sessionsByUser.path("written").asLong() + sessionsByUser.path("filtered").path(UserActivity.OF_INVALID_USER).asLong()));

    // The legacy layout's malformed JSON items: each element a dead letter saying what is wrong.
    List<String> legacyItemErrors =
        RunOutputs.deadLetters(temp.resolve("v1"), PIPELINE, runDate).stream()
            .filter(d -> d.get("stage").asText().equals("read_order_items"))
            .map(d -> d.get("error").asText()).toList();
    for (String reason :
        List.of("quantity \"two\" is not an integer", "product_id \"x1\" is not an integer id",
            "unit_price \"3,50\" is not an amount", "items element is a JSON number, not an object",
            "items is a JSON object, not an array", "order_status is required")) {
      assertThat(reason, legacyItemErrors.stream().anyMatch(e -> e.contains(reason)), is(true));
    }
    // One payment, every rule it failed.
    assertThat(errors.toString(), errors.stream().anyMatch(e -> e.startsWith("read_payments:") && e.contains("status in")
        && e.contains("amount >= 0") && e.contains("risk_score >= 0")), is(true));

    // No e-mail, name or phone number in any output, dead letter, ledger or log line.
    StringBuilder everything = new StringBuilder(runV1.err()).append(runV2.err()).append(runV1.out()).append(runV2.out());
    for (String dataset : OUTPUT_QUERIES.keySet()) {
      everything.append(Parquet.query("SELECT * FROM read_parquet('" + glob(temp.resolve("v1"), dataset) + "')"));
    }
    try (Stream<Path> files = Files.walk(temp)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")).toList()) {
        everything.append(Files.readString(file));
      }
    }
    String text = everything.toString().toLowerCase(Locale.ROOT);
    for (String pii : shop.personalData()) {
      assertThat("PII leaked: " + pii, text.contains(pii.toLowerCase(Locale.ROOT)), is(false));
    }

    // Every notification of a day disappears from the source: the rerun empties that day instead of
    // leaving the earlier run's figures behind.
    String busiest = Sql.query(v2, "SELECT (created_at AT TIME ZONE 'UTC')::date::text FROM acmeshop.notifications WHERE created_at"
        + " >= TIMESTAMPTZ '" + first + " 00:00:00+00' AND created_at < TIMESTAMPTZ '" + runDate.minusDays(5)
        + " 00:00:00+00' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").get(0).get(0);
    Sql.execute(v2, "DELETE FROM acmeshop.notifications WHERE (created_at AT TIME ZONE 'UTC')::date = DATE '" + busiest + "'");
    assertThat(Launch.of(args(v2, "v2", runDate, first, last)).exitCode(), is(0));
    List<String> notifications = output(temp.resolve("v2"), "notification_metrics_daily");
    assertThat(notifications, equalTo(expected(v2, first, last).get("notification_metrics_daily")));
    assertThat(notifications.stream().noneMatch(line -> line.startsWith(busiest)), is(true));
  }

  @Test
  void jobsAreSelectableAndTheOldJobNamesStillWork() {
    String url = LocalPostgres.newDatabase("acme_jobs");
    new AcmeshopSeed(3, LocalDate.of(2026, 5, 1), AcmeshopSeed.Size.small()).writeV2(url, "acmeshop");
    // As the old CLI was called: "--job user_analytics", the value as the next argument.
    Launch users =
        Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--outputRoot=" + temp, "--runDate=2026-05-01", "--job", "user_analytics",
            "--legacyJobs=true");
    assertThat(users.err(), users.exitCode(), is(0));
    assertThat(Files.isDirectory(temp.resolve("acmeshop/user_activity_daily")), is(true));
    assertThat(Files.exists(temp.resolve("acmeshop/order_metrics_daily")), is(false));
    JsonNode ledger = RunOutputs.onlyLedger(temp);
    assertThat(ledger.get("stages").has("read_orders"), is(false));

    Launch unknown = Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--jobs=users,refunds");
    assertThat(unknown.exitCode(), is(2));
    assertThat(unknown.err(), containsString("--jobs: unknown job \"refunds\""));

    Launch both = Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--jobs=orders", "--job=user_analytics", "--legacyJobs=true");
    assertThat(both.exitCode(), is(2));
    assertThat(both.err(), containsString("--job: is the old form of --jobs: give one of them, not both"));

    Launch noKey = Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--piiKeyEnv=NO_SUCH_VARIABLE_FOR_TESTS");
    assertThat(noKey.exitCode(), is(2));
    assertThat(noKey.err(), containsString("--piiKeyEnv"));

    Launch layout = Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--sourceSchemaVersion=v3");
    assertThat(layout.exitCode(), is(2));

    // The legacy job set is opt-in, as ENABLE_LEGACY_ETL made it for the old jobs.
    Launch legacyOff = Launch.of(PIPELINE, "--sourceJdbcUrl=" + url, "--job=order_analytics");
    assertThat(legacyOff.exitCode(), is(2));
    assertThat(legacyOff.err(), containsString("--job: the legacy job order_analytics is not enabled"));
    assertThat(AcmeshopOptions.LegacyJobsFromEnvironment.from(Map.of("ENABLE_LEGACY_ETL", "True")), is(true));
    assertThat(AcmeshopOptions.LegacyJobsFromEnvironment.from(Map.of("ENABLE_LEGACY_ETL", "false")), is(false));
    assertThat(AcmeshopOptions.LegacyJobsFromEnvironment.from(Map.of()), is(false));
    assertThat(AcmeshopOptions.SchemaVersionFromEnvironment.from(Map.of("ENABLE_V1_SCHEMA", "true")), is("v1"));
    assertThat(AcmeshopOptions.SchemaVersionFromEnvironment.from(Map.of("ENABLE_V1_SCHEMA", "0")), is("v2"));

    // A bad date is refused before the database is looked at (this one cannot be reached).
    Launch badDate = Launch.of(PIPELINE, "--sourceJdbcUrl=jdbc:postgresql://127.0.0.1:1/none", "--startDate=2026-02-30");
    assertThat(badDate.exitCode(), is(2));
    assertThat(badDate.err(), containsString("--startDate"));
    assertThat(Launch.of(PIPELINE, "--help").out(), containsString("--sourceSchemaVersion"));
  }


  private String[] args(String url, String layout, LocalDate runDate, LocalDate first, LocalDate last) {
    return new String[] {
      PIPELINE, "--sourceJdbcUrl=" + url, "--outputRoot=" + temp.resolve(layout), "--runDate=" + runDate,
      "--startDate=" + first, "--endDate=" + last, "--sourceSchemaVersion=" + layout
    };
  }

  private static String glob(Path root, String dataset) {
    return root + "/acmeshop/" + dataset + (dataset.equals("users_dim") ? "" : "/*") + "/*.parquet";
  }

  private static List<String> output(Path root, String dataset) {
    return normalised(
        Parquet.query(OUTPUT_QUERIES.get(dataset).formatted("read_parquet('" + glob(root, dataset) + "')")));
  }

  /** Numbers compared to 9 decimal places (rates are doubles), rows as sorted lines. */
  public static List<String> normalised(List<List<String>> rows) {
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      List<String> cells = new ArrayList<>();
      for (String cell : row) {
        if (cell != null && cell.matches("-?\\d+\\.\\d+(E-?\\d+)?")) {
          cell = new BigDecimal(cell).setScale(9, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        }
        cells.add(String.valueOf(cell));
      }
      lines.add(String.join("|", cells));
    }
    return lines.stream().sorted().toList();
  }

  private static final String ORDER_STATUSES = "('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')";

  /** Every definition of the issue, in PostgreSQL, over the v2 layout. */
  private static Map<String, List<String>> expected(String url, LocalDate first, LocalDate last) {
    String window = "created_at >= TIMESTAMPTZ '" + first + " 00:00:00+00' AND created_at < TIMESTAMPTZ '"
        + last.plusDays(1) + " 00:00:00+00'";
    String days = "SELECT d::date AS day FROM generate_series(DATE '" + first + "', DATE '" + last + "', interval '1 day') d";
    String validUsers = "SELECT user_id, COALESCE(country, 'ZZ') AS country, (created_at AT TIME ZONE 'UTC')::date AS cday,"
        + " (deleted_at AT TIME ZONE 'UTC')::date AS dday, created_at, deleted_at, email, phone FROM acmeshop.users"
        + " WHERE created_at IS NOT NULL AND (deleted_at IS NULL OR deleted_at >= created_at)"
        + " AND (country IS NULL OR country ~ '^[A-Z]{2}$')";
    String currencies = "('EUR', 'USD', 'GBP')";
    // An order's items and payments count only if the order itself is valid.
    String validOrder = "o.currency IN " + currencies + " AND o.total_amount >= 0 AND o.user_id IS NOT NULL"
        + " AND o.status IN " + ORDER_STATUSES;
    Map<String, List<String>> expected = new LinkedHashMap<>();
    Sql.execute(url, "CREATE EXTENSION IF NOT EXISTS pgcrypto");

    expected.put("user_activity_daily", normalised(Sql.query(url,
        "WITH days AS (" + days + "), u AS (" + validUsers + "),"
            + " s AS (SELECT DISTINCT s.user_id, (s.started_at AT TIME ZONE 'UTC')::date AS sday"
            + "   FROM acmeshop.user_sessions s JOIN u ON u.user_id = s.user_id),"
            + " new AS (SELECT days.day, u.country, count(*) AS n FROM days JOIN u ON u.cday = days.day GROUP BY 1, 2),"
            + " active AS (SELECT days.day, u.country, count(DISTINCT s.user_id) AS n FROM days"
            + "   JOIN s ON s.sday = days.day JOIN u ON u.user_id = s.user_id GROUP BY 1, 2),"
            + " latest AS (SELECT days.day, s.user_id, max(s.sday) AS last_session FROM days JOIN s ON s.sday <= days.day GROUP BY 1, 2),"
            + " churned AS (SELECT l.day, u.country, count(*) AS n FROM latest l JOIN u ON u.user_id = l.user_id"
            + "   WHERE l.last_session = l.day - 30 GROUP BY 1, 2),"
            + " total AS (SELECT days.day, u.country, count(*) AS n FROM days JOIN u"
            + "   ON u.cday <= days.day AND (u.dday IS NULL OR u.dday > days.day) GROUP BY 1, 2)"
            + " SELECT t.day, t.country, COALESCE(new.n, 0), COALESCE(active.n, 0), COALESCE(churned.n, 0), t.n"
            + " FROM total t LEFT JOIN new USING (day, country) LEFT JOIN active USING (day, country)"
            + " LEFT JOIN churned USING (day, country) WHERE t.n > 0")));

    List<List<String>> orders = Sql.query(url,
        "SELECT (created_at AT TIME ZONE 'UTC')::date, currency, count(*),"
            + " count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'refunded'),"
            + " COALESCE(sum(total_amount) FILTER (WHERE status NOT IN ('cancelled', 'refunded')), 0),"
            + " count(*) FILTER (WHERE status NOT IN ('cancelled', 'refunded')), count(DISTINCT user_id)"
            + " FROM acmeshop.orders WHERE " + window + " AND currency IN " + currencies
            + " AND total_amount >= 0 AND user_id IS NOT NULL AND status IN " + ORDER_STATUSES + " GROUP BY 1, 2");
    List<List<String>> orderRows = new ArrayList<>();
    for (List<String> row : orders) {
      long kept = Long.parseLong(row.get(6));
      String average = kept == 0 ? null
          : new BigDecimal(row.get(5)).divide(BigDecimal.valueOf(kept), 2, RoundingMode.HALF_EVEN).toPlainString();
      orderRows.add(java.util.Arrays.asList(row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5), average, row.get(7)));
    }
    expected.put("order_metrics_daily", normalised(orderRows));

    expected.put("product_sales_daily", normalised(Sql.query(url,
        "WITH items AS (SELECT oi.product_id, oi.quantity, oi.unit_price, (o.created_at AT TIME ZONE 'UTC')::date AS day,"
            + "   p.name, p.category FROM acmeshop.order_items oi JOIN acmeshop.orders o ON o.order_id = oi.order_id"
            + "   JOIN acmeshop.products p ON p.product_id = oi.product_id"
            + "   WHERE oi.quantity >= 0 AND oi.unit_price >= 0 AND p.name IS NOT NULL"
            + "   AND o.status IN ('placed', 'paid', 'shipped', 'delivered') AND " + validOrder + "),"
            + " daily AS (SELECT product_id, day, min(name) AS name, min(category) AS category, sum(quantity) AS units,"
            + "   sum(quantity * unit_price) AS revenue FROM items GROUP BY 1, 2),"
            + " rolled AS (SELECT d.*, (SELECT sum(d2.revenue) FROM daily d2 WHERE d2.product_id = d.product_id"
            + "   AND d2.day BETWEEN d.day - 6 AND d.day) AS revenue_7d FROM daily d)"
            + " SELECT day, product_id, name, category, units, revenue, revenue_7d,"
            + "   dense_rank() OVER (PARTITION BY day ORDER BY revenue DESC)"
            + " FROM rolled WHERE day BETWEEN DATE '" + first + "' AND DATE '" + last + "' AND units > 0")));

    expected.put("payment_metrics_daily", normalised(Sql.query(url,
        "SELECT (p.created_at AT TIME ZONE 'UTC')::date, p.provider, p.method, p.currency, count(*),"
            + " count(*) FILTER (WHERE p.status = 'succeeded'), count(*) FILTER (WHERE p.status = 'failed'),"
            + " count(*) FILTER (WHERE p.status = 'refunded'), count(*) FILTER (WHERE p.status = 'chargeback'),"
            + " (count(*) - count(*) FILTER (WHERE p.status = 'failed'))::float8 / count(*),"
            + " COALESCE(sum(p.amount) FILTER (WHERE p.status <> 'failed'), 0),"
            + " count(*) FILTER (WHERE p.risk_score >= 80),"
            + " count(*) FILTER (WHERE p.status = 'chargeback' OR p.failure_code = 'suspected_fraud' OR p.risk_score >= 90),"
            + " (count(*) FILTER (WHERE p.status = 'chargeback' OR p.failure_code = 'suspected_fraud' OR p.risk_score >= 90))::float8 / count(*)"
            + " FROM acmeshop.payments p JOIN acmeshop.orders o ON o.order_id = p.order_id"
            + " WHERE p." + window.replace("created_at <", "p.created_at <")
            + " AND p.currency IN " + currencies + " AND p.amount >= 0"
            + " AND (p.risk_score IS NULL OR p.risk_score BETWEEN 0 AND 100)"
            + " AND p.status IN ('succeeded', 'failed', 'refunded', 'chargeback') AND " + validOrder + " GROUP BY 1, 2, 3, 4")));

    expected.put("notification_metrics_daily", normalised(Sql.query(url,
        "SELECT (created_at AT TIME ZONE 'UTC')::date, channel, count(*) FILTER (WHERE status <> 'queued') AS sent,"
            + " count(delivered_at) AS delivered, count(*) FILTER (WHERE status = 'bounced'),"
            + " count(*) FILTER (WHERE status = 'failed'), count(opened_at), count(clicked_at),"
            + " CASE WHEN count(*) FILTER (WHERE status <> 'queued') = 0 THEN NULL"
            + "   ELSE count(delivered_at)::float8 / count(*) FILTER (WHERE status <> 'queued') END,"
            + " CASE WHEN count(delivered_at) = 0 THEN NULL ELSE count(opened_at)::float8 / count(delivered_at) END,"
            + " CASE WHEN count(delivered_at) = 0 THEN NULL ELSE count(clicked_at)::float8 / count(delivered_at) END"
            + " FROM acmeshop.notifications WHERE " + window + " AND channel IN ('email', 'sms', 'push')"
            + " AND status IN ('queued', 'sent', 'delivered', 'bounced', 'failed') GROUP BY 1, 2")));

    expected.put("users_dim", normalised(Sql.query(url,
        "SELECT user_id, encode(hmac(lower(trim(email)), '" + PII_KEY + "', 'sha256'), 'hex'),"
            + " CASE WHEN regexp_replace(phone, '\\D', '', 'g') = '' THEN NULL"
            + "   ELSE encode(hmac(regexp_replace(phone, '\\D', '', 'g'), '" + PII_KEY + "', 'sha256'), 'hex') END,"
            + " country, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
            + " to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM (" + validUsers + ") u")));
    return expected;
  }
}
