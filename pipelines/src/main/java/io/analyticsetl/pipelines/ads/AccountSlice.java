package io.analyticsetl.pipelines.ads;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** One extraction unit: an account's days [from, to], within the platform's span limit. */
record AccountSlice(Platform platform, String accountId, LocalDate from, LocalDate to) implements Serializable {

  /** Splits [from, to] into slices of at most {@code maxDays} days. */
  static List<AccountSlice> of(Platform platform, String accountId, LocalDate from, LocalDate to, int maxDays) {
    List<AccountSlice> slices = new ArrayList<>();
    for (LocalDate start = from; !start.isAfter(to); start = start.plusDays(maxDays)) {
      LocalDate end = start.plusDays(maxDays - 1L);
      slices.add(new AccountSlice(platform, accountId, start, end.isAfter(to) ? to : end));
    }
    return slices;
  }

  /** The checkpoint file name of the slice in the raw zone. */
  String fileName() {
    return from + "_" + to + ".jsonl";
  }

  @Override
  public String toString() {
    return platform.option() + ":" + accountId + " " + from + ".." + to;
  }
}
