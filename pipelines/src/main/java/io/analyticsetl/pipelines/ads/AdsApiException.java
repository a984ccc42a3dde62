package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.run.EtlFailure;
import java.time.Duration;

/**
 * A platform answer classified the one way that matters for what to do next: slow down and retry,
 * stop this account until the next run (the day's quota is spent), or give up (credentials, a bad
 * request).
 */
final class AdsApiException extends EtlFailure {

  enum Kind {
    /** Throttled or briefly unavailable: back off (the hint says how long) and retry. */
    SLOW_DOWN,
    /** The quota for the day is spent: stop this account, resume on the next run. */
    QUOTA_SPENT,
    /** The credentials are refused: no retry helps; the platform's accounts fail. */
    AUTH,
    /** The request itself is wrong (or too large): this slice fails. */
    BAD_REQUEST
  }

  private final Kind kind;
  private final Duration retryAfter;

  AdsApiException(Kind kind, String message, Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  Kind kind() {
    return kind;
  }

  /** The platform's own hint (Retry-After, retryDelay, time to regain access), or null. */
  Duration retryAfter() {
    return retryAfter;
  }
}
