package io.analyticsetl.testkit.ads;

import static io.analyticsetl.testkit.FakeHttp.form;
import static io.analyticsetl.testkit.FakeHttp.query;
import static io.analyticsetl.testkit.FakeHttp.respond;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Local stand-ins for the four ad platforms' reporting APIs (shared/reference/ad-platform-apis.md),
 * on one loopback port: Meta ({@link FakeMetaInsights}), Amazon Ads ({@link FakeAmazonAds}),
 * TikTok's integrated report ({@code Access-Token}, JSON strings in the query, page/page_size, the 30-day span limit, errors as HTTP 200 with a code,
 * numbers sometimes strings and sometimes numbers) and Google Ads' OAuth token endpoint and
 * {@code googleAds:searchStream} (bearer and developer token, a minimal GAQL date filter, int64 as
 * strings, cost in micros, 429 with quotaErrorDetails.retryDelay). The figures are a function of
 * ad, day and the fake's "vintage", so lookback re-pulls see restated values. Throttling, quota and
 * failure answers are scripted per test.
 */
public final class FakeAdPlatforms implements AutoCloseable {

  public static final String TIKTOK_TOKEN = "tiktok-test-token";
  public static final String GOOGLE_DEVELOPER_TOKEN = "google-dev-token";
  public static final String GOOGLE_CLIENT_ID = "google-client";
  public static final String GOOGLE_CLIENT_SECRET = "google-secret";
  public static final String GOOGLE_REFRESH_TOKEN = "google-refresh";

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BETWEEN = Pattern.compile("segments\\.date BETWEEN '(\\d{4}-\\d{2}-\\d{2})' AND '(\\d{4}-\\d{2}-\\d{2})'");

  /** An ad the fake reports on: platform, account, ids, delivery from and to. */
  public record Ad(String platform, String accountId, String adId, String adGroupId, String campaignId, LocalDate firstDay, LocalDate lastDay) {}

  private final HttpServer server;
  private final FakeMetaInsights meta;
  private final FakeAmazonAds amazon;
  private final List<Ad> ads;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger tiktokRateLimited = new AtomicInteger();
  private final AtomicInteger tiktokMaintenance = new AtomicInteger();
  private final AtomicInteger tiktokSystemErrors = new AtomicInteger();
  private final AtomicInteger googleTemporarilyExhausted = new AtomicInteger();
  private final AtomicInteger googleServerErrors = new AtomicInteger();
  private volatile boolean googleQuotaSpent;
  private volatile boolean tiktokTokenRevoked;
  private volatile boolean googleDeveloperTokenRevoked;
  private volatile int tiktokTooLargeAboveDays = Integer.MAX_VALUE;
  private final AtomicInteger tiktokRowDrift = new AtomicInteger();
  private volatile int vintage;
  private volatile String duplicateRowOf;
  private volatile String clicksAboveImpressionsOf;
  private final Map<String, String> adStatuses = new ConcurrentHashMap<>();
  private final Set<String> withdrawn = ConcurrentHashMap.newKeySet();
  private final Map<String, String> campaignStatuses = new ConcurrentHashMap<>();
  private volatile String nullConversionsOf;
  /** googleAds:search page tokens: the query each is bound to and the offset of its page. */
  private final Map<String, Map.Entry<String, Integer>> googlePageTokens = new ConcurrentHashMap<>();
  private volatile int googlePageRows = 10_000;
  private final AtomicInteger googleExpiringPageTokens = new AtomicInteger();

  private FakeAdPlatforms(List<Ad> ads) throws IOException {
    this.ads = List.copyOf(ads);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/open_api/", this::tiktok);
    server.createContext("/oauth2/", this::googleToken);
    server.createContext("/google/", this::google);
    meta = new FakeMetaInsights(this);
    server.createContext("/meta/", meta::handle);
    amazon = new FakeAmazonAds(this);
    server.createContext("/amazon/", amazon::handle);
    server.setExecutor(Executors.newFixedThreadPool(6));
    server.start();
  }

  public static FakeAdPlatforms start(List<Ad> ads) throws IOException {
    return new FakeAdPlatforms(ads);
  }

  public String tiktokBaseUrl() {
    return base();
  }

  public String googleAdsBaseUrl() {
    return base() + "/google";
  }

  public String googleAuthUrl() {
    return base() + "/oauth2/token";
  }

