package io.analyticsetl.testkit.appstore;

import static io.analyticsetl.testkit.FakeHttp.query;
import static io.analyticsetl.testkit.FakeHttp.respond;
import static io.analyticsetl.testkit.FakeHttp.respondBytes;
import static io.analyticsetl.testkit.FakeHttp.respondText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for App Store Connect's Analytics Reports and Customer Reviews APIs, following
 * shared/reference/appstore-connect-api.md: ES256 JWT checked (401 NOT_AUTHORIZED), report
 * requests with 201 / 409 STATE_ERROR, stopped requests and DELETE, reports with Apple's names and
 * {@code r<N>-<requestId>} ids, overlapping DAILY instances that restate recent days, two segments
 * per instance, gzip TSV with its segment checksum (MD5) and size, pre-signed download URLs on another path that reject an
 * Authorization header (400) and expire (403), {@code links.next} paging with limit at most 200,
 * {@code X-Rate-Limit} on every response, injectable 429 / 5xx / truncated downloads, and customer
 * reviews with three-letter territories and offset timestamps.
 */
public final class FakeAppStoreConnect implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A report in a request's catalog: Apple's number, name and category, and its generator. */
  private record ReportDef(int number, String name, String category, AppleReportFiles.Report generator) {}

  private static final List<ReportDef> CATALOG =
      List.of(
          new ReportDef(3, "App Downloads Standard", "COMMERCE", AppleReportFiles.Report.DOWNLOADS),
          new ReportDef(4, "App Downloads Detailed", "COMMERCE", null),
          new ReportDef(12, "App Store Purchases Standard", "COMMERCE", AppleReportFiles.Report.PURCHASES),
          new ReportDef(14, "App Store Discovery and Engagement Standard", "APP_STORE_ENGAGEMENT", AppleReportFiles.Report.ENGAGEMENT),
          new ReportDef(15, "App Store Discovery and Engagement Detailed", "APP_STORE_ENGAGEMENT", null),
          new ReportDef(21, "App Sessions Standard", "APP_USAGE", AppleReportFiles.Report.SESSIONS),
          new ReportDef(23, "App Store Installation and Deletion Standard", "APP_USAGE", AppleReportFiles.Report.INSTALLS),
          new ReportDef(30, "App Crashes", "APP_USAGE", AppleReportFiles.Report.PERFORMANCE),
          new ReportDef(31, "App Crashes Expanded", "PERFORMANCE", null),
          new ReportDef(19, "Streaming Playback Performance", "PERFORMANCE", null));

  /**
   * A report request; a ONE_TIME_SNAPSHOT's reports hold instances processed up to {@code madeOn}, an
   * ONGOING one's (when {@link #ongoingHistoryFromMaking}) those processed from then on.
   */
  public record Request(String id, long appId, String accessType, boolean stopped, LocalDate madeOn) {}

  private record Download(byte[] bytes, Instant expiresAt) {}

  private final HttpServer server;
  private final String issuerId;
  private final String keyId;
  private final ECDSAVerifier verifier;
  private final Map<Long, String> apps;
  private final LocalDate today;
  private volatile Instant reviewsCutoff;
  private final Map<String, String> responsesAddedLater = new java.util.concurrent.ConcurrentHashMap<>();
  private final Set<Long> brokenApps = ConcurrentHashMap.newKeySet();
  private final Map<Long, Integer> reviewsBrokenAfterFirstPage = new ConcurrentHashMap<>();
  private volatile boolean forbidden;
  private volatile boolean nextLinksRepeat;
  private final int rowsPerDay;
  private final Clock clock;
  private volatile Duration clockAhead = Duration.ZERO;
  private final Set<String> bearerTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, Request> requests = new ConcurrentHashMap<>();
  private final Map<String, Download> downloads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger tooManyRequests = new AtomicInteger();
  private final AtomicInteger serverErrors = new AtomicInteger();
  private final AtomicInteger truncatedDownloads = new AtomicInteger();
  private final AtomicInteger corruptChecksums = new AtomicInteger();
  private final AtomicInteger hiddenListings = new AtomicInteger();
  private final Set<Long> replacedByAnotherRun = ConcurrentHashMap.newKeySet();
  private final AtomicInteger expiredUrls = new AtomicInteger();
  private final AtomicInteger remaining = new AtomicInteger(3500);
  private volatile long urlLifetimeSeconds = 300;
  private volatile boolean snapshotsPending;
  private volatile boolean ongoingHistoryFromMaking;
  private volatile boolean brokenSegmentListings;
  private volatile String headerOnlySegmentOf; // "<report>/<appId>/<processingDate>"
  private final Map<String, LocalDate> correctedDays = new ConcurrentHashMap<>(); // "<report>/<appId>/<processingDate>"

  private FakeAppStoreConnect(
      String issuerId, String keyId, ECPublicKey publicKey, Map<Long, String> apps, LocalDate today, int rowsPerDay)
      throws IOException {
    this.issuerId = issuerId;
    this.keyId = keyId;
    try {
      this.verifier = new ECDSAVerifier(publicKey);
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalArgumentException("not an ES256 public key", e);
    }
    this.apps = new LinkedHashMap<>(apps);
    this.today = today;
    this.rowsPerDay = rowsPerDay;
    this.clock = Clock.systemUTC();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/", this::api);
    server.createContext("/download/", this::download);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  /** Starts a fake on a free loopback port for {@code apps} (id → name), "today" being {@code today}. */
  public static FakeAppStoreConnect start(
      String issuerId, String keyId, ECPublicKey publicKey, Map<Long, String> apps, LocalDate today, int rowsPerDay)
      throws IOException {
    return new FakeAppStoreConnect(issuerId, keyId, publicKey, apps, today, rowsPerDay);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  // ---- knobs for tests ----

  /** The next {@code n} API calls answer 429 RATE_LIMIT_EXCEEDED. */
  public void failNextWithTooManyRequests(int n) {
    tooManyRequests.set(n);
  }

  /** The next {@code n} API calls answer 500. */
  public void failNextWithServerError(int n) {
    serverErrors.set(n);
  }

  /** Every call answers 403 FORBIDDEN_ERROR, as for a key whose role does not allow it. */
  public void forbidEverything(boolean forbid) {
    forbidden = forbid;
  }

  /** Every collection page names itself as the next page. */
  public void repeatNextLinks(boolean repeat) {
    nextLinksRepeat = repeat;
  }

  /** While broken, listing an instance's segments answers 500, every time. */
  public void breakSegmentListings(boolean broken) {
    brokenSegmentListings = broken;
  }

  /** Listing the report instances of this app answers 500, every time. */
  public void breakInstancesOf(long appId) {
    brokenApps.add(appId);
  }

  /**
   * The app's reviews come in pages of {@code pageSize} whatever limit is asked for, and every page
   * after the first answers 500, every time: a fetch that fails half way.
   */
  public void breakReviewsAfterFirstPage(long appId, int pageSize) {
    reviewsBrokenAfterFirstPage.put(appId, pageSize);
  }

  /** The next {@code n} downloads are cut short. */
  public void truncateNextDownloads(int n) {
    truncatedDownloads.set(n);
  }

  /** The next {@code n} segment listings carry a wrong checksum. */
  public void corruptNextChecksums(int n) {
    corruptChecksums.set(n);
  }

  /** The next {@code n} listings of an app's requests come back empty (another client's race). */
  public void hideRequestsFromNextListings(int n) {
    hiddenListings.set(n);
  }

  /**
   * Right after the next listing of the app's requests, another run replaces its stopped ONGOING
   * request: deletes it and makes a new one, so the caller's DELETE finds nothing and its POST a 409.
   */
  public void replaceStoppedRequestRightAfterNextListing(long appId) {
    replacedByAnotherRun.add(appId);
  }

  /** The next {@code n} segments listed carry URLs that have already expired. */
  public void expireNextUrls(int n) {
    expiredUrls.set(n);
  }

  /** Pre-signed URLs expire this many seconds after the segment listing. */
  public void urlLifetime(long seconds) {
    urlLifetimeSeconds = seconds;
  }

  /** The first segment of this instance is header-only (privacy suppressed). */
  public void headerOnlySegment(String report, long appId, LocalDate processingDate) {
    headerOnlySegmentOf = report + "/" + appId + "/" + processingDate;
  }

  /**
   * The instance processed on {@code processingDate} also restates {@code metricDay}, a day older than
   * its report's window: Apple correcting figures it published long ago (in the second segment).
   */
  public void correctOlderDay(String report, long appId, LocalDate processingDate, LocalDate metricDay) {
    correctedDays.put(report + "/" + appId + "/" + processingDate, metricDay);
  }

  /** Marks the app's ONGOING request as stopped for inactivity. */
  public void stopOngoingRequest(long appId) {
    requests.replaceAll((id, r) -> r.appId() == appId && r.accessType().equals("ONGOING") ? new Request(id, appId, r.accessType(), true, r.madeOn()) : r);
  }

  /** Creates an ONGOING request directly, as if another tool had made it. */
  public String existingRequest(long appId) {
    return existingRequest(appId, today);
  }

  /** Creates an ONGOING request made on {@code madeOn}, as if another tool (or an earlier run) had made it. */
  public String existingRequest(long appId, LocalDate madeOn) {
    String id = UUID.randomUUID().toString();
    requests.put(id, new Request(id, appId, "ONGOING", false, madeOn));
    return id;
  }

  /**
   * Whether an ONGOING request lists only instances processed since it was made, as Apple's do; by
   * default it lists all 35 days at once.
   */
  public void ongoingHistoryFromMaking(boolean fromMaking) {
    ongoingHistoryFromMaking = fromMaking;
  }

  /** Creates a ONE_TIME_SNAPSHOT request made on {@code madeOn}, as an earlier backfill would have. */
  public String existingSnapshot(long appId, LocalDate madeOn) {
    String id = UUID.randomUUID().toString();
    requests.put(id, new Request(id, appId, "ONE_TIME_SNAPSHOT", false, madeOn));
    return id;
  }

  public List<Request> requests() {
    return List.copyOf(requests.values());
  }

  /** How often an endpoint was called, e.g. {@code POST analyticsReportRequests}. */
  public int calls(String endpoint) {
    return calls.getOrDefault(endpoint, new AtomicInteger()).get();
  }

  /** The processing dates of the DAILY instances the fake offers (Apple keeps 35 days). */
  public List<LocalDate> processingDates() {
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate day = today.minusDays(34); !day.isAfter(today); day = day.plusDays(1)) {
      dates.add(day);
    }
    return dates;
  }

  /**
   * The processing dates a ONE_TIME_SNAPSHOT request made today offers: a year of history up to
   * today, or none while snapshots are still being made.
   */
  public List<LocalDate> snapshotProcessingDates() {
    return snapshotProcessingDates(today);
  }

  private List<LocalDate> snapshotProcessingDates(LocalDate madeOn) {
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate day = madeOn.minusDays(365); !snapshotsPending && !day.isAfter(madeOn); day = day.plusDays(1)) {
      dates.add(day);
    }
    return dates;
  }

  /** While pending, snapshot reports list no instances, as in the day or two Apple takes to make them. */
  public void snapshotsPending(boolean pending) {
    snapshotsPending = pending;
  }

  public int rowsPerDay() {
    return rowsPerDay;
  }

  /**
   * Reviews written after {@code cutoff} are not yet listed, as on a day before the fake's "today";
   * {@code null} lists them all again.
   */
  public void reviewsWrittenUntil(Instant cutoff) {
    reviewsCutoff = cutoff;
  }

  private Instant now() {
    return clock.instant().plus(clockAhead);
  }

  /** The fake's clock (token and URL expiry) runs this far ahead of the real one. */
  public void moveClockAhead(Duration ahead) {
    clockAhead = ahead;
  }

  /** The distinct bearer tokens the fake has been sent. */
  public Set<String> bearerTokensSeen() {
    return Set.copyOf(bearerTokens);
  }

  /** The developer responds to a review now (published), as happens days after it was written. */
  public void respondLater(String reviewId, String responseBody) {
    responsesAddedLater.put(reviewId, responseBody);
  }

  /** The reviews the fake holds for an app, newest first. */
  public List<Review> reviews(long appId) {
    List<Review> reviews = new ArrayList<>();
    Random random = new Random(appId);
    String[] territories = {"USA", "GBR", "DEU", "FRA", "MAR", "JPN"};
    int[] offsets = {-8, -5, 0, 1, 2, 9};
    for (int i = 0; i < 45; i++) {
      Instant created = today.atStartOfDay(ZoneOffset.UTC).toInstant().minus(i * 31L, ChronoUnit.HOURS).minusSeconds(random.nextInt(3000));
      int offset = offsets[i % offsets.length];
      String id = String.format("%08d-b08c-0014-729e-%012d", i, appId);
      String laterResponse = responsesAddedLater.get(id);
      reviews.add(
          new Review(
              id,
              1 + random.nextInt(5),
              "Title " + i,
              "Body of review " + i + " with a tab\tand a newline\nin it",
              "reviewer" + i,
              created.atOffset(ZoneOffset.ofHours(offset)),
              territories[i % territories.length],
              laterResponse != null ? laterResponse : i % 3 == 0 ? "Thanks for review " + i : null,
              laterResponse == null && i % 6 == 0 ? "PENDING_PUBLISH" : "PUBLISHED"));
    }
    return reviews;
  }

  /** A customer review and its response, if any. */
  public record Review(
      String id, int rating, String title, String body, String nickname, OffsetDateTime createdDate,
      String territory, String responseBody, String responseState) {}

  // ---- HTTP ----

  private void api(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().add("X-Rate-Limit", "user-hour-lim:3500;user-hour-rem:" + Math.max(0, remaining.decrementAndGet()) + ";");
      if (tooManyRequests.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        error(exchange, 429, "RATE_LIMIT_EXCEEDED", "The request rate limit has been reached.",
            "We've received too many requests for this API. Please wait and try again or slow down your request rate.");
        return;
      }
      if (serverErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.", "The server encountered an error.");
        return;
      }
      if (!authorized(exchange)) {
        error(exchange, 401, "NOT_AUTHORIZED", "Authentication credentials are missing or invalid.",
            "Provide a properly configured and signed bearer token, and make sure that it has not expired.");
        return;
      }
      if (forbidden) {
        error(exchange, 403, "FORBIDDEN_ERROR", "This request is forbidden for security reasons",
            "The API key in use does not allow this request");
        return;
      }
      route(exchange);
    } catch (RuntimeException e) {
      error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.", String.valueOf(e.getMessage()));
    }
  }

  private boolean authorized(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(header.substring("Bearer ".length()));
      if (!"ES256".equals(jwt.getHeader().getAlgorithm().getName()) || !keyId.equals(jwt.getHeader().getKeyID())) {
        return false;
      }
      if (jwt.getState() != JWSObject.State.SIGNED || !jwt.verify(verifier)) {
        return false;
      }
      var claims = jwt.getJWTClaimsSet();
      Instant now = now();
      bearerTokens.add(header);
      return issuerId.equals(claims.getIssuer())
          && claims.getAudience().contains("appstoreconnect-v1")
          && claims.getExpirationTime() != null
          && claims.getExpirationTime().toInstant().isAfter(now)
          && !claims.getExpirationTime().toInstant().isAfter(now.plus(20, ChronoUnit.MINUTES).plusSeconds(5));
    } catch (Exception e) {
      return false;
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Map<String, String> query = query(exchange.getRequestURI());
    String[] parts = path.substring("/v1/".length()).split("/");
    if (query.containsKey("limit") && Integer.parseInt(query.get("limit")) > 200) {
      error(exchange, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value", "limit must be at most 200");
      return;
    }
    if (method.equals("POST") && path.equals("/v1/analyticsReportRequests")) {
      count("POST analyticsReportRequests");
      createRequest(exchange);
    } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("apps") && parts[2].equals("analyticsReportRequests")) {
      count("GET apps/analyticsReportRequests");
      long appId = Long.parseLong(parts[1]);
      List<JsonNode> data = new ArrayList<>();
      boolean hidden = hiddenListings.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      for (Request request : hidden ? List.<Request>of() : requests.values()) {
        if (request.appId() == appId
            && (query.get("filter[accessType]") == null || query.get("filter[accessType]").equals(request.accessType()))) {
          data.add(requestJson(request));
        }
      }
      if (replacedByAnotherRun.remove(appId)) {
        requests.values().removeIf(r -> r.appId() == appId && r.accessType().equals("ONGOING") && r.stopped());
        existingRequest(appId);
      }
      page(exchange, data, query);
    } else if (method.equals("DELETE") && parts.length == 2 && parts[0].equals("analyticsReportRequests")) {
      count("DELETE analyticsReportRequests");
      if (requests.remove(parts[1]) == null) {
        error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'analyticsReportRequests' with id '" + parts[1] + "'");
      } else {
        respond(exchange, 204, null);
      }
    } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("analyticsReportRequests") && parts[2].equals("reports")) {
      count("GET reports");
      Request request = requests.get(parts[1]);
      if (request == null) {
        error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'analyticsReportRequests' with id '" + parts[1] + "'");
        return;
      }
      List<JsonNode> data = new ArrayList<>();
      String nameFilter = query.get("filter[name]");
      for (ReportDef def : CATALOG) {
        if (nameFilter == null || List.of(nameFilter.split(",")).contains(def.name())) {
          ObjectNode report = JSON.createObjectNode().put("type", "analyticsReports").put("id", "r" + def.number() + "-" + request.id());
          report.putObject("attributes").put("name", def.name()).put("category", def.category());
          data.add(report);
        }
      }
      page(exchange, data, query);
    } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("analyticsReports") && parts[2].equals("instances")) {
      count("GET instances");
      instances(exchange, parts[1], query);
    } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("analyticsReportInstances") && parts[2].equals("segments")) {
      count("GET segments");
      InstanceKey key = InstanceKey.parse(parts[1]);
      if (brokenSegmentListings) {
        error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.", "The server encountered an error.");
        return;
      }
      page(exchange, segments(key), query);
    } else if (method.equals("GET") && parts.length == 2 && parts[0].equals("analyticsReportSegments")) {
      count("GET segment");
      SegmentKey key = SegmentKey.parse(parts[1]);
      ObjectNode body = JSON.createObjectNode();
      body.set("data", segmentJson(key));
      respond(exchange, 200, body);
    } else if (method.equals("GET") && parts.length == 2 && parts[0].equals("apps")) {
      count("GET apps");
      long appId = Long.parseLong(parts[1]);
      if (!apps.containsKey(appId)) {
        error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'apps' with id '" + appId + "'");
        return;
      }
      ObjectNode body = JSON.createObjectNode();
      ObjectNode app = body.putObject("data").put("type", "apps").put("id", String.valueOf(appId));
      app.putObject("attributes").put("name", apps.get(appId)).put("bundleId", "com.example.app" + appId);
      respond(exchange, 200, body);
    } else if (method.equals("GET") && parts.length == 3 && parts[0].equals("apps") && parts[2].equals("customerReviews")) {
      count("GET customerReviews");
      reviews(exchange, Long.parseLong(parts[1]), query);
    } else {
      error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "The path " + path + " could not be found.");
    }
  }

  private void createRequest(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    String accessType = body.path("data").path("attributes").path("accessType").asText();
    long appId = body.path("data").path("relationships").path("app").path("data").path("id").asLong();
    if (!apps.containsKey(appId)) {
      error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'apps' with id '" + appId + "'");
      return;
    }
    synchronized (requests) {
      boolean exists = requests.values().stream().anyMatch(r -> r.appId() == appId && r.accessType().equals(accessType));
      if (exists) {
        error(exchange, 409, "STATE_ERROR", "The request cannot be fulfilled because of the state of another resource.",
            "You already have such an entity");
        return;
      }
      String id = UUID.randomUUID().toString();
      Request request = new Request(id, appId, accessType, false, today);
      requests.put(id, request);
      ObjectNode response = JSON.createObjectNode();
      response.set("data", requestJson(request));
      respond(exchange, 201, response);
    }
  }

  private ObjectNode requestJson(Request request) {
    ObjectNode node = JSON.createObjectNode().put("type", "analyticsReportRequests").put("id", request.id());
    node.putObject("attributes").put("accessType", request.accessType()).put("stoppedDueToInactivity", request.stopped());
    return node;
  }

  /**
   * Instance ids carry what the fake needs to regenerate them: report, app, processing date, and
   * whether a snapshot request made it (Apple's ids differ per request; the data are the same).
   */
  private record InstanceKey(AppleReportFiles.Report report, long appId, LocalDate processingDate, boolean snapshot) {
    String id() {
      return report.key + "~" + appId + "~" + processingDate + (snapshot ? "~snapshot" : "");
    }

    static InstanceKey parse(String id) {
      String[] p = id.split("~");
      return new InstanceKey(
          AppleReportFiles.Report.valueOf(p[0].toUpperCase()), Long.parseLong(p[1]), LocalDate.parse(p[2]), p.length > 3);
    }
  }

  private record SegmentKey(InstanceKey instance, int number) {
    String id() {
      return instance.id() + "~" + number;
    }

    static SegmentKey parse(String id) {
      int cut = id.lastIndexOf('~');
      return new SegmentKey(InstanceKey.parse(id.substring(0, cut)), Integer.parseInt(id.substring(cut + 1)));
    }
  }

  private void instances(HttpExchange exchange, String reportId, Map<String, String> query) throws IOException {
    int dash = reportId.indexOf('-');
    int number = Integer.parseInt(reportId.substring(1, dash));
    Request request = requests.get(reportId.substring(dash + 1));
    ReportDef def = CATALOG.stream().filter(d -> d.number() == number).findFirst().orElse(null);
    if (request == null || def == null) {
      error(exchange, 404, "NOT_FOUND", "The specified resource does not exist", "There is no resource of type 'analyticsReports' with id '" + reportId + "'");
      return;
    }
    if (brokenApps.contains(request.appId())) {
      error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.", "The server encountered an error.");
      return;
    }
    List<JsonNode> data = new ArrayList<>();
    String granularity = query.get("filter[granularity]");
    String processingFilter = query.get("filter[processingDate]");
    if (def.generator() != null && !request.stopped() && (granularity == null || granularity.equals("DAILY"))) {
      for (LocalDate processing : request.accessType().equals("ONE_TIME_SNAPSHOT") ? snapshotProcessingDates(request.madeOn()) : processingDates()) {
        if (ongoingHistoryFromMaking && request.accessType().equals("ONGOING") && processing.isBefore(request.madeOn())) {
          continue;
        }
        if (processingFilter != null && !List.of(processingFilter.split(",")).contains(processing.toString())) {
          continue;
        }
        InstanceKey key = new InstanceKey(def.generator(), request.appId(), processing, request.accessType().equals("ONE_TIME_SNAPSHOT"));
        ObjectNode instance = JSON.createObjectNode().put("type", "analyticsReportInstances").put("id", key.id());
        instance.putObject("attributes").put("granularity", "DAILY").put("processingDate", processing.toString());
        data.add(instance);
      }
    }
    page(exchange, data, query);
  }

  private List<JsonNode> segments(InstanceKey key) {
    List<JsonNode> segments = new ArrayList<>();
    for (int number = 0; number < 2; number++) {
      segments.add(segmentJson(new SegmentKey(key, number)));
    }
    return segments;
  }

  /** The bytes of a segment: half of the instance's metric days each. */
  private byte[] segmentBytes(SegmentKey key) {
    InstanceKey instance = key.instance();
    List<LocalDate> days = AppleReportFiles.metricDays(instance.report(), instance.processingDate());
    int half = days.size() / 2;
    String instanceOf = instance.report().key + "/" + instance.appId() + "/" + instance.processingDate();
    List<LocalDate> mine = new ArrayList<>(key.number() == 0 ? days.subList(0, half) : days.subList(half, days.size()));
    LocalDate corrected = correctedDays.get(instanceOf);
    if (corrected != null && key.number() == 1) {
      mine.add(0, corrected);
    }
    boolean headerOnly = key.number() == 0 && instanceOf.equals(headerOnlySegmentOf);
    return AppleReportFiles.segment(
        instance.report(), instance.appId(), instance.processingDate(), mine, rowsPerDay,
        new AppleReportFiles.Variant(false, false, false, false, headerOnly));
  }

  private ObjectNode segmentJson(SegmentKey key) {
    byte[] bytes = segmentBytes(key);
    String token = UUID.randomUUID().toString();
    boolean expired = expiredUrls.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    downloads.put(token, new Download(bytes, expired ? Instant.EPOCH : now().plusSeconds(urlLifetimeSeconds)));
    String checksum = segmentChecksum(bytes);
    if (corruptChecksums.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      checksum = "0".repeat(32);
    }
    ObjectNode segment = JSON.createObjectNode().put("type", "analyticsReportSegments").put("id", key.id());
    segment.putObject("attributes")
        .put("checksum", checksum)
        .put("sizeInBytes", bytes.length)
        .put("url", baseUrl() + "/download/" + token + "/" + key.number() + ".csv.gz?X-Amz-Signature=" + token.substring(0, 8));
    return segment;
  }

  /** Apple's segment checksum: MD5 of the compressed bytes (a checksum, not a security measure). */
  private static String segmentChecksum(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)); // segment checksum
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void download(HttpExchange exchange) throws IOException {
    try (exchange) {
      count("GET download");
      if (exchange.getRequestHeaders().containsKey("Authorization")) {
        respondText(exchange, 400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
        return;
      }
      String token = exchange.getRequestURI().getPath().split("/")[2];
      Download download = downloads.get(token);
      if (download == null || now().isAfter(download.expiresAt())) {
        respondText(exchange, 403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
        return;
      }
      byte[] bytes = download.bytes();
      if (truncatedDownloads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        bytes = java.util.Arrays.copyOf(bytes, bytes.length / 2);
      }
      respondBytes(exchange, 200, "application/octet-stream", bytes);
    }
  }

  private void reviews(HttpExchange exchange, long appId, Map<String, String> query) throws IOException {
    Integer brokenPageSize = reviewsBrokenAfterFirstPage.get(appId);
    if (brokenPageSize != null && query.containsKey("cursor")) {
      error(exchange, 500, "UNEXPECTED_ERROR", "An unexpected error occurred", "The server encountered an error");
      return;
    }
    if (brokenPageSize != null) {
      query = new LinkedHashMap<>(query);
      query.put("limit", String.valueOf(brokenPageSize));
    }
    List<Review> reviews = reviews(appId);
    if ("createdDate".equals(query.get("sort"))) {
      reviews = new ArrayList<>(reviews);
      java.util.Collections.reverse(reviews);
    }
    boolean include = "response".equals(query.get("include"));
    List<JsonNode> data = new ArrayList<>();
    List<JsonNode> included = new ArrayList<>();
    Instant cutoff = reviewsCutoff;
    for (Review review : reviews) {
      if (cutoff != null && review.createdDate().toInstant().isAfter(cutoff)) {
        continue;
      }
      ObjectNode node = JSON.createObjectNode().put("type", "customerReviews").put("id", review.id());
      node.putObject("attributes")
          .put("rating", review.rating())
          .put("title", review.title())
          .put("body", review.body())
          .put("reviewerNickname", review.nickname())
          .put("createdDate", review.createdDate().toString())
          .put("territory", review.territory());
      if (review.responseBody() != null && include) {
        String responseId = "resp-" + review.id();
        node.putObject("relationships").putObject("response").putObject("data").put("type", "customerReviewResponses").put("id", responseId);
        ObjectNode response = JSON.createObjectNode().put("type", "customerReviewResponses").put("id", responseId);
        response.putObject("attributes").put("responseBody", review.responseBody())
            .put("lastModifiedDate", review.createdDate().plusDays(1).toString()).put("state", review.responseState());
        included.add(response);
      }
      data.add(node);
    }
    page(exchange, data, query, included);
  }

  private void page(HttpExchange exchange, List<JsonNode> all, Map<String, String> query) throws IOException {
    page(exchange, all, query, List.of());
  }

  /** One page of a collection, with {@code links.next} (a cursor) while more remain. */
  private void page(HttpExchange exchange, List<JsonNode> all, Map<String, String> query, List<JsonNode> included)
      throws IOException {
    int limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : 50;
    int offset = query.containsKey("cursor")
        ? Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("cursor")), StandardCharsets.UTF_8))
        : 0;
    List<JsonNode> page = all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size()));
    ObjectNode body = JSON.createObjectNode();
    ArrayNode data = body.putArray("data");
    page.forEach(data::add);
    if (!included.isEmpty()) {
      ArrayNode includes = body.putArray("included");
      List<String> ids = page.stream().map(n -> "resp-" + n.path("id").asText()).toList();
      included.stream().filter(i -> ids.contains(i.path("id").asText())).forEach(includes::add);
    }
    ObjectNode links = body.putObject("links").put("self", baseUrl() + exchange.getRequestURI());
    if (nextLinksRepeat) {
      links.put("next", baseUrl() + exchange.getRequestURI()); // a broken server's paging: the same page again
    } else if (offset + limit < all.size()) {
      String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(String.valueOf(offset + limit).getBytes(StandardCharsets.UTF_8));
      Map<String, String> next = new LinkedHashMap<>(query);
      next.put("cursor", cursor);
      next.put("limit", String.valueOf(limit));
      StringBuilder url = new StringBuilder(baseUrl() + exchange.getRequestURI().getPath() + "?");
      next.forEach((k, v) -> url.append(k).append('=').append(v).append('&'));
      links.put("next", url.substring(0, url.length() - 1));
    }
    body.putObject("meta").putObject("paging").put("total", all.size()).put("limit", limit);
    respond(exchange, 200, body);
  }

  private void count(String endpoint) {
    calls.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
  }

  private static void error(HttpExchange exchange, int status, String code, String title, String detail) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("errors").addObject().put("status", String.valueOf(status)).put("code", code).put("title", title).put("detail", detail);
    respond(exchange, status, body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
