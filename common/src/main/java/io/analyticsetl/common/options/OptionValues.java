package io.analyticsetl.common.options;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/** Parsing and checking of option values, each failure naming its option. */
public final class OptionValues {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private OptionValues() {}

  /** The run date; today in UTC when the option is absent. */
  public static LocalDate runDate(EtlOptions options) {
    return options.getRunDate() == null
        ? LocalDate.now(ZoneOffset.UTC)
        : date("runDate", options.getRunDate());
  }

  public static LocalDate date(String option, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidOptionException(option, "must be a date YYYY-MM-DD, got \"" + value + "\"");
    }
  }

  public static String required(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidOptionException(option, "is required");
    }
    return value;
  }

  /** A JDBC URL; its text is not repeated in the error, as a URL may carry a password. */
  public static String jdbcUrl(String option, String value) {
    required(option, value);
    if (!value.startsWith("jdbc:")) {
      throw new InvalidOptionException(
          option, "must be a JDBC URL such as jdbc:postgresql://host:5432/database (it does not start with jdbc:)");
    }
    return value;
  }

  /** Where output goes: a local directory, or an s3:// (or gs://) location. */
  public static String outputLocation(String option, String value) {
    required(option, value);
    java.util.regex.Matcher scheme = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*)://.*").matcher(value);
    if (scheme.matches() && !List.of("s3", "gs", "file").contains(scheme.group(1).toLowerCase(java.util.Locale.ROOT))) {
      throw new InvalidOptionException(
          option, "must be a local directory or an s3:// or gs:// location, got a " + scheme.group(1) + ":// one");
    }
    return value;
  }

  /** A schema or table name, checked before it is ever placed in SQL. */
  public static String identifier(String option, String value) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new InvalidOptionException(
          option, "must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*), got \"" + value + "\"");
    }
    return value;
  }
}
