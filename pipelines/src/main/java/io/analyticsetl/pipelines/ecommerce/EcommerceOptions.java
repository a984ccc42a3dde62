package io.analyticsetl.pipelines.ecommerce;

import io.analyticsetl.common.options.JdbcSourceOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the ecommerce pipelines. */
public interface EcommerceOptions extends JdbcSourceOptions {

  @Description(
      "ecommerce-integration-usage: reprocess from this day (YYYY-MM-DD) instead of the day after"
          + " each shop's last day in the target; rows are replaced, not duplicated.")
  String getStartDate();

  void setStartDate(String value);

  @Description("Parallel range queries used to read large source tables (emails).")
  @Default.Integer(4)
  int getSourceReadPartitions();

  void setSourceReadPartitions(int value);
}
