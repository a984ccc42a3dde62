package io.analyticsetl.transforms.validate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;

/**
 * One declarative check on a row. {@link #check} returns null when the row passes, else what is
 * wrong. Field rules let a null value pass (only {@link #required} rejects nulls), so each failure
 * is reported once, by the rule that states it.
 */
public interface Rule extends Serializable {

  /** What the rule demands, e.g. {@code amount >= 0}. */
  String name();

  /** Null when the row passes; otherwise the failure, naming the field and the value seen. */
  String check(Row row);

  /** The field must be present (not null, and not blank for text). */
  static Rule required(String field) {
    return of(
        field + " is required",
        row -> {
          Object value = row.getValue(field);
          return value == null || (value instanceof String s && s.isBlank()) ? "missing" : null;
        });
  }

  /** A text field must parse as the given type: bigint, int, decimal, double, date, timestamp or boolean. */
  static Rule type(String field, String type) {
    if (!Set.of("bigint", "int", "decimal", "double", "date", "timestamp", "boolean").contains(type)) {
      throw new IllegalArgumentException("unknown type for Rule.type: " + type);
    }
    return of(
        field + " is a " + type,
        row -> {
          Object value = row.getValue(field);
          if (value == null || !(value instanceof String text) || text.isEmpty()) {
            return null;
          }
          return parses(text.trim(), type) ? null : "was \"" + text + "\"";
        });
  }

  /** A numeric field must be at least {@code bound}. */
  static Rule min(String field, Number bound) {
    BigDecimal limit = new BigDecimal(bound.toString());
    return of(
        field + " >= " + bound,
        row -> {
          BigDecimal value = decimal(row.getValue(field));
          return value == null || value.compareTo(limit) >= 0 ? null : "was " + value.toPlainString();
        });
  }

  /** A numeric field must be at most {@code bound}. */
  static Rule max(String field, Number bound) {
    BigDecimal limit = new BigDecimal(bound.toString());
    return of(
        field + " <= " + bound,
        row -> {
          BigDecimal value = decimal(row.getValue(field));
          return value == null || value.compareTo(limit) <= 0 ? null : "was " + value.toPlainString();
        });
  }

  /** The field's text must be one of {@code allowed}. */
  static Rule allowedValues(String field, Collection<String> allowed) {
    Set<String> values = new TreeSet<>(allowed);
    return of(
        field + " in " + values,
        row -> {
          Object value = row.getValue(field);
          return value == null || values.contains(value.toString()) ? null : "was \"" + value + "\"";
        });
  }

  /** The field's text must be at most {@code length} characters. */
  static Rule maxLength(String field, int length) {
    return of(
        "length(" + field + ") <= " + length,
        row -> {
          Object value = row.getValue(field);
          int actual = value == null ? 0 : value.toString().codePointCount(0, value.toString().length());
          return actual <= length ? null : "was " + actual + " characters";
        });
  }

  /** The field's text must match the regular expression entirely. */
  static Rule pattern(String field, String regex) {
    Pattern compiled = Pattern.compile(regex);
    return of(
        field + " matches " + regex,
        row -> {
          Object value = row.getValue(field);
          return value == null || compiled.matcher(value.toString()).matches()
              ? null
              : "was \"" + value + "\"";
        });
  }

  /**
   * Cross-field: {@code later} must not be before {@code earlier} when both are set (e.g. end_date
   * >= start_date).
   */
  static Rule notBefore(String later, String earlier) {
    return of(
        later + " >= " + earlier,
        row -> {
          Object end = row.getValue(later);
          Object start = row.getValue(earlier);
          if (end == null || start == null) {
            return null;
          }
          @SuppressWarnings({"unchecked", "rawtypes"})
          int order = ((Comparable) end).compareTo(start);
          return order >= 0 ? null : "was " + end + " < " + start;
        });
  }

  /** Cross-field: {@code smaller <= larger} for two numeric fields, when both are set. */
  static Rule atMost(String smaller, String larger) {
    return of(
        smaller + " <= " + larger,
        row -> {
          BigDecimal low = decimal(row.getValue(smaller));
          BigDecimal high = decimal(row.getValue(larger));
          return low == null || high == null || low.compareTo(high) <= 0
              ? null
              : "was " + low.toPlainString() + " > " + high.toPlainString();
        });
  }

  /** Any other check: {@code failure} returns null for a good row, else what is wrong. */
  static Rule of(String name, SerializableFunction<Row, String> failure) {
    return new Rule() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String check(Row row) {
        return failure.apply(row);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  private static BigDecimal decimal(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Number || value instanceof String) {
      try {
        return new BigDecimal(value.toString().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    throw new IllegalArgumentException("not a number: " + value);
  }

  private static boolean parses(String text, String type) {
    try {
      switch (type) {
        case "bigint" -> Long.parseLong(text);
        case "int" -> Integer.parseInt(text);
        case "decimal" -> new BigDecimal(text);
        case "double" -> Double.parseDouble(text);
        case "date" -> LocalDate.parse(text);
        case "timestamp" -> {
          try {
            Instant.parse(text);
          } catch (RuntimeException e) {
            OffsetDateTime.parse(text);
          }
        }
        case "boolean" -> {
          if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            return false;
          }
        }
        default -> {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
