package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.secrets.Secret;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.values.Row;

/**
 * Google Ads API over REST: GAQL through {@code googleAds:searchStream} (all batches in one
 * answer), an OAuth access token refreshed from the refresh token, the developer token, and an
 * optional login-customer-id. Cost is in micros, int64 metrics are strings, conversions numbers.
 * 429 RESOURCE_EXHAUSTED is the day's quota (the account stops until the next run); the temporary
 * kind is retried after its retryDelay.
 */
final class GoogleAdsConnector implements AdConnector {

  static final String VERSION = "v21";
  private static final String QUERY =
      "SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, campaign.status,"
          + " ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status, segments.date,"
          + " metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value"
          + " FROM ad_group_ad WHERE segments.date BETWEEN '%s' AND '%s'";

  private final String baseUrl;
  private final OAuthRefresh oauth;
  private final Secret developerToken;
  private final String loginCustomerId;
  private final AdsHttp http;

  GoogleAdsConnector(String baseUrl, OAuthRefresh oauth, Secret developerToken, String loginCustomerId, AdsHttp http) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.oauth = oauth;
    this.developerToken = developerToken;
    this.loginCustomerId = loginCustomerId;
    this.http = http;
  }

  @Override
  public Platform platform() {
    return Platform.GOOGLE_ADS;
  }

  @Override
  public int maxSliceDays() {
    return 90;
  }

  @Override
  public List<String> fetch(AccountSlice slice, ReportJobs jobs) {
    String body = Json.write(java.util.Map.of("query", String.format(QUERY, slice.from(), slice.to())));
    String token = oauth.accessToken(http);
    HttpResponse<byte[]> response =
        http.send(
            () -> {
              HttpRequest.Builder request =
                  AdsHttp.request(baseUrl + "/" + VERSION + "/customers/" + slice.accountId() + "/googleAds:searchStream")
                      .header("Authorization", "Bearer " + token)
                      .header("developer-token", developerToken.reveal())
                      .header("Content-Type", "application/json");
              if (loginCustomerId != null) {
                request.header("login-customer-id", loginCustomerId);
              }
              return request.POST(HttpRequest.BodyPublishers.ofString(body)).build();
            },
            GoogleAdsConnector::classify);
    return List.of(new String(response.body(), StandardCharsets.UTF_8));
  }

  @Override
  public List<Row> normalize(AccountSlice slice, List<String> pages, Instant extractedAt) {
    List<Row> rows = new ArrayList<>();
    for (String page : pages) {
      for (JsonNode batch : Wire.json(page)) {
        String requestId = Wire.text(batch.path("requestId"));
        for (JsonNode result : batch.path("results")) {
          JsonNode customer = result.path("customer");
          JsonNode adGroupAd = result.path("adGroupAd");
          JsonNode metrics = result.path("metrics");
          String date = Wire.text(result.path("segments").path("date"));
          String status = Wire.text(adGroupAd.path("status"));
          BigDecimal spend = Wire.fromMicros(metrics.path("costMicros"));
          rows.add(
              new Extracted.Builder(Platform.GOOGLE_ADS, extractedAt)
                  .set("account_id", Wire.text(customer.path("id")) == null ? slice.accountId() : Wire.text(customer.path("id")))
                  .date(date == null ? null : LocalDate.parse(date))
                  .set("ad_id", Wire.text(adGroupAd.path("ad").path("id")))
                  .set("ad_name", Wire.text(adGroupAd.path("ad").path("name")))
                  .set("ad_group_id", Wire.text(result.path("adGroup").path("id")))
                  .set("ad_group_name", Wire.text(result.path("adGroup").path("name")))
                  .set("campaign_id", Wire.text(result.path("campaign").path("id")))
                  .set("campaign_name", Wire.text(result.path("campaign").path("name")))
                  .set("campaign_status_raw", Wire.text(result.path("campaign").path("status")))
                  .status(status, GoogleAdsConnector::status)
                  .set("account_currency", Wire.text(customer.path("currencyCode")))
                  .set("account_timezone", Wire.text(customer.path("timeZone")))
                  .metrics(Wire.count(metrics.path("impressions")), Wire.count(metrics.path("clicks")), spend,
                      Wire.decimal(metrics.path("conversions")), Wire.decimal(metrics.path("conversionsValue")))
                  .set("attribution_spec", "account_default")
                  .set("source_version", VERSION)
                  .set("request_id", requestId)
                  .build());
        }
      }
    }
    return rows;
  }

  static String status(String raw) {
    if (raw == null) {
      return "UNKNOWN";
    }
    return switch (raw.toUpperCase(Locale.ROOT)) {
      case "ENABLED" -> "ACTIVE";
      case "PAUSED" -> "PAUSED";
      case "REMOVED" -> "REMOVED";
      case "UNKNOWN", "UNSPECIFIED" -> "UNKNOWN";
      default -> "OTHER";
    };
  }

  static AdsApiException classify(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status == 200) {
      return null;
    }
    String text = new String(response.body(), StandardCharsets.UTF_8);
    JsonNode error;
    try {
      error = Json.MAPPER.readTree(text).path("error");
    } catch (Exception notJson) {
      error = Json.MAPPER.createObjectNode();
    }
    String message = "Google Ads answered " + status + " " + error.path("status").asText() + ": " + error.path("message").asText();
    if (status == 429) {
      JsonNode detail = error.path("details").path(0).path("errors").path(0);
      String quota = detail.path("errorCode").path("quotaError").asText();
      Duration delay = parseSeconds(detail.path("details").path("quotaErrorDetails").path("retryDelay").asText(null));
      if (quota.equals("RESOURCE_EXHAUSTED")) {
        return new AdsApiException(AdsApiException.Kind.STOP_ACCOUNT,
            "Google Ads' daily quota is spent (" + detail.path("message").asText() + "); the account resumes on the next run", delay);
      }
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, delay);
    }
    if (status >= 500) {
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, null);
    }
    if (status == 401) {
      return new AdsApiException(AdsApiException.Kind.AUTH,
          message + ": check the OAuth client and refresh token named by --googleAdsEnvPrefix", null);
    }
    if (status == 403) {
      return new AdsApiException(AdsApiException.Kind.BAD_REQUEST,
          message + ": check the developer token and --googleAdsLoginCustomerId for this customer", null);
    }
    return new AdsApiException(AdsApiException.Kind.BAD_REQUEST, message, null);
  }

  private static Duration parseSeconds(String text) {
    if (text == null || !text.endsWith("s")) {
      return null;
    }
    try {
      return Duration.ofMillis((long) (Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
    } catch (NumberFormatException e) {
      return null;
    }
  }

}
