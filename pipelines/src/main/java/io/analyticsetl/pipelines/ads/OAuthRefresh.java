package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.secrets.Secret;
import java.io.Serializable;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * An OAuth 2 access token from a refresh token (Google's and Login with Amazon's token endpoints
 * work the same way), renewed five minutes before it expires.
 */
final class OAuthRefresh implements Serializable {

  private final String authUrl;
  private final Secret clientId;
  private final Secret clientSecret;
  private final Secret refreshToken;
  private final String whatToCheck;
  private transient String accessToken;
  private transient Instant expiry;

  /** {@code whatToCheck} ends the error message when the endpoint refuses the refresh token. */
  OAuthRefresh(String authUrl, Secret clientId, Secret clientSecret, Secret refreshToken, String whatToCheck) {
    this.authUrl = authUrl;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.refreshToken = refreshToken;
    this.whatToCheck = whatToCheck;
  }

  Secret clientId() {
    return clientId;
  }

  synchronized String accessToken(AdsHttp http) {
    if (accessToken == null || expiry.isBefore(Instant.now().plusSeconds(300))) {
      String form =
          "grant_type=refresh_token&refresh_token=" + encode(refreshToken.reveal()) + "&client_id=" + encode(clientId.reveal())
              + "&client_secret=" + encode(clientSecret.reveal());
      HttpResponse<byte[]> response =
          http.sendToAuthServer(
              () -> AdsHttp.request(authUrl).header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
              this::classify);
      JsonNode token = Wire.json(response.body());
      accessToken = token.path("access_token").asText();
      expiry = Instant.now().plusSeconds(token.path("expires_in").asLong(3600));
    }
    return accessToken;
  }

  /** Forgets the access token, so the next call asks for a new one (the API refused it before its time). */
  synchronized void renew() {
    accessToken = null;
  }

  private AdsApiException classify(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status == 200) {
      return null;
    }
    if (status == 429 || status >= 500) {
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, authUrl + " answered HTTP " + status, null);
    }
    return new AdsApiException(AdsApiException.Kind.AUTH,
        authUrl + " refused the refresh token (HTTP " + status + "): " + whatToCheck, null);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
