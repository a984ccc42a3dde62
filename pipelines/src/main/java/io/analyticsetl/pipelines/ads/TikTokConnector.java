package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.pipelines.ads.EntityStatuses.Entity;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * TikTok API for Business, synchronous integrated report at ad level by day ({@code page} /
 * {@code page_size}, at most 30 days per call). Errors come back as HTTP 200 with a non-zero
 * {@code code}: 40100 (rate limited), 50000 and 60001 are retried; 40067 (query too large) halves the
 * days; 40105 is refused credentials;
 * others fail the slice. The report is live: when its total changes between pages, rows have moved
 * and offset paging would skip or repeat some, so the slice is paged again from the start.
 */
final class TikTokConnector implements AdConnector {

  static final String METRICS =
      "[\"ad_name\",\"adgroup_id\",\"adgroup_name\",\"campaign_id\",\"campaign_name\",\"spend\",\"impressions\",\"clicks\","
          + "\"conversion\",\"total_purchase_value\"]";

  static final int MAX_PAGE_SIZE = 1000;
  static final int PAGING_ATTEMPTS = 3;

  private final String baseUrl;
  private final Secret accessToken;
  private final AdsHttp http;
  private final int pageSize;

  TikTokConnector(String baseUrl, Secret accessToken, AdsHttp http, int pageSize) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.accessToken = accessToken;
    this.http = http;
    this.pageSize = pageSize;
  }

  @Override
  public Platform platform() {
    return Platform.TIKTOK;
  }

  @Override
  public int maxSliceDays() {
    return 30;
  }

  @Override
  public List<String> fetch(AccountSlice slice, ReportJobs jobs) {
    List<String> pages = new ArrayList<>();
    pages.add(get("/open_api/v1.3/advertiser/info/?advertiser_ids=" + encode("[\"" + slice.accountId() + "\"]")));
    for (int attempt = 1; attempt <= PAGING_ATTEMPTS; attempt++) {
      List<String> report = reportPages(slice.accountId(), slice.from(), slice.to());
      if (report != null) {
        pages.addAll(report);
        pages.addAll(statuses(slice, Entity.ADS));
        pages.addAll(statuses(slice, Entity.CAMPAIGNS));
        return pages;
      }
      RunSignals.note("tiktok report rows moved while being paged; paged again from the first page");
    }
    throw new AdsApiException(
        AdsApiException.Kind.STOP_ACCOUNT,
        "TikTok report rows of " + slice.from() + ".." + slice.to() + " kept moving while being paged ("
            + PAGING_ATTEMPTS + " tries); the next run pulls them again",
        null);
  }

  /** The advertiser's ads or campaigns with their operation and secondary status, deleted ones included. */
  private List<String> statuses(AccountSlice slice, Entity entity) {
    List<String> pages = new ArrayList<>();
    int totalPages = 1;
    for (int page = 1; page <= totalPages; page++) {
      JsonNode body =
          Wire.json(get("/open_api/v1.3/" + entity.noun + "/get/?advertiser_id=" + slice.accountId()
              + "&fields=" + encode("[\"" + entity.noun + "_id\",\"operation_status\",\"secondary_status\"]")
              + "&filtering=" + encode("{\"primary_status\":\"STATUS_ALL\"}")
              + "&page=" + page + "&page_size=" + pageSize));
      totalPages = body.path("data").path("page_info").path("total_page").asInt(1);
      pages.add(EntityStatuses.tagged(body, entity));
    }
    return pages;
  }

  /** Each listed id's {@code operation_status/secondary_status}. */
  private static Map<String, String> statuses(List<String> pages, Entity entity) {
    return EntityStatuses.of(pages, entity, (page, out) -> page.path("data").path("list").forEach(e -> out.put(
        e.path(entity.noun + "_id").asText(), e.path("operation_status").asText() + "/" + e.path("secondary_status").asText())));
  }

  /** {@code operation_status/secondary_status}, e.g. {@code ENABLE/AD_STATUS_DELIVERY_OK}. */
  static String status(String raw) {
    String[] parts = raw.split("/", 2);
    String secondary = parts.length > 1 ? parts[1] : "";
    if (secondary.contains("DELETE")) {
      return "REMOVED";
    }
    if (parts[0].equals("DISABLE") || secondary.contains("DISABLE")) {
      return "PAUSED";
    }
    return parts[0].equals("ENABLE") ? "ACTIVE" : "OTHER";
  }

  /**
   * Every page of the report of [from, to], or null when its total changed between pages; the days
   * are halved while TikTok answers 40067 (query too large), down to single days.
   */
  private List<String> reportPages(String accountId, LocalDate from, LocalDate to) {
    try {
      return reportPagesAtOnce(accountId, from, to);
    } catch (AdsApiException e) {
      if (e.kind() != AdsApiException.Kind.TOO_LARGE || from.equals(to)) {
        throw e;
      }
    }
    LocalDate middle = from.plusDays(ChronoUnit.DAYS.between(from, to) / 2);
    List<String> first = reportPages(accountId, from, middle);
    List<String> second = first == null ? null : reportPages(accountId, middle.plusDays(1), to);
    if (second == null) {
      return null;
    }
    first.addAll(second);
    return first;
  }

  private List<String> reportPagesAtOnce(String accountId, LocalDate from, LocalDate to) {
    List<String> pages = new ArrayList<>();
    long total = -1;
    int totalPages = 1;
    for (int page = 1; page <= totalPages; page++) {
      String body =
          get("/open_api/v1.3/report/integrated/get/?advertiser_id=" + accountId
              + "&report_type=BASIC&service_type=AUCTION&data_level=AUCTION_AD"
              + "&dimensions=" + encode("[\"ad_id\",\"stat_time_day\"]") + "&metrics=" + encode(METRICS)
              + "&start_date=" + from + "&end_date=" + to + "&page=" + page + "&page_size=" + pageSize);
      JsonNode pageInfo = Wire.json(body).path("data").path("page_info");
      long pageTotal = pageInfo.path("total_number").asLong(-1);
      if (total >= 0 && pageTotal != total) {
        return null;
      }
      total = pageTotal;
      totalPages = pageInfo.path("total_page").asInt(1);
      pages.add(body);
    }
    return pages;
  }

  @Override
  public Normalized normalize(AccountSlice slice, List<String> pages, Instant extractedAt) {
    JsonNode info = Wire.json(pages.get(0)).path("data").path("list").path(0);
    String currency = Wire.text(info.path("currency"));
    String timezone = Wire.text(info.path("timezone"));
    Map<String, String> statuses = statuses(pages, Entity.ADS);
    Map<String, String> campaignStatuses = statuses(pages, Entity.CAMPAIGNS);
    Normalized normalized = new Normalized();
    for (String page : pages.subList(1, pages.size())) {
      JsonNode body = Wire.json(page);
      if (EntityStatuses.isEntityPage(body)) {
        continue;
      }
      String requestId = Wire.text(body.path("request_id"));
      for (JsonNode item : body.path("data").path("list")) {
        JsonNode dims = item.path("dimensions");
        JsonNode m = item.path("metrics");
        String day = Wire.text(dims.path("stat_time_day"));
        normalized.add(item, () ->
            new Extracted.Builder(Platform.TIKTOK, extractedAt)
                .set("account_id", slice.accountId())
                .date(day)
                .set("ad_id", Wire.text(dims.path("ad_id")))
                .status(statuses.get(Wire.text(dims.path("ad_id"))), TikTokConnector::status)
                .set("ad_name", Wire.text(m.path("ad_name")))
                .set("ad_group_id", Wire.text(m.path("adgroup_id")))
                .set("ad_group_name", Wire.text(m.path("adgroup_name")))
                .set("campaign_id", Wire.text(m.path("campaign_id")))
                .set("campaign_name", Wire.text(m.path("campaign_name")))
                .set("campaign_status_raw", campaignStatuses.get(Wire.text(m.path("campaign_id"))))
                .set("account_currency", currency)
                .set("account_timezone", timezone)
                .metrics(Wire.count(m.path("impressions")), Wire.count(m.path("clicks")), Wire.decimal(m.path("spend")),
                    Wire.decimal(m.path("conversion")), Wire.decimal(m.path("total_purchase_value")))
                .set("attribution_spec", "advertiser_default")
                .set("source_version", "v1.3")
                .set("request_id", requestId)
                .build());
      }
    }
    return normalized;
  }

  private String get(String pathAndQuery) {
    HttpResponse<byte[]> response =
        http.send(
            () -> AdsHttp.request(baseUrl + pathAndQuery).header("Access-Token", accessToken.reveal()).GET().build(),
            TikTokConnector::classify);
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  static AdsApiException classify(HttpResponse<byte[]> response) {
    if (response.statusCode() >= 500) {
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, "TikTok answered HTTP " + response.statusCode(), null);
    }
    if (response.statusCode() != 200) {
      return new AdsApiException(AdsApiException.Kind.BAD_REQUEST, "TikTok answered HTTP " + response.statusCode(), null);
    }
    JsonNode body = Wire.json(response.body());
    int code = body.path("code").asInt(-1);
    String message = "TikTok code " + code + ": " + body.path("message").asText();
    return switch (code) {
      case 0 -> null;
      case 40100, 50000, 60001 -> new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, null);
      case 40067 -> new AdsApiException(AdsApiException.Kind.TOO_LARGE, message, null);
      case 40105 -> new AdsApiException(AdsApiException.Kind.AUTH,
          "TikTok refused the access token (" + message + "): check the token named by --tiktokAccessTokenEnv", null);
      default -> new AdsApiException(AdsApiException.Kind.BAD_REQUEST, message, null);
    };
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

}
