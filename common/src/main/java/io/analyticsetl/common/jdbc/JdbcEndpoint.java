package io.analyticsetl.common.jdbc;

import io.analyticsetl.common.secrets.Redaction;
import io.analyticsetl.common.secrets.Secret;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * A database the pipeline reads from or writes to: URL, user and password. Workers share one
 * connection pool per endpoint, and every session runs in UTC so that SQL date arithmetic means
 * UTC calendar days whatever the server's default time zone.
 */
public final class JdbcEndpoint implements Serializable {

  private static final Map<String, BasicDataSource> POOLS = new ConcurrentHashMap<>();
  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  private final String role;
  private final String url;
  private final String user;
  private final Secret password;

  public JdbcEndpoint(String role, String url, String user, Secret password) {
    this.role = role;
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** What this endpoint is for ("source database", "target database"). */
  public String role() {
    return role;
  }

  public String url() {
    return url;
  }

  /** The URL with any embedded password removed, for messages. */
  public String displayUrl() {
    return Redaction.url(url);
  }

  /** A pooled data source, shared by all workers of this JVM. */
  public DataSource dataSource() {
    return POOLS.computeIfAbsent(
        url + "\u0000" + user,
        key -> {
          BasicDataSource pool = new BasicDataSource();
          pool.setUrl(url);
          if (user != null) {
            pool.setUsername(user);
          }
          if (!password.isEmpty()) {
            pool.setPassword(password.reveal());
          }
          pool.setConnectionInitSqls(List.of("SET TIME ZONE 'UTC'"));
          pool.setMaxTotal(16);
          pool.setMaxIdle(16);
          pool.addConnectionProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
          return pool;
        });
  }

  /** For JdbcIO's {@code withDataSourceProviderFn}. */
  public SerializableFunction<Void, DataSource> dataSourceProvider() {
    return ignored -> dataSource();
  }

  /**
   * Opens and closes one connection, so that an unreachable database fails the run before it
   * starts, with a cause that names the database.
   */
  public void checkReachable() {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      properties.setProperty("password", password.reveal());
    }
    properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    try (Connection connection = DriverManager.getConnection(url, properties)) {
      connection.isValid(CONNECT_TIMEOUT_SECONDS);
    } catch (SQLException e) {
      throw new UnreachableException(describe() + " is unreachable: " + e.getMessage(), e);
    }
  }

  /** e.g. {@code source database jdbc:postgresql://db:5432/shop (user etl)}. */
  public String describe() {
    return role + " " + displayUrl() + (user == null ? "" : " (user " + user + ")");
  }

  @Override
  public String toString() {
    return describe();
  }

  /** The database could not be reached; the message names it. */
  public static final class UnreachableException extends RuntimeException {
    UnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
