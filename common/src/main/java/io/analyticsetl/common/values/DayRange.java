package io.analyticsetl.common.values;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** The days {@code first} through {@code last}, both included. */
public record DayRange(LocalDate first, LocalDate last) implements Serializable {

  public DayRange {
    if (last.isBefore(first)) {
      throw new IllegalArgumentException("day range ends before it starts: " + first + ".." + last);
    }
  }

  public boolean contains(LocalDate day) {
    return !day.isBefore(first) && !day.isAfter(last);
  }

  public Stream<LocalDate> days() {
    return first.datesUntil(last.plusDays(1));
  }

  public long length() {
    return last.toEpochDay() - first.toEpochDay() + 1;
  }

  @Override
  public String toString() {
    return first + ".." + last;
  }

  public static final class Coder extends AtomicCoder<DayRange> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(DayRange range, OutputStream out) throws IOException {
      LocalDateCoder.of().encode(range.first(), out);
      LocalDateCoder.of().encode(range.last(), out);
    }

    @Override
    public DayRange decode(InputStream in) throws IOException {
      return new DayRange(LocalDateCoder.of().decode(in), LocalDateCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
