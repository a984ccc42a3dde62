package io.analyticsetl.common.run;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/** Run ids sort by start time and are unique: {@code 20260301T040000Z-1a2b3c}. */
public final class RunIds {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Instant startedAt) {
    byte[] suffix = new byte[3];
    RANDOM.nextBytes(suffix);
    return FORMAT.format(startedAt.truncatedTo(ChronoUnit.SECONDS)) + "-" + HexFormat.of().formatHex(suffix);
  }
}
