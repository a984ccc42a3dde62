package io.analyticsetl.testkit.ads;

import static io.analyticsetl.testkit.ads.FakeAdPlatforms.JSON;
import static io.analyticsetl.testkit.FakeHttp.respond;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.analyticsetl.testkit.FakeHttp;
import io.analyticsetl.testkit.ads.FakeAdPlatforms.Ad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Meta Marketing API's async Insights (reference section 1.6): {@code GET /vN/act_<id>} for the
 * account, {@code POST /vN/act_<id>/insights} creating a report run, {@code GET /vN/<run>} for its
 * status, and {@code GET /vN/<run>/insights} with cursor paging and an absolute {@code paging.next}.
 * Numbers are strings; conversions are in {@code actions}, where {@code omni_purchase} repeats
 * {@code purchase}. Errors are Graph envelopes, throttling HTTP 400 with usage headers.
 */
public final class FakeMetaInsights {

  public static final String ACCESS_TOKEN = "meta-test-token";
  private static final Pattern ACCOUNT = Pattern.compile("/meta/(v\\d+\\.0)/act_(\\d+)(/insights|/ads|/campaigns)?");
  private static final Pattern RUN = Pattern.compile("/meta/(v\\d+\\.0)/(\\d{6,})(/insights)?");

  private record Job(String accountId, LocalDate since, LocalDate until, boolean failing, boolean stuck, AtomicInteger polls) {}

  private final FakeAdPlatforms platforms;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger nextJob = new AtomicInteger(100000000);
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger throttledListings = new AtomicInteger();
  private final AtomicInteger failingJobs = new AtomicInteger();
  private final java.util.Queue<Integer> throttleCodes = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicInteger expiringJobs = new AtomicInteger();
  private final Set<String> expiredJobs = ConcurrentHashMap.newKeySet();
  private final AtomicInteger breakingJobs = new AtomicInteger();
  private final Set<String> brokenJobs = ConcurrentHashMap.newKeySet();
  private volatile long regainMinutes;
  private volatile double usagePercent;
  private final AtomicInteger usageAnswers = new AtomicInteger();
  private volatile int stuckAboveDays = Integer.MAX_VALUE;
  private volatile int tooMuchDataAboveDays = Integer.MAX_VALUE;
  private volatile boolean tokenExpired;
  private volatile int maxPageSize = 100;
  private static final int POLLS_UNTIL_DONE = 2;

  FakeMetaInsights(FakeAdPlatforms platforms) {
    this.platforms = platforms;
  }

  /** The next {@code n} calls are throttled (code 80000); the usage header asks to wait this long. */
  public void throttleNext(int n, long regainAccessMinutes) {
    regainMinutes = regainAccessMinutes;
    throttled.set(n);
  }

  /**
   * The next calls fail with these Graph error codes in turn (4 application, 17 user, 32 page, 613
   * custom-rate limits; 960 a cancelled batch and 104 a reset connection, transient), without a
   * usage header: "slow down" with no hint how long.
   */
  public void throttleNextWithCodes(int... codes) {
    for (int code : codes) {
      throttleCodes.add(code);
    }
  }

  /** The next {@code n} listings of an account's ads are throttled, as {@link #throttleNext} does. */
  public void throttleAdListingsNext(int n, long regainAccessMinutes) {
    regainMinutes = regainAccessMinutes;
    throttledListings.set(n);
  }

  /** The next {@code n} answers report this usage (percent) of the ad account's limit in x-ad-account-usage. */
  public void reportUsage(int n, double percent) {
    usagePercent = percent;
    usageAnswers.set(n);
  }

  /** The next {@code n} report runs end "Job Failed". */
  public void failNextJobs(int n) {
    failingJobs.set(n);
  }

  /** The next {@code n} report runs fail asynchronously: every poll of them answers error -2/2490547. */
  public void breakNextJobs(int n) {
    breakingJobs.set(n);
  }

