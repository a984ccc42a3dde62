package io.analyticsetl.pipelines.appstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.run.EtlFailure;
import io.analyticsetl.common.secrets.Secret;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The App Store Connect API as the pipelines use it: an ES256 JWT from the .p8 key (P1363
 * signature, 19-minute lifetime, refreshed five minutes before expiry), JSON:API paging through
 * {@code links.next} with a repeated-URL guard, {@code X-Rate-Limit} read on every response,
 * retries with exponential backoff and jitter on 429, 5xx and timeouts, and Apple's
 * {@code errors[]} turned into one line a user can act on.
 */
final class AppStoreConnectClient implements Serializable {

  static final int PAGE_LIMIT = 200;
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(19);
  private static final Duration TOKEN_REFRESH = Duration.ofMinutes(5);
  private static final Pattern REMAINING = Pattern.compile("user-hour-rem:(\\d+)");

  private final String baseUrl;
  private final String issuerId;
  private final String keyId;
  private final Secret privateKeyPem;
  private final String credentialHint;
  private final int maxRetries;
  private final long retryDelayMillis;
  private final Clock clock;

  private transient HttpClient http;
  private transient SignedJWT token;
  private transient Instant tokenExpiry;
  private transient volatile long rateLimitRemaining = -1;

  AppStoreConnectClient(
      String baseUrl, String issuerId, String keyId, Secret privateKeyPem, String credentialHint, int maxRetries, long retryDelayMillis) {
    this(baseUrl, issuerId, keyId, privateKeyPem, credentialHint, maxRetries, retryDelayMillis, Clock.systemUTC());
  }

  /** {@code clock} tells when the token expires (tests move it on). */
  AppStoreConnectClient(
      String baseUrl, String issuerId, String keyId, Secret privateKeyPem, String credentialHint, int maxRetries, long retryDelayMillis,
      Clock clock) {
    this.clock = clock;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.issuerId = issuerId;
    this.keyId = keyId;
    this.privateKeyPem = privateKeyPem;
    this.credentialHint = credentialHint;
    this.maxRetries = maxRetries;
    this.retryDelayMillis = retryDelayMillis;
  }

  /** An answer other than 2xx, after retries where retrying made sense. */
  static final class ApiException extends EtlFailure {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }

    int status() {
      return status;
    }

    /** Refused credentials or role: every app would fail the same way, so the run stops at once. */
    boolean credentials() {
      return status == 401 || status == 403;
    }

    /**
     * One app's step failed for good (after the retries): the run goes on with the other apps and
     * fails once everything else is written. Refused credentials stop the run instead.
     */
    void failOnly(String step, long appId) {
      if (credentials()) {
        throw this;
      }
      RunSignals.failRun("App Store Connect: " + step + " of app " + appId + " failed: " + getMessage());
    }

