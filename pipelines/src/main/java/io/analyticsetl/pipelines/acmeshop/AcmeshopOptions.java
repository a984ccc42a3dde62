package io.analyticsetl.pipelines.acmeshop;

import io.analyticsetl.common.options.JdbcSourceOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@code acmeshop-analytics}. */
public interface AcmeshopOptions extends JdbcSourceOptions {

  @Description(
      "Jobs to run, comma-separated: users, orders, payments, notifications. The old job names"
          + " user_analytics, order_analytics, payment_analytics and notification_analytics are accepted.")
  @Default.String("users,orders,payments,notifications")
  String getJobs();

  void setJobs(String value);

  @Description("The old CLI's single job name (e.g. user_analytics); same as --jobs.")
  String getJob();

  void setJob(String value);

  @Description("First day to compute (YYYY-MM-DD). Default: runDate - 1.")
  String getStartDate();

  void setStartDate(String value);

  @Description("Last day to compute (YYYY-MM-DD). Default: runDate - 1.")
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
      return Boolean.parseBoolean(System.getenv("ENABLE_V1_SCHEMA")) ? "v1" : "v2";
    }
  }
}
