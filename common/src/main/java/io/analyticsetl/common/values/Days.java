package io.analyticsetl.common.values;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** UTC calendar days and their boundaries. */
public final class Days {

  private Days() {}

  public static LocalDate utcDay(Instant instant) {
    return instant.atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** 00:00 UTC of the day. */
  public static Instant startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
