package io.analyticsetl.pipelines.ads;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP for the ad connectors: retries "slow down" answers with exponential backoff and jitter,
 * waiting at least as long as the platform asks (capped); does not retry a spent quota, refused
 * credentials or a bad request; and keeps one circuit breaker per platform, so a failing API is not
 * hammered by every account's slices.
 */
final class AdsHttp implements Serializable {

  /** Decides what an answer means; returns null when it is a success. */
  interface Classifier extends Serializable {
    AdsApiException classify(HttpResponse<byte[]> response);
  }

  private static final double JITTER = 0.25;
  private static final Map<Platform, CircuitBreaker<HttpResponse<byte[]>>> BREAKERS = new ConcurrentHashMap<>();

  private final Platform platform;
  private final int maxRetries;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private transient HttpClient client;

  AdsHttp(Platform platform, int maxRetries, Duration baseDelay, Duration maxDelay) {
    this.platform = platform;
    this.maxRetries = maxRetries;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  /** Sends the request (built anew for every attempt), returning the successful response. */
  HttpResponse<byte[]> send(java.util.function.Supplier<HttpRequest> request, Classifier classifier) {
    return execute(request, classifier, true);
  }

  /**
   * Sends a request to the platform's OAuth server: retried the same way, but outside the
   * platform's circuit breaker, whose failure streak a working token endpoint must not reset.
   */
  HttpResponse<byte[]> sendToAuthServer(java.util.function.Supplier<HttpRequest> request, Classifier classifier) {
    return execute(request, classifier, false);
  }

  private HttpResponse<byte[]> execute(java.util.function.Supplier<HttpRequest> request, Classifier classifier, boolean guarded) {
    RetryPolicy<HttpResponse<byte[]>> retry =
        RetryPolicy.<HttpResponse<byte[]>>builder()
            .handleIf(e -> e instanceof IOException
                || (e instanceof AdsApiException a && a.kind() == AdsApiException.Kind.SLOW_DOWN))
            .withBackoff(baseDelay, maxDelay)
            .withJitter(JITTER)
            .withDelayFnOn(
                context -> delayFor(((AdsApiException) context.getLastException()).retryAfter(), context.getAttemptCount()),
                AdsApiException.class)
            .withMaxRetries(maxRetries)
            .build();
    try {
      return (guarded ? Failsafe.with(retry, breaker()) : Failsafe.with(retry))
          .get(
              () -> {
                HttpResponse<byte[]> response = client().send(request.get(), HttpResponse.BodyHandlers.ofByteArray());
                AdsApiException failure = classifier.classify(response);
                if (failure != null) {
                  throw failure;
                }
                return response;
              });
    } catch (CircuitBreakerOpenException e) {
      throw new AdsApiException(
          AdsApiException.Kind.STOP_ACCOUNT,
          platform.option() + " keeps failing; its circuit breaker is open, so the remaining slices wait for the next run",
          null);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AdsApiException api) {
        throw api;
      }
      throw new AdsApiException(AdsApiException.Kind.SLOW_DOWN, platform.option() + " is unreachable: " + cause, null);
    }
  }

  /**
   * The delay to give Failsafe after {@code attempts} attempts when the platform gave a hint, or -1
   * for the plain backoff: the longer of the hint and the backoff's delay for that attempt (so the
   * waits still grow when the platform keeps asking for the same pause), capped at the longest
   * delay. Failsafe jitters computed delays too, by up to {@link #JITTER} either way, so the delay is
   * raised enough that the jittered wait is never shorter than that.
   */
  Duration delayFor(Duration hint, int attempts) {
    if (hint == null) {
      return Duration.ofMillis(-1);
    }
    Duration backoff = baseDelay.multipliedBy(1L << Math.min(30, Math.max(0, attempts - 1)));
    Duration wanted = hint.compareTo(backoff) > 0 ? hint : backoff;
    Duration capped = wanted.compareTo(maxDelay) > 0 ? maxDelay : wanted;
    return Duration.ofNanos((long) Math.ceil(capped.toNanos() / (1 - JITTER)));
  }

  /** Opens after 5 failures in a row, stays open for a minute, then lets a trial call through. */
  private CircuitBreaker<HttpResponse<byte[]>> breaker() {
    return BREAKERS.computeIfAbsent(
        platform,
        p -> CircuitBreaker.<HttpResponse<byte[]>>builder()
            .handleIf(e -> e instanceof IOException
                || (e instanceof AdsApiException a && a.kind() == AdsApiException.Kind.SLOW_DOWN))
            .withFailureThreshold(5 * (maxRetries + 1))
            .withDelay(Duration.ofMinutes(1))
            .build());
  }

  /** Forgets the breakers' state (tests run many pipelines in one JVM). */
  static void resetBreakers() {
    BREAKERS.clear();
  }

  static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2));
  }

  private HttpClient client() {
    if (client == null) {
      client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    }
    return client;
  }
}
