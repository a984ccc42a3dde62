package io.analyticsetl.common.run;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.ledger.StageCounts;
import java.util.Map;

/**
 * Headline figures of a run's stages. By convention a stage named {@code read_*} takes records from
 * a source and a stage named {@code write_*} hands rows to the sink.
 */
public final class RunSummary {

  private RunSummary() {}

  public static long rowsRead(Map<String, StageCounts> stages) {
    return stages.entrySet().stream()
        .filter(e -> e.getKey().startsWith("read_"))
        .mapToLong(e -> e.getValue().read())
        .sum();
  }

  public static long rowsWritten(Map<String, StageCounts> stages) {
    return stages.entrySet().stream()
        .filter(e -> e.getKey().startsWith("write_"))
        .mapToLong(e -> e.getValue().written())
        .sum();
  }

  public static long rowsDeadLettered(Map<String, StageCounts> stages) {
    return stages.values().stream().mapToLong(StageCounts::deadLettered).sum();
  }

  public static long rowsRead(RunLedger ledger) {
    return rowsRead(ledger.stages());
  }

  public static long rowsWritten(RunLedger ledger) {
    return rowsWritten(ledger.stages());
  }

  public static long rowsDeadLettered(RunLedger ledger) {
    return rowsDeadLettered(ledger.stages());
  }
}
