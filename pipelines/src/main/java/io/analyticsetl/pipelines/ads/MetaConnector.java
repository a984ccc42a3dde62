package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.pipelines.ads.EntityStatuses.Entity;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.values.Row;

/**
 * Meta Marketing API, ad-level Insights by day through an async report job: create it, poll it
 * (growing interval, deadline), then follow its cursor pages ({@code paging.next}, verbatim). A job
 * that fails, does not finish in time, or is refused as too much data is asked again for half the
 * days, down to single days. Job ids are kept in {@link ReportJobs}, so a rerun of the day reads a
 * finished job's pages instead of starting it again. Throttling arrives as HTTP 400 with codes 4, 17, 32, 613 or
 * 80000-80014 and usage headers; a wait longer than the retry cap stops the account for the run.
 * The usage headers are read on every answer too, and an account near its limits waits before its
 * next call ({@link Pacing}).
 * Code 190 is a refused token. Conversions are the sum of the configured action types.
 */
final class MetaConnector implements AdConnector {

  static final String FIELDS =
      "ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,account_id,account_currency,impressions,clicks,spend,"
          + "actions,action_values,date_start,date_stop";
  /** Insights hides deleted and archived ads unless every status is asked for. */
  static final String EVERY_STATUS_LIST =
      "[\"ACTIVE\",\"ADSET_PAUSED\",\"ARCHIVED\",\"CAMPAIGN_PAUSED\",\"DELETED\",\"DISAPPROVED\",\"IN_PROCESS\",\"PAUSED\","
          + "\"PENDING_BILLING_INFO\",\"PENDING_REVIEW\",\"PREAPPROVED\",\"WITH_ISSUES\"]";
  static final String EVERY_STATUS =
      "[{\"field\":\"ad.effective_status\",\"operator\":\"IN\",\"value\":" + EVERY_STATUS_LIST + "}]";
  /** The /campaigns listing likewise hides deleted and archived campaigns unless asked for. */
  static final String EVERY_CAMPAIGN_STATUS_LIST =
      "[\"ACTIVE\",\"PAUSED\",\"DELETED\",\"ARCHIVED\",\"IN_PROCESS\",\"WITH_ISSUES\"]";
  private static final Set<Integer> THROTTLE_CODES = Set.of(4, 17, 32, 613);
  /** Temporary failures: 2 (service), 960 (batch cancelled), 104 (connection reset). */
  private static final Set<Integer> TRANSIENT_CODES = Set.of(2, 960, 104);

  private final String baseUrl;
  private final String version;
  private final Secret accessToken;
  private final List<String> conversionActionTypes;
  private final ReportPolling polling;
  private final Duration longestWait;
  private final Pacing pacing;
  private final AdsHttp http;

  /** At {@code percent} usage or more, the account's next call waits {@code pause}. */
  record Pacing(int percent, Duration pause) implements java.io.Serializable {}

  MetaConnector(String baseUrl, String version, Secret accessToken, List<String> conversionActionTypes, ReportPolling polling,
      Duration longestWait, Pacing pacing, AdsHttp http) {
    this.baseUrl = (baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl) + "/" + version;
    this.version = version;
    this.accessToken = accessToken;
    this.conversionActionTypes = List.copyOf(conversionActionTypes);
    this.polling = polling;
    this.longestWait = longestWait;
    this.pacing = pacing;
    this.http = http;
  }

  @Override
  public Platform platform() {
    return Platform.META;
  }

  @Override
  public int maxSliceDays() {
    return 31;
  }

  @Override
  public String rowAccountId(AccountSlice slice) {
    return numericId(slice.accountId());
  }

  static String numericId(String accountId) {
    return accountId.startsWith("act_") ? accountId.substring(4) : accountId;
  }

  @Override
  public List<String> fetch(AccountSlice slice, ReportJobs jobs) {
    List<String> pages = new ArrayList<>();
    pages.add(send(get(baseUrl + "/act_" + numericId(slice.accountId()) + "?fields=account_id,currency,timezone_name")));
    pages.addAll(insights(slice.accountId(), slice.from(), slice.to(), jobs));
    pages.addAll(statuses(slice.accountId(), Entity.ADS, EVERY_STATUS_LIST));
    pages.addAll(statuses(slice.accountId(), Entity.CAMPAIGNS, EVERY_CAMPAIGN_STATUS_LIST));
    return pages;
  }