    String code() {
      return code;
    }
  }

  /** The last {@code user-hour-rem} Apple reported, or -1 before the first response. */
  long rateLimitRemaining() {
    return rateLimitRemaining;
  }

  /** Every resource of a collection, following {@code links.next} page by page. */
  List<JsonNode> getAll(String pathAndQuery) {
    List<JsonNode> resources = new ArrayList<>();
    getAllPages(pathAndQuery, page -> page.path("data").forEach(resources::add));
    return resources;
  }

  /** Every page of a collection (for callers that also need {@code included}). */
  void getAllPages(String pathAndQuery, java.util.function.Consumer<JsonNode> pages) {
    String url = baseUrl + pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "limit=" + PAGE_LIMIT;
    Set<String> seen = new HashSet<>();
    while (url != null) {
      if (!seen.add(url)) {
        throw new ApiException(0, "REPEATED_PAGE", "App Store Connect returned the same next page twice: " + url);
      }
      JsonNode page = send("GET", url, null);
      pages.accept(page);
      JsonNode next = page.path("links").path("next");
      url = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
    }
  }

  /** Like {@link #getAllPages}, stopping as soon as {@code keepGoing} says so after a page. */
  void getPagesWhile(String pathAndQuery, java.util.function.Predicate<JsonNode> keepGoing) {
    String url = baseUrl + pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "limit=" + PAGE_LIMIT;
    Set<String> seen = new HashSet<>();
    while (url != null) {
      if (!seen.add(url)) {
        throw new ApiException(0, "REPEATED_PAGE", "App Store Connect returned the same next page twice: " + url);
      }
      JsonNode page = send("GET", url, null);
      if (!keepGoing.test(page)) {
        return;
      }
      JsonNode next = page.path("links").path("next");
      url = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
    }
  }

  JsonNode get(String path) {
    return send("GET", baseUrl + path, null);
  }

  JsonNode post(String path, String body) {
    return send("POST", baseUrl + path, body);
  }

  void delete(String path) {
    send("DELETE", baseUrl + path, null);
  }

  /**
   * Downloads a pre-signed segment URL. No Authorization header: S3 answers 400 to one. A 403 means
   * the URL expired; the caller lists the segment again for a fresh one.
   */
  byte[] download(String url) {
    return retrying(
        "a segment download",
        () -> {
          HttpResponse<byte[]> response =
              client()
                  .send(
                      HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build(),
                      HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() == 403) {
            throw new ApiException(403, "URL_EXPIRED", "the segment's download URL has expired");
          }
          if (response.statusCode() >= 500) {
            throw new Transient(response.statusCode());
          }
          if (response.statusCode() != 200) {
            throw new ApiException(response.statusCode(), "DOWNLOAD_FAILED", "segment download answered HTTP " + response.statusCode());
          }
          return response.body();
        });
  }

  private JsonNode send(String method, String url, String body) {
    return retrying(
        method + " " + URI.create(url).getPath(),
        () -> {
          HttpRequest.Builder request =
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofMinutes(2))
                  .header("Authorization", "Bearer " + bearer())
                  .header("Accept", "application/json");
          if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
          } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
          }
          HttpResponse<String> response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
          response.headers().firstValue("X-Rate-Limit").ifPresent(this::readRateLimit);
          int status = response.statusCode();
          if (status == 429 || status >= 500) {
            throw new Transient(status);
          }
          if (status >= 400) {
            throw failure(method, url, status, response.body());
          }
          return response.body() == null || response.body().isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(response.body());
        });
  }

  /** A failure worth retrying: 429, 5xx. */
  private static final class Transient extends RuntimeException {
    final int status;

    Transient(int status) {
      super("HTTP " + status);
      this.status = status;
    }
  }

  private interface Call<T> {
    T call() throws IOException, InterruptedException;
  }

  /** Runs the call, retried with backoff and jitter on 429, 5xx and timeouts; {@code what} names it in a failure. */
  private <T> T retrying(String what, Call<T> call) {
    RetryPolicy<T> policy =
        RetryPolicy.<T>builder()
            .handle(Transient.class, HttpTimeoutException.class, java.net.ConnectException.class, IOException.class)
            .withBackoff(Duration.ofMillis(retryDelayMillis), Duration.ofMillis(Math.max(retryDelayMillis, retryDelayMillis * 30)))
            .withJitter(0.25)
            .withMaxRetries(maxRetries)
            .build();
    try {
      return Failsafe.with(policy).get(call::call);
    } catch (Transient t) { // Failsafe rethrows unchecked exceptions as they are
      throw gaveUp(what, t);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Transient t) {
        throw gaveUp(what, t);
      }
      throw new ApiException(0, "UNREACHABLE", "App Store Connect at " + baseUrl + " is unreachable (" + what + "): " + cause);
    }
  }

  private ApiException gaveUp(String what, Transient t) {
    return new ApiException(t.status, "GAVE_UP",
        "App Store Connect kept answering HTTP " + t.status + " to " + what + " after " + maxRetries + " retries"
            + (t.status == 429 ? " (rate limit; " + rateLimitRemaining + " requests left this hour by X-Rate-Limit)" : ""));
  }

  private void readRateLimit(String header) {
    Matcher matcher = REMAINING.matcher(header);
    if (matcher.find()) {
      rateLimitRemaining = Long.parseLong(matcher.group(1));
    }
  }

  /** Apple's errors[] as one line; 401 and 403 say what to check. */
  private ApiException failure(String method, String url, int status, String body) {
    String code = "";
    String detail = "";
    try {
      JsonNode errors = Json.MAPPER.readTree(body).path("errors");
      if (errors.isArray() && errors.size() > 0) {
        code = errors.get(0).path("code").asText();
        List<String> details = new ArrayList<>();
        errors.forEach(e -> details.add(e.path("code").asText() + ": " + e.path("detail").asText(e.path("title").asText())));
        detail = String.join("; ", details);
      }
    } catch (IOException | RuntimeException notJson) {
      detail = body == null ? "" : body.substring(0, Math.min(200, body.length()));
    }
    String where = method + " " + url.replace(baseUrl, "");
    String message =
        switch (status) {
          case 401 -> "App Store Connect rejected the API key (401 " + code + "): check " + credentialHint;
          case 403 ->
              "App Store Connect refused " + where + " (403 " + code + "): creating or deleting report requests needs a key"
                  + " with the Admin role; reading reports needs Admin, Sales and Reports or Finance";
          default -> "App Store Connect answered " + status + " to " + where + ": " + detail;
        };
    return new ApiException(status, code, message);
  }

  private synchronized String bearer() {
    Instant now = clock.instant();
    if (token == null || tokenExpiry.minus(TOKEN_REFRESH).isBefore(now)) {
      try {
        ECPrivateKey key = privateKey();
        Instant expiry = now.plus(TOKEN_LIFETIME);
        SignedJWT jwt =
            new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keyId).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder()
                    .issuer(issuerId)
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(expiry))
                    .audience("appstoreconnect-v1")
                    .build());
        // nimbus signs in the JOSE (IEEE P1363, r||s) form Apple requires, not DER.
        jwt.sign(new ECDSASigner(key));
        token = jwt;
        tokenExpiry = expiry;
      } catch (JOSEException | GeneralSecurityException | IllegalArgumentException e) {
        throw new EtlFailure("cannot sign the App Store Connect token with the .p8 key: check " + credentialHint, e);
      }
    }
    return token.serialize();
  }

  /** The .p8 file's PKCS#8 PEM as a P-256 private key. */
  private ECPrivateKey privateKey() throws GeneralSecurityException {
    String base64 =
        privateKeyPem.reveal()
            .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return (ECPrivateKey)
        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private HttpClient client() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }
    return http;
  }
}
