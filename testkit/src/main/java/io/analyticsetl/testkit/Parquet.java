package io.analyticsetl.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads Parquet output back with DuckDB, an engine independent of the code under test. */
public final class Parquet {

  private Parquet() {}

  /**
   * Runs a DuckDB query and returns every row as a list of strings ({@code null} stays null), in
   * the query's order.
   */
  public static List<List<String>> query(String sql) {
    try {
      Class.forName("org.duckdb.DuckDBDriver"); // registers the driver even when service loading did not
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("DuckDB's JDBC driver is not on the classpath", e);
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = statement.executeQuery(sql)) {
        return rows(rs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB query failed: " + sql, e);
    }
  }

  static List<List<String>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    List<List<String>> rows = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        row.add(rs.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }
}
