package io.analyticsetl.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server on loopback (zonky's embedded binaries, started as a child process), one
 * per JVM. Each caller gets its own database so tests cannot see each other's tables.
 */
public final class LocalPostgres {

  private static final AtomicInteger DATABASE_SEQUENCE = new AtomicInteger();
  private static EmbeddedPostgres server;

  private LocalPostgres() {}

  /** Starts the shared server on first use; it stops when the JVM exits. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().setServerConfig("timezone", "UTC").start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = server;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting; the data directory is temporary anyway
                    }
                  }));
    }
    return server;
  }

  /** Creates a fresh, empty database and returns its JDBC URL (user {@code postgres}, no password). */
  public static String newDatabase(String prefix) {
    String name = prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASE_SEQUENCE.incrementAndGet();
    String adminUrl = server().getJdbcUrl("postgres", "postgres");
    try (Connection connection = DriverManager.getConnection(adminUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return server().getJdbcUrl("postgres", name);
  }

  public static String user() {
    return "postgres";
  }
}
