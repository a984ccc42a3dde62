package io.analyticsetl.common.options;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.secrets.Secret;

/** The source database and schema that {@link JdbcSourceOptions} name. */
public final class JdbcSources {

  private JdbcSources() {}

  /** Checks the source options: a URL, and a plain identifier as schema. */
  public static void validate(JdbcSourceOptions options, String defaultSchema) {
    OptionValues.jdbcUrl("sourceJdbcUrl", options.getSourceJdbcUrl());
    schema(options, defaultSchema);
  }

  /** {@code --sourceSchema}, checked, or the domain's default. */
  public static String schema(JdbcSourceOptions options, String defaultSchema) {
    return options.getSourceSchema() == null
        ? defaultSchema
        : OptionValues.identifier("sourceSchema", options.getSourceSchema());
  }

  public static JdbcEndpoint database(JdbcSourceOptions options) {
    return new JdbcEndpoint(
        "source database",
        options.getSourceJdbcUrl(),
        options.getSourceJdbcUser(),
        Secret.fromEnvironment(options.getSourceJdbcPasswordEnv()));
  }
}
