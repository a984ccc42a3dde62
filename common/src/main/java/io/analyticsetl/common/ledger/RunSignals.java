package io.analyticsetl.common.ledger;

import org.apache.beam.sdk.metrics.Metrics;

/**
 * What a running pipeline tells its ledger besides stage counts: notes worth reading (schema drift,
 * say), and failures that must fail the run once everything else has been written (a download
 * that never verified). Both are Beam counters, so they work on every runner.
 */
public final class RunSignals {

  static final String NOTES = "etl.notes";
  static final String FAILURES = "etl.failures";
  static final String PROGRESS = "etl.progress";
  static final String CHECKS = "etl.checks";

  private RunSignals() {}

  /** A note for the ledger; identical notes are counted, not repeated. */
  public static void note(String text) {
    Metrics.counter(NOTES, text).inc();
  }

  /** Adds {@code units} of work to do, for the progress line (done/total and ETA). */
  public static void workFound(long units) {
    Metrics.counter(PROGRESS, "total").inc(units);
  }

  /** One unit of work done. */
  public static void workDone() {
    Metrics.counter(PROGRESS, "done").inc();
  }

  /** A verification check that failed: the run ends with status CHECKS_FAILED and exit 2. */
  public static void checkFailed(String check) {
    Metrics.counter(CHECKS, check).inc();
  }

  /** Makes the run end with status FAILED (exit 1) after it has written everything else. */
  public static void failRun(String reason) {
    Metrics.counter(FAILURES, reason).inc();
  }
}
