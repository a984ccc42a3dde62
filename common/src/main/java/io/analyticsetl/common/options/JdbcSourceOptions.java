package io.analyticsetl.common.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of pipelines that read a relational source database (acmeshop, ecommerce). */
public interface JdbcSourceOptions extends EtlOptions {

  @Description("JDBC URL of the source database, e.g. jdbc:postgresql://host:5432/shop.")
  String getSourceJdbcUrl();

  void setSourceJdbcUrl(String value);

  @Description("User of the source database.")
  String getSourceJdbcUser();

  void setSourceJdbcUser(String value);

  @Description(
      "Name of the environment variable holding the source database password; the password"
          + " itself is never given on the command line.")
  @Default.String("SOURCE_JDBC_PASSWORD")
  String getSourceJdbcPasswordEnv();

  void setSourceJdbcPasswordEnv(String value);

  @Description("Schema of the source tables. Default: the domain name.")
  String getSourceSchema();

  void setSourceSchema(String value);
}
