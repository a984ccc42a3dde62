package io.analyticsetl.pipelines.ecommerce;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.secrets.Secret;

/** The ecommerce source database named by the options. */
final class EcommerceSource {

  private EcommerceSource() {}

  static void validate(EcommerceOptions options) {
    OptionValues.required("sourceJdbcUrl", options.getSourceJdbcUrl());
    schema(options);
    if (options.getSourceReadPartitions() < 1) {
      throw new InvalidOptionException("sourceReadPartitions", "must be at least 1");
    }
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
