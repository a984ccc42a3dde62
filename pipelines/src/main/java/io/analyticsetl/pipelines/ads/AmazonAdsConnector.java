package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsetl.common.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.values.Row;

/**
 * Amazon Ads, Sponsored Products v3 {@code spAdvertisedProduct} report by day: create the report
 * (a 425 names the identical report already in flight, which is then used; a rerun of the day first
 * polls the report it kept in {@link ReportJobs}, so one left generating or finished but not
 * downloaded is not produced again), poll it, and download the gzip JSON from its pre-signed
 * URL without auth headers (an expired URL is renewed by polling again). A report that fails is
 * requested once more; one still generating at the deadline stops the account until the next run.
 * 429 is retried after Retry-After. Conversions and sales use the configured attribution window.
 */
final class AmazonAdsConnector implements AdConnector {

  static final String REPORT_TYPE = "spAdvertisedProduct";
  static final String CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json";
  static final String PRODUCT_ADS_TYPE = "application/vnd.spProductAd.v3+json";

  private final String baseUrl;
  private final OAuthRefresh oauth;
  private final int attributionDays;
  private final ReportPolling polling;
  private final AdsHttp http;

  AmazonAdsConnector(String baseUrl, OAuthRefresh oauth, int attributionDays, ReportPolling polling, AdsHttp http) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.oauth = oauth;
    this.attributionDays = attributionDays;
    this.polling = polling;
    this.http = http;
  }

  @Override
  public Platform platform() {
    return Platform.AMAZON_ADS;
  }

  @Override
  public int maxSliceDays() {
    return 31;
  }

  @Override
  public List<String> fetch(AccountSlice slice, ReportJobs jobs) {
    JsonNode profile = null;
    for (JsonNode candidate : Wire.json(send(slice, () -> api("/v2/profiles", slice).GET().build()).body())) {
      if (candidate.path("profileId").asText().equals(slice.accountId())) {
        profile = candidate;
      }
    }
    if (profile == null) {
      throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST,
          "Amazon Ads profile " + slice.accountId() + " is not among the profiles these credentials reach", null);
    }
    JsonNode report = earlierReport(slice, jobs);
    if (report == null) {
      report = await(slice, created(slice, jobs));
    }
    if (report.path("status").asText().equals("FAILED")) {
      report = await(slice, created(slice, jobs));
      if (report.path("status").asText().equals("FAILED")) {
        jobs.forget(slice.from(), slice.to());
        throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST,
            "Amazon Ads report " + report.path("reportId").asText() + " for " + slice + " failed twice: "
                + report.path("failureReason").asText(), null);
      }
    }
    String reportId = report.path("reportId").asText();
    byte[] gzip = download(slice, report);
    ObjectNode rows = Json.MAPPER.createObjectNode().put("reportId", reportId);
    rows.set("rows", Wire.json(gunzip(gzip)));
    List<String> pages = new ArrayList<>(List.of(profile.toString(), rows.toString()));
    pages.addAll(adStatuses(slice));
    return pages;
  }

  /** The profile's Sponsored Products ads with their state, archived ones included. */
  private List<String> adStatuses(AccountSlice slice) {
    List<String> pages = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    String nextToken = null;
    do {
      Map<String, Object> query = new java.util.LinkedHashMap<>();
      query.put("maxResults", 1000);
      query.put("stateFilter", Map.of("include", List.of("ENABLED", "PAUSED", "ARCHIVED")));
      if (nextToken != null) {
        query.put("nextToken", nextToken);
      }
      String body = Json.write(query);
      JsonNode page =
          Wire.json(http.send(() -> api("/sp/productAds/list", slice).header("Content-Type", PRODUCT_ADS_TYPE)
              .header("Accept", PRODUCT_ADS_TYPE).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              response -> classify(response, slice)).body());
      nextToken = Wire.text(page.path("nextToken"));
      Wire.checkNotRepeated(seen, nextToken, "Amazon Ads' product ads listing of profile " + slice.accountId());
      pages.add(EntityStatuses.tagged(page, EntityStatuses.Entity.ADS));
    } while (nextToken != null);
    return pages;
  }

  static String status(String state) {
    return switch (state) {
      case "ENABLED" -> "ACTIVE";
      case "PAUSED" -> "PAUSED";
      case "ARCHIVED" -> "REMOVED";
      default -> "OTHER";
    };
  }

  /**
   * The report an earlier run of the day created for this slice, once it is done; null when there
   * is none or Amazon no longer knows it. One still generating stops the account again.
   */
  private JsonNode earlierReport(AccountSlice slice, ReportJobs jobs) {
    String reportId = jobs.remembered(slice.from(), slice.to()).orElse(null);
    if (reportId == null) {
      return null;
    }
    try {
      return await(slice, reportId);
    } catch (AdsApiException e) {
      if (e.kind() != AdsApiException.Kind.BAD_REQUEST) {
        throw e;
      }
      jobs.forget(slice.from(), slice.to());
      return null;
    }
  }

  private String created(AccountSlice slice, ReportJobs jobs) {
    String reportId = create(slice);
    jobs.remember(slice.from(), slice.to(), reportId);
    return reportId;
  }

  private String create(AccountSlice slice) {
    String columns = "date,campaignId,campaignName,campaignStatus,adGroupId,adGroupName,adId,advertisedAsin,advertisedSku,"
        + "impressions,clicks,cost,purchases" + attributionDays + "d,sales" + attributionDays + "d,campaignBudgetCurrencyCode";
    String body =
        Json.write(Map.of(
            "name", "ads-daily " + slice,
            "startDate", slice.from().toString(),
            "endDate", slice.to().toString(),
            "configuration", Map.of(
                "adProduct", "SPONSORED_PRODUCTS", "groupBy", List.of("advertiser"), "reportTypeId", REPORT_TYPE,
                "timeUnit", "DAILY", "format", "GZIP_JSON", "columns", List.of(columns.split(",")),
                "filters", List.of(Map.of("field", "adCreativeStatus", "values", List.of("ENABLED", "PAUSED", "ARCHIVED"))))));
    HttpResponse<byte[]> response =
        send(slice, () -> api("/reporting/reports", slice).header("Content-Type", CONTENT_TYPE)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    JsonNode answer = Wire.json(response.body());
    if (response.statusCode() == 425) {
      // "... duplicate of : <reportId>": the identical report an earlier run asked for.
      String detail = answer.path("detail").asText(answer.path("details").asText());
      return detail.substring(detail.lastIndexOf(':') + 1).trim();
    }
    return answer.path("reportId").asText();
  }

  /** The report once COMPLETED or FAILED; still generating at the deadline stops the account. */
  private JsonNode await(AccountSlice slice, String reportId) {
    JsonNode[] report = new JsonNode[1];
    ReportPolling.State state =
        polling.await(() -> {
          report[0] = status(slice, reportId);
          return switch (report[0].path("status").asText()) {
            case "COMPLETED" -> ReportPolling.State.DONE;
            case "FAILED" -> ReportPolling.State.FAILED;
            default -> ReportPolling.State.RUNNING;
          };
        });
    if (state == ReportPolling.State.RUNNING) {
      throw new AdsApiException(AdsApiException.Kind.STOP_ACCOUNT,
          "Amazon Ads report " + reportId + " is still " + report[0].path("status").asText()
              + "; the next run picks it up (Amazon names it when asked again)", null);
    }
    return report[0];
  }

  /**
   * The report's status. Amazon answers a poll with a 401 now and then (the access token ended
   * early, say), so a first 401 here renews the token and polls again, as a slow-down; a second one
   * is refused credentials.
   */
  private JsonNode status(AccountSlice slice, String reportId) {
    java.util.concurrent.atomic.AtomicBoolean renewed = new java.util.concurrent.atomic.AtomicBoolean();
    HttpResponse<byte[]> response =
        http.send(() -> api("/reporting/reports/" + reportId, slice).GET().build(), answer -> {
          AdsApiException failure = classify(answer, slice);
          // Once: a 401 with a token just renewed is refused credentials, not a transient answer.
          if (answer.statusCode() == 401 && !renewed.getAndSet(true)) {
            oauth.renew();
            return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, "while polling report " + reportId + ", " + failure.getMessage(), null);
          }
          return failure;
        });
    return Wire.json(response.body());
  }

  /** The pre-signed URL takes no auth headers; an expired one (403) is renewed by polling again. */
  private byte[] download(AccountSlice slice, JsonNode report) {
    String url = report.path("url").asText();
    for (int attempt = 0; ; attempt++) {
      String current = url;
      HttpResponse<byte[]> response =
          http.send(() -> AdsHttp.request(current).GET().build(),
              r -> r.statusCode() == 200 || r.statusCode() == 403 ? null : classify(r, slice));
      if (response.statusCode() == 200) {
        return response.body();
      }
      if (attempt == 1) {
        throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST,
            "Amazon Ads report " + report.path("reportId").asText() + " could not be downloaded: HTTP 403 twice", null);
      }
      url = status(slice, report.path("reportId").asText()).path("url").asText();
    }
  }

  private HttpRequest.Builder api(String path, AccountSlice slice) {
    return AdsHttp.request(baseUrl + path)
        .header("Authorization", "Bearer " + oauth.accessToken(http))
        .header("Amazon-Advertising-API-ClientId", oauth.clientId().reveal())
        .header("Amazon-Advertising-API-Scope", slice.accountId());
  }

  private HttpResponse<byte[]> send(AccountSlice slice, Supplier<HttpRequest> request) {
    return http.send(request, response -> response.statusCode() == 425 ? null : classify(response, slice));
  }

  static AdsApiException classify(HttpResponse<byte[]> response, AccountSlice slice) {
    int status = response.statusCode();
    if (status == 200) {
      return null;
    }
    String body = new String(response.body(), StandardCharsets.UTF_8);
    String message = "Amazon Ads answered HTTP " + status + ": " + body.substring(0, Math.min(200, body.length()));
    if (status == 429) {
      Duration retryAfter = response.headers().firstValue("Retry-After").map(AmazonAdsConnector::seconds).orElse(null);
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, retryAfter);
    }
    if (status >= 500) {
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, null);
    }
    if (status == 401) {
      return new AdsApiException(AdsApiException.Kind.AUTH,
          message + ": check the variables named by --amazonAdsEnvPrefix and that profile " + slice.accountId() + " belongs to them",
          null);
    }
    return new AdsApiException(AdsApiException.Kind.BAD_REQUEST, message, null);
  }

  private static Duration seconds(String header) {
    try {
      return Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static byte[] gunzip(byte[] gzip) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Amazon Ads report is not gzip: " + e.getMessage(), e);
    }
  }

  @Override
  public Normalized normalize(AccountSlice slice, List<String> pages, Instant extractedAt) {
    JsonNode profile = Wire.json(pages.get(0));
    JsonNode report = Wire.json(pages.get(1));
    String reportId = Wire.text(report.path("reportId"));
    Map<String, String> statuses =
        EntityStatuses.of(pages, EntityStatuses.Entity.ADS, (page, out) -> page.path("productAds").forEach(ad -> out.put(ad.path("adId").asText(), Wire.text(ad.path("state")))));
    Normalized normalized = new Normalized();
    for (JsonNode item : report.path("rows")) {
      String date = Wire.text(item.path("date"));
      String adId = Wire.text(item.path("adId"));
      String asin = Wire.text(item.path("advertisedAsin"));
      String sku = Wire.text(item.path("advertisedSku"));
      String currency = Wire.text(item.path("campaignBudgetCurrencyCode"));
      BigDecimal conversions = Wire.decimal(item.path("purchases" + attributionDays + "d"));
      normalized.add(item, () ->
          new Extracted.Builder(Platform.AMAZON_ADS, extractedAt)
              .set("account_id", slice.accountId())
              .date(date)
              .set("ad_id", adId != null ? adId : asin)
              .status(adId == null ? null : statuses.get(adId), AmazonAdsConnector::status)
              .set("ad_name", asin == null ? sku : sku == null ? asin : asin + "/" + sku)
              .set("ad_group_id", Wire.text(item.path("adGroupId")))
              .set("ad_group_name", Wire.text(item.path("adGroupName")))
              .set("campaign_id", Wire.text(item.path("campaignId")))
              .set("campaign_name", Wire.text(item.path("campaignName")))
              .set("campaign_status_raw", Wire.text(item.path("campaignStatus")))
              .set("account_currency", currency != null ? currency : Wire.text(profile.path("currencyCode")))
              .set("account_timezone", Wire.text(profile.path("timezone")))
              .metrics(Wire.count(item.path("impressions")), Wire.count(item.path("clicks")), Wire.decimal(item.path("cost")),
                  conversions, Wire.decimal(item.path("sales" + attributionDays + "d")))
              .set("attribution_spec", attributionDays + "d_click")
              .set("source_version", "reporting-v3")
              .set("request_id", reportId)
              .build());
    }
    return normalized;
  }
}
