package io.analyticsetl.testkit.ads;

import static io.analyticsetl.testkit.ads.FakeAdPlatforms.JSON;
import static io.analyticsetl.testkit.FakeHttp.respond;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.analyticsetl.testkit.FakeHttp;
import io.analyticsetl.testkit.ads.FakeAdPlatforms.Ad;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * Amazon Ads (reference section 4.6): Login with Amazon's token endpoint, {@code /v2/profiles},
 * {@code POST /reporting/reports} (the v3 content type, the 31-day span, 425 naming an identical
 * report in flight), {@code GET /reporting/reports/<id>} moving PENDING, PROCESSING, COMPLETED (or
 * FAILED) over polls, and a pre-signed download URL serving gzip JSON that refuses auth headers
 * and expires. Numbers are JSON numbers; ids are longs.
 */
public final class FakeAmazonAds {

  public static final String CLIENT_ID = "amzn1.application-oa2-client.test";
  public static final String CLIENT_SECRET = "amazon-secret";
  public static final String REFRESH_TOKEN = "Atzr|amazon-refresh";
  private static final String ACCESS_TOKEN = "Atza|amazon-access-";

  private static final class Report {
    final String id = UUID.randomUUID().toString();
    final String key;
    final String profileId;
    final LocalDate start;
    final LocalDate end;
    final int attribution;
    final boolean failing;
    final AtomicInteger polls = new AtomicInteger();
    volatile int pollsUntilDone;
    volatile String downloadToken;

    Report(String key, String profileId, LocalDate start, LocalDate end, int attribution, boolean failing, int pollsUntilDone) {
      this.pollsUntilDone = pollsUntilDone;
      this.key = key;
      this.profileId = profileId;
      this.start = start;
      this.end = end;
      this.attribution = attribution;
      this.failing = failing;
    }
  }

  private final FakeAdPlatforms platforms;
  private final Map<String, Report> reports = new ConcurrentHashMap<>();
  private final Map<String, Report> downloads = new ConcurrentHashMap<>();
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger failing = new AtomicInteger();
  private final AtomicInteger expiring = new AtomicInteger();
  private volatile int pollsUntilDone = 3;
  /** Access tokens carry their generation; only the newest is accepted. */
  private final AtomicInteger tokenGeneration = new AtomicInteger(1);
  private final AtomicInteger polls = new AtomicInteger();
  private volatile int expireTokenAtPoll = -1;
  private volatile boolean revokeAtExpiry;

  FakeAmazonAds(FakeAdPlatforms platforms) {
    this.platforms = platforms;
  }

  /** The next {@code n} API calls answer 429 with Retry-After: 1. */
  public void throttleNext(int n) {
    throttled.set(n);
  }

  /** The next {@code n} reports end FAILED. */
  public void failNextReports(int n) {
    failing.set(n);
  }

  /** The next {@code n} downloads find their URL expired (403). */
  public void expireNextDownloads(int n) {
    expiring.set(n);
  }

  /** Polls a report created from now on takes to complete (PENDING, PROCESSING..., COMPLETED). */
  public void pollsUntilDone(int polls) {
    pollsUntilDone = polls;
  }

  /** Reports still generating complete on their next poll. */
  public void finishGenerating() {
    reports.values().forEach(r -> r.pollsUntilDone = Math.min(r.pollsUntilDone, r.polls.get() + 1));
  }

  /**
   * The access token in use stops being accepted at the {@code poll}-th report poll from now (that
   * poll answers 401), as when Amazon ends a token early; a refreshed one works.
   */
  public void expireAccessTokenAtPoll(int poll) {
    polls.set(0);
    expireTokenAtPoll = poll;
  }

  /**
   * From the {@code poll}-th report poll from now, the client's access is revoked: every token,
   * refreshed or not, is refused, as when the advertiser withdraws the app's authorisation.
   */
  public void revokeAccessAtPoll(int poll) {
    expireAccessTokenAtPoll(poll);
    revokeAtExpiry = true;
  }