  /** The next {@code n} report runs complete, but their results have expired: reading them is refused. */
  public void expireResultsOfNextJobs(int n) {
    expiringJobs.set(n);
  }

  /** Report runs over more than {@code days} days never get past 0 %. */
  public void stuckAbove(int days) {
    stuckAboveDays = days;
  }

  /** Asking for more than {@code days} days is answered "Please reduce the amount of data". */
  public void tooMuchDataAbove(int days) {
    tooMuchDataAboveDays = days;
  }

  /** Pages hold at most this many rows, whatever limit is asked for. */
  private volatile boolean loopResultPages;

  public void maxPageSize(int rows) {
    maxPageSize = rows;
  }

  /** Report results page in a loop: a page after the first gives its own link as the next one. */
  public void loopResultPages() {
    loopResultPages = true;
  }

  /** The row of this ad and day carries {@code dateText} as its date_start (a malformed row). */
  public void misdate(String adId, LocalDate day, String dateText) {
    misdated.put(adId + "|" + day, dateText);
  }

  private final Map<String, String> misdated = new ConcurrentHashMap<>();

  public void expireToken() {
    tokenExpired = true;
  }

  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      platforms.count("meta " + exchange.getRequestMethod() + " " + path.replaceAll("\\d{6,}", "{id}"));
      Map<String, String> query = FakeHttp.query(exchange.getRequestURI());
      String token = query.getOrDefault("access_token", bearer(exchange));
      if (!ACCESS_TOKEN.equals(token) || tokenExpired) {
        error(exchange, 400, 190, 463, "Error validating access token: Session has expired.");
        return;
      }
      if (usageAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        exchange.getResponseHeaders().add("x-ad-account-usage",
            "{\"acc_id_util_pct\":" + usagePercent + ",\"reset_time_duration\":100,\"ads_api_access_tier\":\"standard_access\"}");
      }
      Matcher account = ACCOUNT.matcher(path);
      Matcher run = RUN.matcher(path);
      boolean listing = account.matches() && "/ads".equals(account.group(3));
      Integer throttleCode = throttleCodes.poll();
      if (throttleCode != null) {
        error(exchange, 400, throttleCode, 0, switch (throttleCode) {
          case 960 -> "Request was cancelled because the batch took too long";
          case 104 -> "Connection reset by peer";
          default -> "(#" + throttleCode + ") Application request limit reached";
        });
        return;
      }
      if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0
          || listing && throttledListings.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        String usage = "{\"1234\":[{\"type\":\"ads_insights\",\"call_count\":100,\"total_cputime\":40,\"total_time\":60,"
            + "\"estimated_time_to_regain_access\":" + regainMinutes + ",\"ads_api_access_tier\":\"standard_access\"}]}";
        exchange.getResponseHeaders().add("x-business-use-case-usage", usage);
        error(exchange, 400, 80000, 2446079, "There have been too many calls from this ad-account. Please wait a bit and try again.");
        return;
      }
      if (account.matches() && account.group(3) == null) {
        ObjectNode body = JSON.createObjectNode().put("id", "act_" + account.group(2)).put("account_id", account.group(2))
            .put("currency", "USD").put("timezone_name", "America/Los_Angeles");
        respond(exchange, 200, body);
      } else if (account.matches() && account.group(3).equals("/ads")) {
        ads(exchange, account.group(1), account.group(2), query);
      } else if (account.matches() && account.group(3).equals("/campaigns")) {
        campaigns(exchange, account.group(1), account.group(2), query);
      } else if (account.matches() && exchange.getRequestMethod().equals("POST")) {
        create(exchange, account.group(2));
      } else if (run.matches() && jobs.containsKey(run.group(2))) {
        Job job = jobs.get(run.group(2));
        if (run.group(3) == null && brokenJobs.contains(run.group(2))) {
          error(exchange, 400, -2, 2490547, "Async report failed");
        } else if (run.group(3) == null) {
          status(exchange, run.group(2), job);
        } else if (expiredJobs.contains(run.group(2))) {
          error(exchange, 400, 100, 33, "Unsupported get request. Object with ID '" + run.group(2) + "' does not exist, cannot be loaded "
              + "due to missing permissions, or does not support this operation.");
        } else {
          page(exchange, run.group(1), run.group(2), job, query);
        }
      } else {
        error(exchange, 400, 100, 33, "Unsupported get request. Object does not exist or cannot be loaded.");
      }
    }
  }

  private void create(HttpExchange exchange, String accountId) throws IOException {
    Map<String, String> form = FakeHttp.form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    if (!"ad".equals(form.get("level")) || !"1".equals(form.get("time_increment")) || form.get("time_range") == null) {
      error(exchange, 400, 100, 0, "Invalid parameter");
      return;
    }
    JsonNode range = JSON.readTree(form.get("time_range"));
    LocalDate since = LocalDate.parse(range.path("since").asText());
    LocalDate until = LocalDate.parse(range.path("until").asText());
    long days = ChronoUnit.DAYS.between(since, until) + 1;
    if (days > tooMuchDataAboveDays) {
      error(exchange, 500, 1, 0, "Please reduce the amount of data you're asking for, then retry your request");
      return;
    }
    String id = String.valueOf(nextJob.incrementAndGet());
    boolean stuck = days > stuckAboveDays;
    boolean failing = !stuck && failingJobs.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    jobs.put(id, new Job(accountId, since, until, failing, stuck, new AtomicInteger()));
    if (expiringJobs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      expiredJobs.add(id);
    }
    if (breakingJobs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      brokenJobs.add(id);
    }
    respond(exchange, 200, JSON.createObjectNode().put("report_run_id", id));
  }

  /** The account's ads with their effective status, paged by cursor like insights. */
  private void ads(HttpExchange exchange, String version, String accountId, Map<String, String> query) throws IOException {
    ArrayNode ads = JSON.createArrayNode();
    for (Ad ad : platforms.adsOf("meta", accountId)) {
      ads.addObject().put("id", ad.adId()).put("effective_status", platforms.adStatus(ad, "ACTIVE"));
    }
    respond(exchange, 200, cursorPage(ads, query, platforms.base() + "/meta/" + version + "/act_" + accountId + "/ads?fields=id,effective_status"));
  }

  /** The account's campaigns with their effective status, paged the same way. */
  private void campaigns(HttpExchange exchange, String version, String accountId, Map<String, String> query) throws IOException {
    ArrayNode campaigns = JSON.createArrayNode();
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (Ad ad : platforms.adsOf("meta", accountId)) {
      if (listed.add(ad.campaignId())) {
        campaigns.addObject().put("id", ad.campaignId()).put("effective_status", platforms.campaignStatus(ad, "ACTIVE"));
      }
    }
    respond(exchange, 200,
        cursorPage(campaigns, query, platforms.base() + "/meta/" + version + "/act_" + accountId + "/campaigns?fields=id,effective_status"));
  }

  private void status(HttpExchange exchange, String id, Job job) throws IOException {
    int polls = job.polls().incrementAndGet();
    String status;
    int percent;
    if (job.stuck() || polls < POLLS_UNTIL_DONE) {
      status = polls == 1 || job.stuck() ? "Job Not Started" : "Job Running";
      percent = job.stuck() ? 0 : 50;
    } else {
      status = job.failing() ? "Job Failed" : "Job Completed";
      percent = 100;
    }
    respond(exchange, 200, JSON.createObjectNode().put("id", id).put("account_id", job.accountId())
        .put("async_status", status).put("async_percent_completion", percent)
        .put("date_start", job.since().toString()).put("date_stop", job.until().toString()));
  }

  private void page(HttpExchange exchange, String version, String id, Job job, Map<String, String> query) throws IOException {
    List<Ad> ads = platforms.adsOf("meta", job.accountId());
    ArrayNode rows = JSON.createArrayNode();
    for (Ad ad : ads) {
      for (LocalDate day = job.since(); !day.isAfter(job.until()); day = day.plusDays(1)) {
        if (platforms.reports(ad, day)) {
          rows.add(row(ad, day));
        }
      }
    }
    ObjectNode page = cursorPage(rows, query, platforms.base() + "/meta/" + version + "/" + id + "/insights?");
    if (loopResultPages && query.containsKey("after") && page.path("paging").has("next")) {
      page.with("paging").put("next", platforms.base() + "/meta/" + version + "/" + id + "/insights?limit="
          + query.getOrDefault("limit", "25") + "&after=" + query.get("after"));
    }
    respond(exchange, 200, page);
  }

  /** One page of {@code items} from the {@code after} cursor, with a next link while more remain. */
  private ObjectNode cursorPage(ArrayNode items, Map<String, String> query, String nextBase) {
    int limit = Math.min(maxPageSize, Integer.parseInt(query.getOrDefault("limit", "25")));
    int offset = query.containsKey("after") ? Integer.parseInt(new String(java.util.Base64.getDecoder().decode(query.get("after")), StandardCharsets.UTF_8)) : 0;
    ObjectNode body = JSON.createObjectNode();
    ArrayNode data = body.putArray("data");
    for (int i = offset; i < Math.min(items.size(), offset + limit); i++) {
      data.add(items.get(i));
    }
    ObjectNode paging = body.putObject("paging");
    paging.putObject("cursors").put("before", cursor(offset)).put("after", cursor(offset + data.size() - 1));
    if (offset + limit < items.size()) {
      paging.put("next", nextBase + (nextBase.endsWith("?") ? "" : "&") + "limit=" + limit + "&after=" + cursor(offset + limit));
    }
    return body;
  }

  private ObjectNode row(Ad ad, LocalDate day) {
    ObjectNode row = JSON.createObjectNode();
    String conversions = platforms.conversions(ad, day).toPlainString();
    String value = platforms.conversionValue(ad, day).toPlainString();
    row.put("account_id", ad.accountId()).put("account_currency", "USD")
        .put("ad_id", ad.adId()).put("ad_name", "Meta ad " + ad.adId())
        .put("adset_id", ad.adGroupId()).put("adset_name", "Ad set " + ad.adGroupId())
        .put("campaign_id", ad.campaignId()).put("campaign_name", "Campaign " + ad.campaignId())
        .put("impressions", String.valueOf(FakeAdPlatforms.impressions(ad, day)))
        .put("clicks", String.valueOf(platforms.clicks(ad, day)))
        .put("spend", FakeAdPlatforms.spend(ad, day).toPlainString())
        .put("ctr", "4.81") // a percentage: never trusted
        .put("date_start", misdated.getOrDefault(ad.adId() + "|" + day, day.toString())).put("date_stop", day.toString());
    ArrayNode actions = row.putArray("actions");
    actions.addObject().put("action_type", "link_click").put("value", String.valueOf(platforms.clicks(ad, day)));
    actions.addObject().put("action_type", "purchase").put("value", conversions);
    actions.addObject().put("action_type", "omni_purchase").put("value", conversions);
    ArrayNode values = row.putArray("action_values");
    values.addObject().put("action_type", "purchase").put("value", value);
    values.addObject().put("action_type", "omni_purchase").put("value", value);
    return row;
  }

  private static String cursor(int offset) {
    return java.util.Base64.getEncoder().encodeToString(String.valueOf(Math.max(0, offset)).getBytes(StandardCharsets.UTF_8));
  }

  private static String bearer(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
  }

  private static void error(HttpExchange exchange, int status, int code, int subcode, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("message", message).put("type", "OAuthException").put("code", code);
    if (subcode != 0) {
      error.put("error_subcode", subcode);
    }
    error.put("fbtrace_id", "AbCdEf" + System.nanoTime());
    respond(exchange, status, body);
  }
}
