package io.analyticsetl.common.values;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.LocalDate;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** A deterministic coder for days: the epoch day as a variable-length long. */
public final class LocalDateCoder extends AtomicCoder<LocalDate> {

  private static final LocalDateCoder INSTANCE = new LocalDateCoder();
  private static final VarLongCoder EPOCH_DAY = VarLongCoder.of();

  private LocalDateCoder() {}

  public static LocalDateCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(LocalDate value, OutputStream out) throws IOException {
    EPOCH_DAY.encode(value.toEpochDay(), out);
  }

  @Override
  public LocalDate decode(InputStream in) throws IOException {
    return LocalDate.ofEpochDay(EPOCH_DAY.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