  /** The account's ads or campaigns with their effective status, every status included. */
  private List<String> statuses(String accountId, Entity entity, String everyStatus) {
    List<String> pages = new ArrayList<>();
    String next =
        baseUrl + "/act_" + numericId(accountId) + "/" + entity.tag + "?fields=id,effective_status&limit=500&effective_status="
            + encode(everyStatus);
    Set<String> seen = new HashSet<>();
    while (next != null) {
      JsonNode page = Wire.json(send(get(next)));
      next = Wire.text(page.path("paging").path("next"));
      Wire.checkNotRepeated(seen, next, "Meta's " + entity.noun + " listing of account " + accountId);
      pages.add(EntityStatuses.tagged(page, entity));
    }
    return pages;
  }

  static String status(String effectiveStatus) {
    return switch (effectiveStatus == null ? "" : effectiveStatus) {
      case "ACTIVE" -> "ACTIVE";
      case "PAUSED", "ADSET_PAUSED", "CAMPAIGN_PAUSED" -> "PAUSED";
      case "DELETED", "ARCHIVED" -> "REMOVED";
      case "" -> "UNKNOWN";
      default -> "OTHER";
    };
  }

  /** The insights pages of [from, to], halving the days while Meta cannot produce them at once. */
  private List<String> insights(String accountId, LocalDate from, LocalDate to, ReportJobs jobs) {
    // A rerun goes straight to the halves an earlier run of the day had to split these days into.
    boolean splitBefore = !from.equals(to) && jobs.remembered(from, to).filter(ReportJobs.SPLIT::equals).isPresent();
    if (!splitBefore) {
      try {
        return report(accountId, from, to, jobs);
      } catch (AdsApiException e) {
        if (e.kind() != AdsApiException.Kind.TOO_LARGE || from.equals(to)) {
          throw e;
        }
        jobs.remember(from, to, ReportJobs.SPLIT);
      }
    }
    LocalDate middle = from.plusDays(ChronoUnit.DAYS.between(from, to) / 2);
    List<String> pages = new ArrayList<>(insights(accountId, from, middle, jobs));
    pages.addAll(insights(accountId, middle.plusDays(1), to, jobs));
    return pages;
  }

  /** One report job's pages; a job an earlier run of the day started for these days is used first. */
  private List<String> report(String accountId, LocalDate from, LocalDate to, ReportJobs jobs) {
    String[] status = {"unknown"};
    String reportId = jobs.remembered(from, to).filter(id -> !id.equals(ReportJobs.SPLIT)).orElse(null);
    ReportPolling.State state = null;
    if (reportId != null) {
      try {
        state = await(reportId, status);
      } catch (AdsApiException e) {
        if (!jobIsGone(e)) {
          throw e;
        }
        reportId = null; // Meta no longer knows the job, or it failed: start another
      }
    }
    if (reportId == null) {
      reportId = create(accountId, from, to);
      jobs.remember(from, to, reportId);
      try {
        state = await(reportId, status);
      } catch (AdsApiException e) {
        if (jobIsGone(e)) {
          jobs.forget(from, to);
        }
        throw e;
      }
    }
    if (state != ReportPolling.State.DONE) {
      jobs.forget(from, to);
      throw new AdsApiException(AdsApiException.Kind.TOO_LARGE,
          "Meta report " + reportId + " for act_" + numericId(accountId) + " " + from + ".." + to + " ended " + status[0], null);
    }
    List<String> pages = new ArrayList<>();
    String next = baseUrl + "/" + reportId + "/insights?limit=500";
    Set<String> seen = new HashSet<>();
    while (next != null) {
      JsonNode page;
      try {
        page = Wire.json(send(get(next)));
      } catch (AdsApiException e) {
        if (jobIsGone(e)) {
          jobs.forget(from, to); // its results are gone: the next run starts the job again
        }
        throw e;
      }
      next = Wire.text(page.path("paging").path("next"));
      Wire.checkNotRepeated(seen, next, "Meta's results of report " + reportId);
      // Kept without the paging links (they may embed the token), with the report they came from.
      ObjectNode kept = ((ObjectNode) page).deepCopy();
      kept.remove("paging");
      kept.put("report_run_id", reportId);
      pages.add(kept.toString());
    }
    return pages;
  }

  /** Meta no longer knows the job (a bad request on its id) or it failed (-2/2490547): no use polling it again. */
  private static boolean jobIsGone(AdsApiException e) {
    return e.kind() == AdsApiException.Kind.BAD_REQUEST || e.kind() == AdsApiException.Kind.TOO_LARGE;
  }

