package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.secrets.Secret;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.values.Row;

/**
 * Google Ads API over REST: GAQL through {@code googleAds:searchStream} (all batches in one answer)
 * or {@code googleAds:search} (pages of 10,000 rows; each follow-up sends the page token with the
 * byte-identical query, and an expired token starts the pages again), an OAuth access token
 * refreshed from the refresh token, the developer token, and an optional login-customer-id. Cost is in micros, int64 metrics are strings, conversions numbers.
 * 429 RESOURCE_EXHAUSTED is the day's quota (the account stops until the next run); the temporary
 * kind is retried after its retryDelay.
 */
final class GoogleAdsConnector implements AdConnector {

  private static final String QUERY =
      "SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, campaign.name, campaign.status,"
          + " ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status, segments.date,"
          + " metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value"
          + " FROM ad_group_ad WHERE segments.date BETWEEN '%s' AND '%s'";

  /** {@code --googleAdsMethod}. */
  enum Method {
    SEARCH_STREAM("searchStream"),
    SEARCH("search");

    final String endpoint;

    Method(String endpoint) {
      this.endpoint = endpoint;
    }

    static Method parse(String value) {
      for (Method method : values()) {
        if (method.name().equalsIgnoreCase(value)) {
          return method;
        }
      }
      throw new InvalidOptionException("googleAdsMethod", "must be search_stream or search, got \"" + value + "\"");
    }
  }

  /** Times the pages of a slice are started again after their page token expired. */
  static final int PAGING_ATTEMPTS = 2;

  private final String baseUrl;
  private final String version;
  private final Method method;
  private final OAuthRefresh oauth;
  private final Secret developerToken;
  private final String loginCustomerId;
  private final AdsHttp http;

  GoogleAdsConnector(String baseUrl, String version, Method method, OAuthRefresh oauth, Secret developerToken, String loginCustomerId,
      AdsHttp http) {
    if (!version.matches("v\\d{1,3}")) {
      throw new InvalidOptionException("googleAdsApiVersion", "must look like v21, got \"" + version + "\"");
    }
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.version = version;
    this.method = method;
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
    String query = String.format(QUERY, slice.from(), slice.to());
    if (method == Method.SEARCH_STREAM) {
      return List.of(post(slice, Map.of("query", query)));
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return searchPages(slice, query);
      } catch (AdsApiException e) {
        if (e.kind() != AdsApiException.Kind.EXPIRED || attempt == PAGING_ATTEMPTS) {
          throw e;
        }
        RunSignals.note("google_ads page tokens expired while paging; the slice was paged again from the first page");
      }
    }
  }

  /** Every page of the query through googleAds:search, following nextPageToken. */
  private List<String> searchPages(AccountSlice slice, String query) {
    List<String> pages = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String token = null;
    do {
      Map<String, String> request = new LinkedHashMap<>();
      request.put("query", query);
      if (token != null) {
        request.put("pageToken", token);
      }
      String page = post(slice, request);
      token = Wire.text(Wire.json(page).path("nextPageToken"));
      Wire.checkNotRepeated(seen, token, "Google Ads' search of customer " + slice.accountId());
      pages.add(page);
    } while (token != null);
    return pages;
  }

  private String post(AccountSlice slice, Map<String, String> request) {
    String body = Json.write(request);
    String token = oauth.accessToken(http);
    HttpResponse<byte[]> response =
        http.send(
            () -> {
              HttpRequest.Builder builder =
                  AdsHttp.request(baseUrl + "/" + version + "/customers/" + slice.accountId() + "/googleAds:" + method.endpoint)
                      .header("Authorization", "Bearer " + token)
                      .header("developer-token", developerToken.reveal())
                      .header("Content-Type", "application/json");
              if (loginCustomerId != null) {
                builder.header("login-customer-id", loginCustomerId);
              }
              return builder.POST(HttpRequest.BodyPublishers.ofString(body)).build();
            },
            GoogleAdsConnector::classify);
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Override
  public Normalized normalize(AccountSlice slice, List<String> pages, Instant extractedAt) {
    Normalized normalized = new Normalized();
    for (String page : pages) {
      JsonNode answer = Wire.json(page);
      // A searchStream answer is an array of batches; a search page is one batch.
      for (JsonNode batch : answer.isArray() ? answer : List.of(answer)) {
        String requestId = Wire.text(batch.path("requestId"));
        for (JsonNode result : batch.path("results")) {
          JsonNode customer = result.path("customer");
          JsonNode adGroupAd = result.path("adGroupAd");
          JsonNode metrics = result.path("metrics");
          String date = Wire.text(result.path("segments").path("date"));
          String status = Wire.text(adGroupAd.path("status"));
          BigDecimal spend = Wire.fromMicros(metrics.path("costMicros"));
          normalized.add(result, () ->
              new Extracted.Builder(Platform.GOOGLE_ADS, extractedAt)
                  .set("account_id", Wire.text(customer.path("id")) == null ? slice.accountId() : Wire.text(customer.path("id")))
                  .date(date)
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
                  .set("source_version", version)
                  .set("request_id", requestId)
                  .build());
        }
      }
    }
    return normalized;
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
    if (requestErrors(error).contains("EXPIRED_PAGE_TOKEN")) {
      return new AdsApiException(AdsApiException.Kind.EXPIRED, message, null);
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

  /** The requestError codes of a GoogleAdsFailure (e.g. EXPIRED_PAGE_TOKEN, PAGE_SIZE_NOT_SUPPORTED). */
  private static List<String> requestErrors(JsonNode error) {
    List<String> codes = new ArrayList<>();
    error.path("details").forEach(detail -> detail.path("errors").forEach(e -> {
      if (e.path("errorCode").has("requestError")) {
        codes.add(e.path("errorCode").path("requestError").asText());
      }
    }));
    return codes;
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
