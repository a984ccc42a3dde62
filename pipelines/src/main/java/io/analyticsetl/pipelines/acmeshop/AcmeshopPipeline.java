package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.NOTIFICATION_METRICS_DAILY;
import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.ORDER_METRICS_DAILY;
import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.PAYMENT_METRICS_DAILY;
import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.PRODUCT_SALES_DAILY;
import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.USERS_DIM;
import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.USER_ACTIVITY_DAILY;

import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.JdbcSources;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.common.values.DayRange;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code acmeshop-analytics}: user, order, payment and notification analytics of the shop's
 * PostgreSQL (v2 or legacy v1 layout) for each UTC day of [--startDate, --endDate] (default
 * runDate - 1), plus the tokenised users dimension. Each job reads only what its days need.
 */
public final class AcmeshopPipeline implements EtlPipeline<AcmeshopOptions> {

  static final List<String> JOBS = List.of("users", "orders", "payments", "notifications");
  /** The old CLI's job names. */
  static final Map<String, String> LEGACY_JOBS =
      Map.of(
          "user_analytics", "users",
          "order_analytics", "orders",
          "payment_analytics", "payments",
          "notification_analytics", "notifications");

  @Override
  public String name() {
    return "acmeshop-analytics";
  }

  @Override
  public String domain() {
    return AcmeshopDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return "User, order, payment and notification analytics from the shop's PostgreSQL.";
  }

  @Override
  public Class<AcmeshopOptions> optionsClass() {
    return AcmeshopOptions.class;
  }

  @Override
  public List<Dataset> datasets() {
    return List.of(
        USER_ACTIVITY_DAILY, USERS_DIM, ORDER_METRICS_DAILY, PRODUCT_SALES_DAILY,
        PAYMENT_METRICS_DAILY, NOTIFICATION_METRICS_DAILY);
  }

  @Override
  public void validate(AcmeshopOptions options) {
    JdbcSources.validate(options, AcmeshopDatasets.DOMAIN);
    jobs(options);
    days(options, OptionValues.runDate(options));
    if (!List.of("v1", "v2").contains(options.getSourceSchemaVersion())) {
      throw new InvalidOptionException(
          "sourceSchemaVersion", "must be v1 or v2, got \"" + options.getSourceSchemaVersion() + "\"");
    }
    if (jobs(options).contains("users")) {
      piiKey(options);
    }
  }

  @Override
  public void preflight(AcmeshopOptions options) {
    JdbcSources.database(options).checkReachable();
  }

  /** The jobs selected by --jobs (or the old --job), old names mapped to new ones. */
  static Set<String> jobs(AcmeshopOptions options) {
    boolean legacy = Boolean.TRUE.equals(options.getLegacyJobs());
    if (options.getJob() != null && !AcmeshopOptions.ALL_JOBS.equals(options.getJobs())) {
      throw new InvalidOptionException("job", "is the old form of --jobs: give one of them, not both");
    }
    String option = options.getJob() != null ? "job" : "jobs";
    String value = options.getJob() != null ? options.getJob() : options.getJobs();
    Set<String> jobs = new LinkedHashSet<>();
    for (String name : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
      if (LEGACY_JOBS.containsKey(name)) {
        if (!legacy) {
          throw new InvalidOptionException(
              option, "the legacy job " + name + " is not enabled (--legacyJobs=true or ENABLE_LEGACY_ETL=true); its new name is "
                  + LEGACY_JOBS.get(name));
        }
        name = LEGACY_JOBS.get(name);
      }
      if (!JOBS.contains(name)) {
        throw new InvalidOptionException(option, "unknown job \"" + name + "\"; jobs are " + String.join(", ", JOBS));
      }
      jobs.add(name);
    }
    if (jobs.isEmpty()) {
      throw new InvalidOptionException(option, "names no job");
    }
    return jobs;
  }

  static Secret piiKey(AcmeshopOptions options) {
    Secret key = Secret.fromEnvironment(options.getPiiKeyEnv());
    if (key.isEmpty()) {
      throw new InvalidOptionException(
          "piiKeyEnv", "the environment variable " + options.getPiiKeyEnv() + " holding the PII key is not set");
    }
    return key;
  }

  static DayRange days(AcmeshopOptions options, LocalDate runDate) {
    LocalDate yesterday = runDate.minusDays(1);
    LocalDate start = options.getStartDate() == null ? null : OptionValues.date("startDate", options.getStartDate());
    LocalDate end = options.getEndDate() == null ? null : OptionValues.date("endDate", options.getEndDate());
    LocalDate first = start != null ? start : end != null ? end : yesterday;
    LocalDate last = end != null ? end : start != null && start.isAfter(yesterday) ? start : yesterday;
    if (last.isBefore(first)) {
      throw new InvalidOptionException("endDate", "must not be before --startDate (" + first + ")");
    }
    return new DayRange(first, last);
  }

  @Override
  public void build(Pipeline pipeline, AcmeshopOptions options, RunContext run) {
    DayRange days = days(options, run.runDate());
    Set<String> jobs = jobs(options);
    if (options.getSourceSchemaVersion().equals("v1")) {
      // It may come from ENABLE_V1_SCHEMA rather than the command line: the ledger says which was read.
      run.note("source layout v1 (legacy) read");
    }
    AcmeshopSources sources =
        new AcmeshopSources(
            pipeline,
            run,
            JdbcSources.database(options),
            JdbcSources.schema(options, AcmeshopDatasets.DOMAIN),
            options.getSourceSchemaVersion());

    if (jobs.contains("users")) {
      PCollection<Row> users = sources.users(new PiiTokens(piiKey(options)));
      PCollection<Row> sessions = sources.sessions(days.first().minusDays(UserActivity.CHURN_DAYS), days.last());
      run.write(USER_ACTIVITY_DAILY, users.apply("UserActivity", new UserActivity(sessions, days)), days);
      run.write(
          USERS_DIM,
          users
              .apply(
                  "UsersDim",
                  MapElements.into(TypeDescriptors.rows())
                      .via(
                          user ->
                              Row.withSchema(USERS_DIM.beamSchema())
                                  .addValues(
                                      user.getInt64("user_id"),
                                      user.getString("email_token"),
                                      user.getString("phone_token"),
                                      UserActivity.country(user),
                                      user.getValue("created_at"),
                                      user.getValue("deleted_at"))
                                  .build()))
              .setRowSchema(USERS_DIM.beamSchema()));
    }
    if (jobs.contains("orders")) {
      run.write(ORDER_METRICS_DAILY, sources.orders(days.first(), days.last()).apply("OrderMetrics", new OrderMetrics()), days);
      run.write(
          PRODUCT_SALES_DAILY,
          sources
              .orderItems(days.first().minusDays(ProductSales.WINDOW_DAYS - 1), days.last())
              .apply("ProductSales", new ProductSales(days.first(), days.last())),
          days);
    }
    if (jobs.contains("payments")) {
      run.write(
          PAYMENT_METRICS_DAILY, sources.payments(days.first(), days.last()).apply("PaymentMetrics", new PaymentMetrics()),
          days);
    }
    if (jobs.contains("notifications")) {
      run.write(
          NOTIFICATION_METRICS_DAILY,
          sources.notifications(days.first(), days.last()).apply("NotificationMetrics", new NotificationMetrics()),
          days);
    }
  }
}
