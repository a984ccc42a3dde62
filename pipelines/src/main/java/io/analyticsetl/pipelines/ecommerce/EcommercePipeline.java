package io.analyticsetl.pipelines.ecommerce;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.secrets.Secret;

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
    OptionValues.required("sourceJdbcUrl", options.getSourceJdbcUrl());
    schema(options);
    if (options.getSourceReadPartitions() < 1) {
      throw new InvalidOptionException("sourceReadPartitions", "must be at least 1");
    }
  }

  @Override
  public void preflight(EcommerceOptions options) {
    database(options).checkReachable();
  }

  static String schema(EcommerceOptions options) {
    return options.getSourceSchema() == null
        ? EcommerceDatasets.DOMAIN
        : OptionValues.identifier("sourceSchema", options.getSourceSchema());
  }

  static JdbcEndpoint database(EcommerceOptions options) {
    return new JdbcEndpoint(
        "source database",
        options.getSourceJdbcUrl(),
        options.getSourceJdbcUser(),
        Secret.fromEnvironment(options.getSourceJdbcPasswordEnv()));
  }
}
