package io.analyticsetl.common.run;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.ledger.StageCounts;

/**
 * Headline figures of a ledger. By convention a stage named {@code read_*} takes records from a
 * source and a stage named {@code write_*} hands rows to the sink.
 */
public final class RunSummary {

  private RunSummary() {}

  public static long rowsRead(RunLedger ledger) {
    return ledger.stages().entrySet().stream()
        .filter(e -> e.getKey().startsWith("read_"))
        .mapToLong(e -> e.getValue().read())
        .sum();
  }

  public static long rowsWritten(RunLedger ledger) {
    return ledger.stages().entrySet().stream()
        .filter(e -> e.getKey().startsWith("write_"))
        .mapToLong(e -> e.getValue().written())
        .sum();
  }

  public static long rowsDeadLettered(RunLedger ledger) {
    return ledger.total(StageCounts::deadLettered);
  }
}
