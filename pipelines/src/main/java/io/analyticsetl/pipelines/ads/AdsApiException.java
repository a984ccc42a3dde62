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
    /** The account cannot go on today (quota spent, a report still being generated): stop it, resume on the next run. */
    STOP_ACCOUNT,
    /** The credentials are refused: no retry helps; the platform's accounts fail. */
    AUTH,
    /** The request itself is wrong: this slice fails. */
    BAD_REQUEST,
    /** The platform cannot produce this much at once (or its report job failed): ask for fewer days. */
    TOO_LARGE,
    /** What was being paged through has expired (a page token): read it again from its first page. */
    EXPIRED
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