  public String metaBaseUrl() {
    return base() + "/meta";
  }

  public String amazonAdsBaseUrl() {
    return base() + "/amazon";
  }

  public String amazonAuthUrl() {
    return base() + "/amazon/auth/o2/token";
  }

  /** Meta's scripted behaviour. */
  public FakeMetaInsights meta() {
    return meta;
  }

  /** Amazon Ads' scripted behaviour. */
  public FakeAmazonAds amazon() {
    return amazon;
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  // ---- scripted behaviour ----

  /** Later pulls report restated figures (conversions keep arriving). */
  public void restate() {
    vintage++;
  }

  public void tiktokRateLimitNext(int n) {
    tiktokRateLimited.set(n);
  }

  /** The next {@code n} TikTok calls answer code 60001 (under maintenance). */
  public void tiktokMaintenanceNext(int n) {
    tiktokMaintenance.set(n);
  }

  public void tiktokSystemErrorNext(int n) {
    tiktokSystemErrors.set(n);
  }

  /** Reports over more than {@code days} days answer 40067 (query too large). */
  public void tiktokTooLargeAbove(int days) {
    tiktokTooLargeAboveDays = days;
  }

  public void tiktokRevokeToken() {
    tiktokTokenRevoked = true;
  }

  /**
   * Rows move while a report is paged, as in TikTok's live reports: the next {@code pages} answers
   * for a page after the first see one more row at the front, so the total changes and every row
   * shifts by one place (offset paging would then read one row twice).
   */
  public void tiktokRowDrift(int pages) {
    tiktokRowDrift.set(pages);
  }

  public void googleTemporarilyExhaustedNext(int n) {
    googleTemporarilyExhausted.set(n);
  }

  /** googleAds:search pages hold this many rows (Google's are fixed at 10,000). */
  public void googlePageRows(int rows) {
    googlePageRows = rows;
  }

  /** The next {@code n} follow-ups with a page token find it expired (EXPIRED_PAGE_TOKEN), as after ~2 h. */
  public void googleExpireNextPageTokens(int n) {
    googleExpiringPageTokens.set(n);
  }

  public void googleServerErrorNext(int n) {
    googleServerErrors.set(n);
  }

  /** Every Google Ads call answers 403 PERMISSION_DENIED, as for a developer token that was revoked. */
  public void googleRevokeDeveloperToken() {
    googleDeveloperTokenRevoked = true;
  }

  /** Every Google Ads call answers 429 RESOURCE_EXHAUSTED: the day's quota is spent. */
  public void googleQuotaSpent(boolean spent) {
    googleQuotaSpent = spent;
  }

  /**
   * The platform stops reporting the ad's row of a day it reported before (its delivery invalidated
   * and refunded, say): later pulls of that day leave the ad out.
   */
  public void withdraw(String adId, LocalDate day) {
    withdrawn.add(adId + "@" + day);
  }

  /** Whether the platform reports a row of the ad on the day: it delivered, and the row was not withdrawn. */
  boolean reports(Ad ad, LocalDate day) {
    return !day.isBefore(ad.firstDay()) && !day.isAfter(ad.lastDay()) && !withdrawn.contains(ad.adId() + "@" + day);
  }

  /** The ad's rows of one day are sent twice (a duplicate natural key). */
  public void duplicateRow(String adId) {
    duplicateRowOf = adId;
  }

  /** TikTok sends the ad's conversions and their value as explicit nulls. */
  public void nullConversions(String adId) {
    nullConversionsOf = adId;
  }

  /** The ad reports more clicks than impressions on every day. */
  public void clicksAboveImpressions(String adId) {
    clicksAboveImpressionsOf = adId;
  }

  /**
   * The ad's status in its platform's entity API, in that platform's words: Meta's effective_status
   * (default ACTIVE), TikTok's {@code operation_status/secondary_status} (default
   * ENABLE/AD_STATUS_DELIVERY_OK), Amazon's state (default ENABLED).
   */
  public void adStatus(String adId, String status) {
    adStatuses.put(adId, status);
  }

  String adStatus(Ad ad, String otherwise) {
    return adStatuses.getOrDefault(ad.adId(), otherwise);
  }

  /**
   * The campaign's status in its platform's words: Meta's effective_status (default ACTIVE),
   * TikTok's {@code operation_status/secondary_status} (default ENABLE/CAMPAIGN_STATUS_ENABLE),
   * Google's campaign.status and Amazon's campaignStatus (default ENABLED).
   */
  public void campaignStatus(String campaignId, String status) {
    campaignStatuses.put(campaignId, status);
  }

  String campaignStatus(Ad ad, String otherwise) {
    return campaignStatuses.getOrDefault(ad.campaignId(), otherwise);
  }

  public int calls(String endpoint) {
    return calls.getOrDefault(endpoint, new AtomicInteger()).get();
  }

  // ---- the figures ----

  /** Impressions of an ad on a day. */
  public static long impressions(Ad ad, LocalDate day) {
    return 500 + Math.floorMod((ad.adId().hashCode() * 31L + day.toEpochDay() * 17L), 1500);
  }

  public long clicks(Ad ad, LocalDate day) {
    long impressions = impressions(ad, day);
    return ad.adId().equals(clicksAboveImpressionsOf) ? impressions + 5 : impressions / 20 + Math.floorMod(day.toEpochDay(), 7);
  }

  /** Spend in the account currency, two decimals. */
  public static BigDecimal spend(Ad ad, LocalDate day) {
    return BigDecimal.valueOf(impressions(ad, day) * 7L + 13, 3).setScale(2, java.math.RoundingMode.DOWN);
  }

  /** Conversions grow with each vintage: restated figures. */
  public BigDecimal conversions(Ad ad, LocalDate day) {
    BigDecimal whole = BigDecimal.valueOf(impressions(ad, day) % 9 + vintage);
    return ad.platform().equals("amazon_ads") ? whole : whole.add(new BigDecimal("0.5")); // Amazon counts whole purchases
  }

  public BigDecimal conversionValue(Ad ad, LocalDate day) {
    return conversions(ad, day).multiply(new BigDecimal("12.25"));
  }

  List<Ad> ads() {
    return ads;
  }

  List<Ad> adsOf(String platform, String account) {
    return ads.stream().filter(a -> a.platform().equals(platform) && a.accountId().equals(account)).toList();
  }

  // ---- TikTok ----

  private void tiktok(HttpExchange exchange) throws IOException {
    try (exchange) {
      count("tiktok " + exchange.getRequestURI().getPath());
      if (!TIKTOK_TOKEN.equals(exchange.getRequestHeaders().getFirst("Access-Token")) || tiktokTokenRevoked) {
        tiktokError(exchange, 40105, "Access token is invalid or has been revoked.");
        return;
      }
      if (tiktokRateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        tiktokError(exchange, 40100, "Requests from App are temporarily restricted due to reaching the QPS limit.");
        return;
      }
      if (tiktokSystemErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        tiktokError(exchange, 50000, "System error.");
        return;
      }
      if (tiktokMaintenance.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        tiktokError(exchange, 60001, "The system is under maintenance. Please try again later.");
        return;
      }
      Map<String, String> query = query(exchange.getRequestURI());
      // An advertiser the fake has no ads for is one the token has no access to.
      List<String> advertisers = new ArrayList<>();
      if (query.containsKey("advertiser_id")) {
        advertisers.add(query.get("advertiser_id"));
      } else if (query.containsKey("advertiser_ids")) {
        JSON.readTree(query.get("advertiser_ids")).forEach(id -> advertisers.add(id.asText()));
      }
      for (String advertiser : advertisers) {
        if (adsOf("tiktok", advertiser).isEmpty()) {
          tiktokError(exchange, 40002, "No permission to operate advertiser " + advertiser + ".");
          return;
        }
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/open_api/v1.3/advertiser/info/")) {
        ObjectNode body = envelope();
        JsonNode ids = JSON.readTree(query.get("advertiser_ids"));
        ArrayNode list = ((ObjectNode) body.get("data")).putArray("list");
        for (JsonNode id : ids) {
          list.addObject().put("advertiser_id", id.asText()).put("currency", "EUR").put("timezone", "Europe/Berlin");
        }
        respond(exchange, 200, body);
        return;
      }
      if (path.equals("/open_api/v1.3/ad/get/") || path.equals("/open_api/v1.3/campaign/get/")) {
        boolean campaigns = path.contains("/campaign/");
        List<ObjectNode> entities = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        // Like TikTok, deleted ads and campaigns are listed only when primary_status STATUS_ALL is asked for.
        boolean all = JSON.readTree(query.getOrDefault("filtering", "{}")).path("primary_status").asText().equals("STATUS_ALL");
        for (Ad ad : adsOf("tiktok", query.get("advertiser_id"))) {
          String id = campaigns ? ad.campaignId() : ad.adId();
          String[] status = (campaigns ? campaignStatus(ad, "ENABLE/CAMPAIGN_STATUS_ENABLE") : adStatus(ad, "ENABLE/AD_STATUS_DELIVERY_OK"))
              .split("/", 2);
          if (status[1].contains("DELETE") && !all || !listed.add(id)) {
            continue;
          }
          entities.add(JSON.createObjectNode().put(campaigns ? "campaign_id" : "ad_id", id)
              .put("operation_status", status[0]).put("secondary_status", status[1]));
        }
        respond(exchange, 200, tiktokPage(entities, query));
        return;
      }
      if (!path.equals("/open_api/v1.3/report/integrated/get/") || !"AUCTION_AD".equals(query.get("data_level"))) {
        tiktokError(exchange, 40002, "Invalid parameters.");
        return;
      }
      // dimensions and metrics are JSON arrays of names in the query string, as TikTok documents them.
      if (!jsonArrayOf(query.get("dimensions")).equals(List.of("ad_id", "stat_time_day"))
          || !jsonArrayOf(query.get("metrics")).containsAll(List.of("impressions", "clicks", "spend"))) {
        tiktokError(exchange, 40002, "dimensions and metrics must be JSON arrays: dimensions [\"ad_id\",\"stat_time_day\"]");
        return;
      }
      LocalDate start = LocalDate.parse(query.get("start_date"));
      LocalDate end = LocalDate.parse(query.get("end_date"));
      if (ChronoUnit.DAYS.between(start, end) >= 30) {
        tiktokError(exchange, 40002, "The time span cannot exceed 30 days.");
        return;
      }
      if (ChronoUnit.DAYS.between(start, end) + 1 > tiktokTooLargeAboveDays) {
        tiktokError(exchange, 40067, "The query is too large; please reduce the time range.");
        return;
      }
      List<ObjectNode> rows = new ArrayList<>();
      for (Ad ad : adsOf("tiktok", query.get("advertiser_id"))) {
        for (LocalDate day = start; !day.isAfter(end); day = day.plusDays(1)) {
          if (!reports(ad, day)) {
            continue; // no delivery, no row
          }
          ObjectNode row = JSON.createObjectNode();
          row.putObject("dimensions").put("ad_id", ad.adId()).put("stat_time_day", day + " 00:00:00");
          ObjectNode m = row.putObject("metrics");
          m.put("ad_name", "TikTok ad " + ad.adId()).put("adgroup_id", ad.adGroupId()).put("adgroup_name", "Group " + ad.adGroupId())
              .put("campaign_id", Long.parseLong(ad.campaignId())) // a number here, a string elsewhere
              .put("campaign_name", "Campaign " + ad.campaignId())
              .put("spend", spend(ad, day).toPlainString())
              .put("impressions", String.valueOf(impressions(ad, day)))
              .put("clicks", String.valueOf(clicks(ad, day)))
              .put("ctr", "1.18") // a percentage: never trusted
              .put("conversion", conversions(ad, day).toPlainString())
              .put("total_purchase_value", conversionValue(ad, day).toPlainString())
              .put("likes", 36)
              .putNull("cost_per_secondary_goal_result"); // TikTok sends metrics it has no value for as null
          if (ad.adId().equals(nullConversionsOf)) {
            m.putNull("conversion").putNull("total_purchase_value");
          }
          rows.add(row);
          if (ad.adId().equals(duplicateRowOf)) {
            rows.add(row.deepCopy());
          }
        }
      }
      if (Integer.parseInt(query.getOrDefault("page", "1")) > 1 && !rows.isEmpty()
          && tiktokRowDrift.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        rows.add(0, rows.get(0).deepCopy());
      }
      respond(exchange, 200, tiktokPage(rows, query));
    }
  }

  /** The asked-for page of {@code items} in TikTok's envelope, with page_info. */
  private static ObjectNode tiktokPage(List<ObjectNode> items, Map<String, String> query) {
    int page = Integer.parseInt(query.getOrDefault("page", "1"));
    int pageSize = Integer.parseInt(query.getOrDefault("page_size", "10"));
    int total = items.size();
    ObjectNode body = envelope();
    ObjectNode data = (ObjectNode) body.get("data");
    ArrayNode list = data.putArray("list");
    items.subList(Math.min((page - 1) * pageSize, total), Math.min(page * pageSize, total)).forEach(list::add);
    data.putObject("page_info").put("page", page).put("page_size", pageSize).put("total_number", total)
        .put("total_page", Math.max(1, (total + pageSize - 1) / pageSize));
    return body;
  }

  private static ObjectNode envelope() {
    ObjectNode body = JSON.createObjectNode().put("code", 0).put("message", "OK").put("request_id", "req-" + System.nanoTime());
    body.putObject("data");
    return body;
  }

  /** The strings of a JSON array parameter; empty when it is missing or not an array of strings. */
  private static List<String> jsonArrayOf(String parameter) {
    List<String> names = new ArrayList<>();
    try {
      JsonNode array = parameter == null ? null : JSON.readTree(parameter);
      if (array != null && array.isArray()) {
        array.forEach(name -> names.add(name.isTextual() ? name.asText() : "?"));
      }
    } catch (IOException e) {
      names.clear();
    }
    return names;
  }

  private static void tiktokError(HttpExchange exchange, int code, String message) throws IOException {
    respond(exchange, 200, JSON.createObjectNode().put("code", code).put("message", message).put("request_id", "req-err"));
  }

  // ---- Google Ads ----

  private void googleToken(HttpExchange exchange) throws IOException {
    try (exchange) {
      count("google token");
      String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> fields = form(form);
      if (!GOOGLE_REFRESH_TOKEN.equals(fields.get("refresh_token")) || !GOOGLE_CLIENT_ID.equals(fields.get("client_id"))
          || !GOOGLE_CLIENT_SECRET.equals(fields.get("client_secret"))) {
        respond(exchange, 400, JSON.createObjectNode().put("error", "invalid_grant"));
        return;
      }
      respond(exchange, 200, JSON.createObjectNode().put("access_token", "ya29.test").put("expires_in", 3599).put("token_type", "Bearer"));
    }
  }

  private void google(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Matcher customer = Pattern.compile("/google/(v\\d+)/customers/(\\d+)/googleAds:(searchStream|search)").matcher(path);
      boolean matched = customer.matches();
      count("google " + (matched ? customer.group(3) : path));
      if (matched) {
        count("google " + customer.group(1));
      }
      if (!"Bearer ya29.test".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        googleError(exchange, 401, "UNAUTHENTICATED", "Request is missing required authentication credential.", null);
        return;
      }
      if (!GOOGLE_DEVELOPER_TOKEN.equals(exchange.getRequestHeaders().getFirst("developer-token")) || googleDeveloperTokenRevoked) {
        googleError(exchange, 403, "PERMISSION_DENIED", "The developer token is not valid.", null);
        return;
      }
      if (googleQuotaSpent) {
        googleError(exchange, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED");
        return;
      }
      if (googleTemporarilyExhausted.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        googleError(exchange, 429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", "RESOURCE_TEMPORARILY_EXHAUSTED");
        return;
      }
      if (googleServerErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        googleError(exchange, 503, "UNAVAILABLE", "The service is currently unavailable.", null);
        return;
      }
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String query = request.path("query").asText();
      Matcher dates = BETWEEN.matcher(query);
      if (!matched || !dates.find()) {
        googleError(exchange, 400, "INVALID_ARGUMENT", "Request contains an invalid argument.", null);
        return;
      }
      ArrayNode results = googleRows(customer.group(2), LocalDate.parse(dates.group(1)), LocalDate.parse(dates.group(2)));
      if (customer.group(3).equals("searchStream")) {
        ArrayNode batches = JSON.createArrayNode();
        batches.addObject().<ObjectNode>set("results", results)
            .put("fieldMask", "customer.id,segments.date,metrics.impressions").put("requestId", "g-" + System.nanoTime());
        respond(exchange, 200, batches);
        return;
      }
      googleSearchPage(exchange, request, query, results);
    }
  }

  /** One googleAds:search page; its next page token is bound to the query text. */
  private void googleSearchPage(HttpExchange exchange, JsonNode request, String query, ArrayNode results) throws IOException {
    if (request.has("pageSize")) {
      googleRequestError(exchange, "PAGE_SIZE_NOT_SUPPORTED", "Setting the page size is not supported.");
      return;
    }
    int offset = 0;
    if (request.hasNonNull("pageToken")) {
      Map.Entry<String, Integer> token = googlePageTokens.get(request.path("pageToken").asText());
      if (token == null || googleExpiringPageTokens.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        googleRequestError(exchange, "EXPIRED_PAGE_TOKEN", "The page token has expired.");
        return;
      }
      if (!token.getKey().equals(query)) {
        googleRequestError(exchange, "INVALID_PAGE_TOKEN", "The page token is not valid for this query.");
        return;
      }
      offset = token.getValue();
    }
    ObjectNode page = JSON.createObjectNode();
    ArrayNode rows = page.putArray("results");
    for (int i = offset; i < Math.min(results.size(), offset + googlePageRows); i++) {
      rows.add(results.get(i));
    }
    if (offset + googlePageRows < results.size()) {
      String next = "gpt-" + UUID.randomUUID();
      googlePageTokens.put(next, Map.entry(query, offset + googlePageRows));
      page.put("nextPageToken", next);
    }
    page.put("fieldMask", "customer.id,segments.date,metrics.impressions").put("requestId", "g-" + System.nanoTime());
    respond(exchange, 200, page);
  }

  /** The customer's ad rows of [start, end], as GAQL returns them over REST. */
  private ArrayNode googleRows(String customerId, LocalDate start, LocalDate end) {
    ArrayNode results = JSON.createArrayNode();
    for (Ad ad : adsOf("google_ads", customerId)) {
      for (LocalDate day = start; !day.isAfter(end); day = day.plusDays(1)) {
        if (!reports(ad, day)) {
          continue;
        }
        ObjectNode r = results.addObject();
        r.putObject("customer").put("resourceName", "customers/" + ad.accountId()).put("id", ad.accountId())
            .put("currencyCode", "USD").put("timeZone", "America/New_York");
        r.putObject("campaign").put("id", ad.campaignId()).put("name", "Campaign " + ad.campaignId())
            .put("status", campaignStatus(ad, "ENABLED"));
        r.putObject("adGroup").put("id", ad.adGroupId()).put("name", "Group " + ad.adGroupId());
        ObjectNode adGroupAd = r.putObject("adGroupAd");
        adGroupAd.putObject("ad").put("id", ad.adId()).put("name", "");
        adGroupAd.put("status", ad.lastDay().isBefore(end) ? "PAUSED" : "ENABLED");
        r.putObject("segments").put("date", day.toString());
        ObjectNode m = r.putObject("metrics");
        m.put("impressions", String.valueOf(impressions(ad, day))).put("clicks", String.valueOf(clicks(ad, day)))
            .put("costMicros", spend(ad, day).movePointRight(6).toBigInteger().toString())
            .put("conversions", conversions(ad, day).doubleValue()).put("conversionsValue", conversionValue(ad, day).doubleValue())
            .put("ctr", 0.05);
        if (ad.adId().equals(duplicateRowOf)) {
          results.add(r.deepCopy());
        }
      }
    }
    return results;
  }

  private static void googleRequestError(HttpExchange exchange, String requestError, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("code", 400).put("message", "Request contains an invalid argument.")
        .put("status", "INVALID_ARGUMENT");
    ObjectNode e = error.putArray("details").addObject()
        .put("@type", "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure")
        .putArray("errors").addObject();
    e.putObject("errorCode").put("requestError", requestError);
    e.put("message", message);
    respond(exchange, 400, body);
  }

  private static void googleError(HttpExchange exchange, int status, String state, String message, String quotaError) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("code", status).put("message", message).put("status", state);
    if (quotaError != null) {
      ObjectNode failure = error.putArray("details").addObject()
          .put("@type", "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure");
      ObjectNode e = failure.putArray("errors").addObject();
      e.putObject("errorCode").put("quotaError", quotaError);
      e.put("message", quotaError.equals("RESOURCE_EXHAUSTED") ? "Too many requests. Retry in 40591 seconds." : "Too many requests.");
      e.putObject("details").putObject("quotaErrorDetails").put("rateScope", "DEVELOPER")
          .put("retryDelay", quotaError.equals("RESOURCE_EXHAUSTED") ? "40591s" : "0.2s");
    }
    respond(exchange, status, body);
  }

  // ---- plumbing ----

  void count(String endpoint) {
    calls.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
