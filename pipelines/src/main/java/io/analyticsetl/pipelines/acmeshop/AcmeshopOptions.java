package io.analyticsetl.pipelines.acmeshop;

import io.analyticsetl.common.options.JdbcSourceOptions;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code acmeshop-analytics}. */
public interface AcmeshopOptions extends JdbcSourceOptions {

  String ALL_JOBS = "users,orders,payments,notifications";

  @Description(
      "Jobs to run, comma-separated: users, orders, payments, notifications. The old job names"
          + " user_analytics, order_analytics, payment_analytics and notification_analytics are accepted"
          + " when --legacyJobs is true.")
  @Default.String(ALL_JOBS)
  String getJobs();

  void setJobs(String value);

  @Description("The old CLI's single job name (e.g. user_analytics), in place of --jobs (not with it).")
  String getJob();

  void setJob(String value);

  @Description(
      "Accept the old job names (user_analytics, order_analytics, payment_analytics,"
          + " notification_analytics). Default: true when the environment variable ENABLE_LEGACY_ETL is true.")
  @Default.InstanceFactory(LegacyJobsFromEnvironment.class)
  Boolean getLegacyJobs();

  void setLegacyJobs(Boolean value);

  @Description("First day to compute (YYYY-MM-DD). Default: --endDate when only it is given, else runDate - 1.")
  String getStartDate();

  void setStartDate(String value);

  @Description("Last day to compute (YYYY-MM-DD). Default: runDate - 1, or --startDate when that is later.")
  String getEndDate();

  void setEndDate(String value);

  @Description(
      "Source layout: v2 (normalised) or v1 (legacy, denormalised orders with items as JSON)."
          + " Default: v1 when the environment variable ENABLE_V1_SCHEMA is true, else v2.")
  @Default.InstanceFactory(SchemaVersionFromEnvironment.class)
  String getSourceSchemaVersion();

  void setSourceSchemaVersion(String value);

  @Description(
      "Name of the environment variable holding the key for PII tokens (HMAC-SHA-256); required by"
          + " the users job.")
  @Default.String("ACMESHOP_PII_KEY")
  String getPiiKeyEnv();

  void setPiiKeyEnv(String value);

  /** The old jobs' switch: ENABLE_V1_SCHEMA=true reads the legacy layout. */
  class SchemaVersionFromEnvironment implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return from(System.getenv());
    }

    static String from(Map<String, String> environment) {
      return switchedOn(environment, "ENABLE_V1_SCHEMA") ? "v1" : "v2";
    }
  }

  /** The old jobs' switch: ENABLE_LEGACY_ETL=true enables the legacy job set. */
  class LegacyJobsFromEnvironment implements DefaultValueFactory<Boolean> {
    @Override
    public Boolean create(PipelineOptions options) {
      return from(System.getenv());
    }

    static boolean from(Map<String, String> environment) {
      return switchedOn(environment, "ENABLE_LEGACY_ETL");
    }
  }

  /** How the old jobs read their switches: on when the variable is "true", in any case. */
  private static boolean switchedOn(Map<String, String> environment, String variable) {
    String value = environment.get(variable);
    return value != null && Boolean.parseBoolean(value.trim());
  }
}
