package io.analyticsetl.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Plain JDBC for test fixtures: run DDL and seed statements, read results back as strings. */
public final class Sql {

  private Sql() {}

  public static void execute(String jdbcUrl, String... statements) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }

  public static List<List<String>> query(String jdbcUrl, String sql) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("SET TIME ZONE 'UTC'");
      try (ResultSet rs = statement.executeQuery(sql)) {
        return Parquet.rows(rs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }
}