  /** Reports created so far. */
  public int reportsCreated() {
    return reports.size();
  }

  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      platforms.count("amazon " + exchange.getRequestMethod() + " " + path.replaceAll("/[0-9a-f-]{36}$", "/{id}"));
      if (path.equals("/amazon/auth/o2/token")) {
        token(exchange);
        return;
      }
      if (path.startsWith("/amazon/download/")) {
        download(exchange, path.substring("/amazon/download/".length()));
        return;
      }
      if (path.startsWith("/amazon/reporting/reports/") && polls.incrementAndGet() == expireTokenAtPoll) {
        tokenGeneration.incrementAndGet();
      }
      boolean revoked = revokeAtExpiry && expireTokenAtPoll > 0 && polls.get() >= expireTokenAtPoll;
      if (revoked || !("Bearer " + ACCESS_TOKEN + tokenGeneration.get()).equals(exchange.getRequestHeaders().getFirst("Authorization"))
          || !CLIENT_ID.equals(exchange.getRequestHeaders().getFirst("Amazon-Advertising-API-ClientId"))) {
        error(exchange, 401, "UNAUTHORIZED", "Not authorized to access this advertiser");
        return;
      }
      if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        exchange.getResponseHeaders().add("Retry-After", "1");
        error(exchange, 429, "429", "Too Many Requests");
        return;
      }
      if (path.equals("/amazon/v2/profiles")) {
        ArrayNode profiles = JSON.createArrayNode();
        for (String profile : profileIds()) {
          ObjectNode p = profiles.addObject().put("profileId", Long.parseLong(profile)).put("countryCode", "UK")
              .put("currencyCode", "GBP").put("timezone", "Europe/London");
          p.putObject("accountInfo").put("marketplaceStringId", "A1F83G8C2ARO7P").put("id", "A2EUQ1WTGCTBG2")
              .put("type", "seller").put("name", "Demo seller");
        }
        respond(exchange, 200, profiles);
        return;
      }
      String scope = exchange.getRequestHeaders().getFirst("Amazon-Advertising-API-Scope");
      if (scope == null || !profileIds().contains(scope)) {
        error(exchange, 401, "UNAUTHORIZED", scope == null ? "Scope header is missing" : "No matching advertiser found for scope");
        return;
      }
      if (path.equals("/amazon/sp/productAds/list") && exchange.getRequestMethod().equals("POST")) {
        productAds(exchange, scope);
      } else if (path.equals("/amazon/reporting/reports") && exchange.getRequestMethod().equals("POST")) {
        create(exchange, scope);
      } else if (path.startsWith("/amazon/reporting/reports/") && reports.containsKey(path.substring(26))) {
        status(exchange, reports.get(path.substring(26)));
      } else {
        error(exchange, 404, "NOT_FOUND", "Not found");
      }
    }
  }

  /** The profile's product ads and their state, {@code maxResults} at a time with a nextToken. */
  private void productAds(HttpExchange exchange, String profile) throws IOException {
    if (!"application/vnd.spProductAd.v3+json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
      error(exchange, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/vnd.spProductAd.v3+json");
      return;
    }
    JsonNode request = JSON.readTree(exchange.getRequestBody());
    int max = request.path("maxResults").asInt(100);
    int offset = request.hasNonNull("nextToken") ? Integer.parseInt(request.path("nextToken").asText().substring(5)) : 0;
    List<Ad> ads = platforms.adsOf("amazon_ads", profile);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("productAds");
    for (Ad ad : ads.subList(Math.min(offset, ads.size()), Math.min(offset + max, ads.size()))) {
      list.addObject().put("adId", ad.adId()).put("adGroupId", ad.adGroupId()).put("campaignId", ad.campaignId())
          .put("state", platforms.adStatus(ad, "ENABLED"));
    }
    if (offset + max < ads.size()) {
      body.put("nextToken", "page-" + (offset + max));
    }
    respond(exchange, 200, body);
  }

  private TreeSet<String> profileIds() {
    TreeSet<String> ids = new TreeSet<>();
    platforms.ads().stream().filter(a -> a.platform().equals("amazon_ads")).forEach(a -> ids.add(a.accountId()));
    return ids;
  }

  private void token(HttpExchange exchange) throws IOException {
    Map<String, String> form = FakeHttp.form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    if (!REFRESH_TOKEN.equals(form.get("refresh_token")) || !CLIENT_ID.equals(form.get("client_id"))
        || !CLIENT_SECRET.equals(form.get("client_secret")) || !"refresh_token".equals(form.get("grant_type"))) {
      respond(exchange, 400, JSON.createObjectNode().put("error", "invalid_grant").put("error_description", "The request has an invalid grant parameter : refresh_token"));
      return;
    }
    respond(exchange, 200, JSON.createObjectNode().put("access_token", ACCESS_TOKEN + tokenGeneration.get()).put("refresh_token", REFRESH_TOKEN)
        .put("token_type", "bearer").put("expires_in", 3600));
  }

  private void create(HttpExchange exchange, String profileId) throws IOException {
    if (!"application/vnd.createasyncreportrequest.v3+json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
      error(exchange, 415, "415", "Unsupported Media Type");
      return;
    }
    JsonNode request = JSON.readTree(exchange.getRequestBody());
    JsonNode configuration = request.path("configuration");
    LocalDate start = LocalDate.parse(request.path("startDate").asText());
    LocalDate end = LocalDate.parse(request.path("endDate").asText());
    if (ChronoUnit.DAYS.between(start, end) >= 31) {
      error(exchange, 400, "400", "Report date range cannot exceed 31 days");
      return;
    }
    if (!"spAdvertisedProduct".equals(configuration.path("reportTypeId").asText()) || !"DAILY".equals(configuration.path("timeUnit").asText())
        || !"GZIP_JSON".equals(configuration.path("format").asText())) {
      error(exchange, 400, "400", "Invalid report configuration");
      return;
    }
    int attribution = 0;
    for (JsonNode column : configuration.path("columns")) {
      if (column.asText().matches("purchases(1|7|14|30)d")) {
        attribution = Integer.parseInt(column.asText().replaceAll("\\D", ""));
      }
    }
    String key = profileId + "|" + start + "|" + end + "|" + configuration.path("columns");
    Report inFlight = inFlight(key);
    if (inFlight != null) {
      respond(exchange, 425, JSON.createObjectNode().put("code", "425").put("detail", "The Request is a duplicate of : " + inFlight.id));
      return;
    }
    Report report = new Report(key, profileId, start, end, attribution, failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0,
        pollsUntilDone);
    reports.put(report.id, report);
    respond(exchange, 200, describe(report, "PENDING"));
  }

  /** Leaves an identical report generating, as an earlier run would have (a create then answers 425). */
  public String requestedEarlier(String profileId, LocalDate start, LocalDate end, int attribution) {
    String columns = "[\"date\",\"campaignId\",\"campaignName\",\"campaignStatus\",\"adGroupId\",\"adGroupName\",\"adId\","
        + "\"advertisedAsin\",\"advertisedSku\",\"impressions\",\"clicks\",\"cost\",\"purchases" + attribution + "d\",\"sales"
        + attribution + "d\",\"campaignBudgetCurrencyCode\"]";
    Report report = new Report(profileId + "|" + start + "|" + end + "|" + columns, profileId, start, end, attribution, false, pollsUntilDone);
    reports.put(report.id, report);
    return report.id;
  }

  private Report inFlight(String key) {
    return reports.values().stream().filter(r -> r.key.equals(key) && r.polls.get() < r.pollsUntilDone).findFirst().orElse(null);
  }

  private void status(HttpExchange exchange, Report report) throws IOException {
    int polls = report.polls.incrementAndGet();
    String status = polls >= report.pollsUntilDone ? (report.failing ? "FAILED" : "COMPLETED") : polls == 1 ? "PENDING" : "PROCESSING";
    ObjectNode body = describe(report, status);
    if (status.equals("COMPLETED")) {
      report.downloadToken = UUID.randomUUID().toString();
      downloads.put(report.downloadToken, report);
      body.put("url", platforms.base() + "/amazon/download/" + report.downloadToken + "?X-Amz-Expires=3600&X-Amz-Signature=fake")
          .put("urlExpiresAt", Instant.now().plusSeconds(3600).toString()).put("fileSize", 1024);
    }
    if (status.equals("FAILED")) {
      body.put("failureReason", "Report generation failed due to an internal error. Please retry.");
    }
    respond(exchange, 200, body);
  }

  private ObjectNode describe(Report report, String status) {
    ObjectNode body = JSON.createObjectNode().put("reportId", report.id).put("status", status)
        .put("startDate", report.start.toString()).put("endDate", report.end.toString())
        .put("createdAt", Instant.now().toString()).put("updatedAt", Instant.now().toString());
    body.putNull("url");
    body.putNull("failureReason");
    return body;
  }

  private void download(HttpExchange exchange, String token) throws IOException {
    Report report = downloads.get(token);
    if (exchange.getRequestHeaders().containsKey("Authorization")) {
      s3Error(exchange, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter...");
      return;
    }
    if (report == null || !token.equals(report.downloadToken) || expiring.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      if (report != null) {
        report.downloadToken = null; // that URL stays expired; polling the report again issues a new one
      }
      s3Error(exchange, 403, "AccessDenied", "Request has expired");
      return;
    }
    ArrayNode rows = JSON.createArrayNode();
    for (Ad ad : platforms.adsOf("amazon_ads", report.profileId)) {
      for (LocalDate day = report.start; !day.isAfter(report.end); day = day.plusDays(1)) {
        if (!platforms.reports(ad, day)) {
          continue;
        }
        ObjectNode row = rows.addObject().put("date", day.toString())
            .put("campaignId", Long.parseLong(ad.campaignId())).put("campaignName", "SP campaign " + ad.campaignId())
            .put("campaignStatus", platforms.campaignStatus(ad, "ENABLED"))
            .put("adGroupId", Long.parseLong(ad.adGroupId())).put("adGroupName", "Ad group " + ad.adGroupId())
            .put("adId", Long.parseLong(ad.adId())).put("advertisedAsin", "B0" + ad.adId().substring(ad.adId().length() - 8))
            .put("advertisedSku", "SKU-" + ad.adId())
            .put("impressions", FakeAdPlatforms.impressions(ad, day)).put("clicks", platforms.clicks(ad, day))
            .put("cost", FakeAdPlatforms.spend(ad, day))
            .put("campaignBudgetCurrencyCode", "GBP");
        row.put("purchases" + report.attribution + "d", platforms.conversions(ad, day))
            .put("sales" + report.attribution + "d", platforms.conversionValue(ad, day))
            .put("clickThroughRate", 0.0123); // precomputed: never trusted
      }
    }
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
      out.write(JSON.writeValueAsBytes(rows));
    }
    byte[] bytes = gzip.toByteArray();
    FakeHttp.respondBytes(exchange, 200, "application/x-gzip", bytes);
  }

  private static void error(HttpExchange exchange, int status, String code, String details) throws IOException {
    respond(exchange, status, JSON.createObjectNode().put("code", code).put("details", details));
  }

  private static void s3Error(HttpExchange exchange, int status, String code, String message) throws IOException {
    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>")
        .getBytes(StandardCharsets.UTF_8);
    FakeHttp.respondBytes(exchange, status, "application/xml", body);
  }
}