  private String create(String accountId, LocalDate from, LocalDate to) {
    String form =
        "level=ad&time_increment=1&use_unified_attribution_setting=true&limit=500"
            + "&time_range=" + encode("{\"since\":\"" + from + "\",\"until\":\"" + to + "\"}")
            + "&fields=" + encode(FIELDS) + "&filtering=" + encode(EVERY_STATUS);
    JsonNode created =
        Wire.json(send(() -> authorized(AdsHttp.request(baseUrl + "/act_" + numericId(accountId) + "/insights"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build()));
    return created.path("report_run_id").asText();
  }

  /** Polls the job until it is done, failed, or the deadline passes; {@code status} says where it got. */
  private ReportPolling.State await(String reportId, String[] status) {
    return polling.await(() -> {
      JsonNode job = Wire.json(send(get(baseUrl + "/" + reportId)));
      status[0] = job.path("async_status").asText() + " at " + job.path("async_percent_completion").asInt() + "%";
      return switch (job.path("async_status").asText()) {
        case "Job Completed" -> ReportPolling.State.DONE;
        case "Job Failed", "Job Skipped" -> ReportPolling.State.FAILED;
        default -> ReportPolling.State.RUNNING;
      };
    });
  }

  @Override
  public Normalized normalize(AccountSlice slice, List<String> pages, Instant extractedAt) {
    JsonNode account = Wire.json(pages.get(0));
    String timezone = Wire.text(account.path("timezone_name"));
    BiConsumer<JsonNode, Map<String, String>> effectiveStatuses =
        (page, out) -> page.path("data").forEach(e -> out.put(e.path("id").asText(), Wire.text(e.path("effective_status"))));
    Map<String, String> statuses = EntityStatuses.of(pages, Entity.ADS, effectiveStatuses);
    Map<String, String> campaignStatuses = EntityStatuses.of(pages, Entity.CAMPAIGNS, effectiveStatuses);
    Normalized normalized = new Normalized();
    for (String text : pages.subList(1, pages.size())) {
      JsonNode page = Wire.json(text);
      if (EntityStatuses.isEntityPage(page)) {
        continue;
      }
      String reportId = Wire.text(page.path("report_run_id"));
      for (JsonNode item : page.path("data")) {
        String date = Wire.text(item.path("date_start"));
        String accountId = Wire.text(item.path("account_id"));
        String currency = Wire.text(item.path("account_currency"));
        normalized.add(item, () ->
            new Extracted.Builder(Platform.META, extractedAt)
                .set("account_id", accountId == null ? rowAccountId(slice) : accountId)
                .date(date)
                .set("ad_id", Wire.text(item.path("ad_id")))
                .set("ad_name", Wire.text(item.path("ad_name")))
                .status(statuses.get(Wire.text(item.path("ad_id"))), MetaConnector::status)
                .set("ad_group_id", Wire.text(item.path("adset_id")))
                .set("ad_group_name", Wire.text(item.path("adset_name")))
                .set("campaign_id", Wire.text(item.path("campaign_id")))
                .set("campaign_name", Wire.text(item.path("campaign_name")))
                .set("campaign_status_raw", campaignStatuses.get(Wire.text(item.path("campaign_id"))))
                .set("account_currency", currency == null ? Wire.text(account.path("currency")) : currency)
                .set("account_timezone", timezone)
                .metrics(Wire.count(item.path("impressions")), Wire.count(item.path("clicks")), Wire.decimal(item.path("spend")),
                    actions(item.path("actions")), actions(item.path("action_values")))
                .set("attribution_spec", "unified")
                .set("source_version", version)
                .set("request_id", reportId)
                .build());
      }
    }
    return normalized;
  }

  /** The sum of the configured action types' values; an unparseable value makes the sum null. */
  private BigDecimal actions(JsonNode list) {
    BigDecimal sum = BigDecimal.ZERO;
    for (JsonNode action : list) {
      if (conversionActionTypes.contains(action.path("action_type").asText())) {
        BigDecimal value = Wire.decimal(action.path("value"));
        if (value == null) {
          return null;
        }
        sum = sum.add(value);
      }
    }
    return sum;
  }

  private java.util.function.Supplier<HttpRequest> get(String url) {
    return () -> authorized(AdsHttp.request(url)).GET().build();
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return request.header("Authorization", "Bearer " + accessToken.reveal());
  }

  private String send(java.util.function.Supplier<HttpRequest> request) {
    HttpResponse<byte[]> response = http.send(request, answer -> pausedNearLimits(answer, classify(answer, longestWait, pacing.pause())));
    pace(usagePercent(response));
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /**
   * Usage headers come with error answers too: a call retried after one that says the account is
   * near its limits waits at least the pause, as the next call after such a success does.
   */
  private AdsApiException pausedNearLimits(HttpResponse<byte[]> answer, AdsApiException failure) {
    boolean retried = failure != null && failure.kind() == AdsApiException.Kind.SLOW_DOWN;
    if (!retried || !nearLimits(usagePercent(answer))
        || (failure.retryAfter() != null && failure.retryAfter().compareTo(pacing.pause()) >= 0)) {
      return failure;
    }
    notePacing();
    return new AdsApiException(failure.kind(), failure.getMessage(), pacing.pause());
  }

  private boolean nearLimits(double usage) {
    return usage >= pacing.percent() && !pacing.pause().isZero();
  }

  private void notePacing() {
    RunSignals.note("meta usage reached " + pacing.percent() + "% of a limit: the account's next calls waited "
        + pacing.pause().toSeconds() + " s each");
  }

  /** Waits before the account's next call when Meta says it is near its limits. */
  private void pace(double usage) {
    if (!nearLimits(usage)) {
      return;
    }
    notePacing();
    try {
      Thread.sleep(pacing.pause().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdsApiException(AdsApiException.Kind.STOP_ACCOUNT, "interrupted while pacing Meta calls", null);
    }
  }

  /**
   * The highest percentage in the usage headers: business-use-case (call count, CPU and total time),
   * ad account, app, and the insights throttle.
   */
  static double usagePercent(HttpResponse<?> response) {
    double highest = 0;
    for (String header : List.of("x-business-use-case-usage", "x-ad-account-usage", "x-app-usage", "x-fb-ads-insights-throttle")) {
      for (JsonNode usage : usages(response, header)) {
        for (String field : List.of("call_count", "total_cputime", "total_time", "acc_id_util_pct", "app_id_util_pct")) {
          highest = Math.max(highest, usage.path(field).asDouble(0));
        }
      }
    }
    return highest;
  }

  /**
   * What an answer means. A throttling error waits at least {@code throttledWait} (Meta asks for
   * backoff from 60 s), or the regain time the usage headers give when longer.
   */
  static AdsApiException classify(HttpResponse<byte[]> response, Duration longestWait, Duration throttledWait) {
    int status = response.statusCode();
    if (status == 200) {
      return null;
    }
    JsonNode error;
    try {
      error = Wire.json(response.body()).path("error");
    } catch (RuntimeException notJson) {
      error = Wire.json("{}");
    }
    int code = error.path("code").asInt(-1);
    int subcode = error.path("error_subcode").asInt(0);
    String text = error.path("message").asText("");
    String message = "Meta answered HTTP " + status + ", code " + code + (subcode == 0 ? "" : "/" + subcode) + ": " + text;
    if (code == 190) {
      return new AdsApiException(AdsApiException.Kind.AUTH,
          "Meta refused the access token (" + message + "): check the token named by --metaAccessTokenEnv", null);
    }
    if (THROTTLE_CODES.contains(code) || (code >= 80000 && code <= 80014)) {
      Duration regain = regainTime(response);
      if (regain != null && regain.compareTo(longestWait) > 0) {
        return new AdsApiException(AdsApiException.Kind.STOP_ACCOUNT,
            "Meta throttles the account for " + regain.toMinutes() + " minutes (" + message + "); it resumes on the next run", regain);
      }
      return new AdsApiException(
          AdsApiException.Kind.SLOW_DOWN, message, regain != null && regain.compareTo(throttledWait) > 0 ? regain : throttledWait);
    }
    if (text.contains("reduce the amount of data") || (code == 100 && (subcode == 1487534 || subcode == 1504018))
        || (code == 2 && subcode == 1504038) || (code == -2 && subcode == 2490547)) {
      return new AdsApiException(AdsApiException.Kind.TOO_LARGE, message, null);
    }
    if (TRANSIENT_CODES.contains(code) || subcode == 99 || error.path("is_transient").asBoolean(false) || status >= 500) {
      return new AdsApiException(AdsApiException.Kind.SLOW_DOWN, message, null);
    }
    return new AdsApiException(AdsApiException.Kind.BAD_REQUEST, message, null);
  }

  /** The longest estimated_time_to_regain_access (minutes) in the business-use-case usage header. */
  static Duration regainTime(HttpResponse<?> response) {
    long minutes = 0;
    for (JsonNode usage : usages(response, "x-business-use-case-usage")) {
      minutes = Math.max(minutes, usage.path("estimated_time_to_regain_access").asLong(0));
    }
    return minutes == 0 ? null : Duration.ofMinutes(minutes);
  }

  /**
   * The usage objects of one usage header: the business-use-case header holds a list of them per
   * business, the others one. None when the header is missing or Meta changed its shape (throttling
   * errors still stop the run).
   */
  private static List<JsonNode> usages(HttpResponse<?> response, String header) {
    String value = response.headers().firstValue(header).orElse(null);
    List<JsonNode> usages = new ArrayList<>();
    if (value == null) {
      return usages;
    }
    try {
      JsonNode parsed = Wire.json(value);
      if (header.equals("x-business-use-case-usage")) {
        parsed.forEach(business -> business.forEach(usages::add));
      } else {
        usages.add(parsed);
      }
    } catch (RuntimeException unreadable) {
      usages.clear();
    }
    return usages;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
