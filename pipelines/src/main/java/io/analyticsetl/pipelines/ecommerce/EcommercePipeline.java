package io.analyticsetl.pipelines.ecommerce;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.JdbcSources;
import io.analyticsetl.common.run.EtlPipeline;

/** What the ecommerce pipelines share: their options and the source database they read. */
abstract class EcommercePipeline implements EtlPipeline<EcommerceOptions> {

  @Override
  public String domain() {
    return EcommerceDatasets.DOMAIN;
  }

  @Override
  public Class<EcommerceOptions> optionsClass() {
    return EcommerceOptions.class;
  }

  @Override
  public void validate(EcommerceOptions options) {
    JdbcSources.validate(options, EcommerceDatasets.DOMAIN);
    if (options.getSourceReadPartitions() < 1) {
      throw new InvalidOptionException("sourceReadPartitions", "must be at least 1");
    }
  }

  @Override
  public void preflight(EcommerceOptions options) {
    database(options).checkReachable();
  }

  static String schema(EcommerceOptions options) {
    return JdbcSources.schema(options, EcommerceDatasets.DOMAIN);
  }

  static JdbcEndpoint database(EcommerceOptions options) {
    return JdbcSources.database(options);
  }
}
