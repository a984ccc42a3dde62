package io.analyticsetl.pipelines.ads;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Waits for an asynchronous report job: polls with a growing interval (first interval, then half
 * as long again each time, at most a minute) until the job is done or the deadline passes.
 */
final class ReportPolling implements Serializable {

  /** What a poll found. */
  enum State {
    RUNNING,
    DONE,
    FAILED
  }

  private final Duration firstInterval;
  private final Duration timeout;

  ReportPolling(Duration firstInterval, Duration timeout) {
    this.firstInterval = firstInterval;
    this.timeout = timeout;
  }

  /** DONE or FAILED as the job ends; RUNNING when the deadline passed first. */
  State await(Supplier<State> poll) {
    Instant deadline = Instant.now().plus(timeout);
    Duration interval = firstInterval;
    while (true) {
      State state = poll.get();
      if (state != State.RUNNING || Instant.now().plus(interval).isAfter(deadline)) {
        return state;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AdsApiException(AdsApiException.Kind.SLOW_DOWN, "interrupted while waiting for a report", null);
      }
      interval = interval.multipliedBy(3).dividedBy(2);
      interval = interval.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : interval;
    }
  }
}
