package io.analyticsetl.pipelines.appstore;

import static io.analyticsetl.pipelines.appstore.AppstoreDatasets.REVIEWS;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.Days;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Customer reviews, newest first ({@code sort=-createdDate}, {@code include=response}), fetched
 * until a lookback before the newest review already in the target (so that a developer response
 * added to a recent review since is picked up): each page is kept in the raw zone as received, and
 * each review fetched becomes a curated row (upserted on review_id).
 */
final class Reviews {

  /** The file beside a run's pages saying from which creation time on it upserted their reviews. */
  static final String FETCH = "fetch";
  /** Reviews of a page created before the fetch's start: an earlier run upserted them. */
  static final String EARLIER = "created before the fetch's start: upserted by an earlier run";
  static final String CREATED_AFTER = "created_after";
  /** False until every page the run asked for has landed: a failed fetch upserts nothing. */
  static final String COMPLETE = "complete";

  private Reviews() {}

  /**
   * Rows of one page of reviews (the page's {@code included} holds the responses); a review without
   * a creation time or a rating of 1 to 5 goes to {@code unreadable} as its JSON and what is wrong.
   * Returns how many were created before {@code after}, which it leaves out.
   */
  static int rows(
      JsonNode page, long appId, String appName, LocalDate processingDate, Instant after, Map<String, Row> out,
      Map<String, String> unreadable) {
    int earlier = 0;
    Map<String, JsonNode> responses = new HashMap<>();
    page.path("included").forEach(i -> responses.put(i.path("id").asText(), i.path("attributes")));
    for (JsonNode review : page.path("data")) {
      JsonNode a = review.path("attributes");
      Instant created = created(review);
      if (created != null && after != null && !created.isAfter(after)) {
        earlier++; // upserted by an earlier run, and dead-lettered by it if it had to be
        continue;
      }
      JsonNode rating = a.path("rating");
      boolean rated = rating.canConvertToInt() && rating.isIntegralNumber() && rating.asInt() >= 1 && rating.asInt() <= 5;
      if (created == null || !rated) {
        unreadable.put(review.toString(), "review " + review.path("id").asText() + ": "
            + (created == null ? "createdDate " + a.path("createdDate") + " is not a date-time" : "")
            + (created == null && !rated ? "; " : "")
            + (rated ? "" : rating.isMissingNode() ? "rating is missing" : "rating " + rating + " is not 1 to 5"));
        continue;
      }
      JsonNode response = responses.get(review.path("relationships").path("response").path("data").path("id").asText(""));
      out.put(
          review.path("id").asText(),
          Row.withSchema(REVIEWS.beamSchema())
              .addValues(
                  Days.utcDay(created), appName, appId, processingDate, review.path("id").asText(),
                  rating.asInt(), text(a, "title"), text(a, "body"), text(a, "reviewerNickname"), created,
                  text(a, "territory"),
                  response == null ? null : text(response, "responseBody"),
                  response == null ? null : text(response, "state"))
              .build());
    }
    return earlier;
  }

  /** True while a page holds only reviews newer than {@code after}. */
  static boolean allNewer(JsonNode page, Instant after) {
    if (after == null) {
      return true;
    }
    for (JsonNode review : page.path("data")) {
      Instant created = created(review);
      if (created != null && !created.isAfter(after)) {
        return false;
      }
    }
    return true;
  }

  /** The review's creation time; null when it has none that parses. */
  private static Instant created(JsonNode review) {
    try {
      return OffsetDateTime.parse(review.path("attributes").path("createdDate").asText()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asText();
  }

  static String rawFolder(String rawRoot, LocalDate processingDate, long appId) {
    return Locations.join(Locations.normalizeRoot(rawRoot), AppstoreDatasets.DOMAIN, "raw", "reviews", "dt=" + processingDate, "app_id=" + appId);
  }

  /**
   * Fetches an app's reviews newer than its checkpoint (the newest created_at in the target) less
   * the lookback.
   */
  static final class Fetch extends DoFn<KV<Long, CoGbkResult>, Row> {
    static final TupleTag<Row> ROWS = new TupleTag<>() {};
    static final TupleTag<DeadLetter> UNREADABLE = new TupleTag<>() {};

    private final AppStoreConnectClient client;
    private final TupleTag<Long> appTag;
    private final TupleTag<Instant> checkpointTag;
    private final String rawRoot;
    private final LocalDate processingDate;
    private final String runId;
    private final java.time.Duration lookback;
    private final StageCounters stage = StageCounters.of("read_reviews");

    Fetch(AppStoreConnectClient client, TupleTag<Long> appTag, TupleTag<Instant> checkpointTag, String rawRoot, LocalDate processingDate,
        String runId, java.time.Duration lookback) {
      this.client = client;
      this.appTag = appTag;
      this.checkpointTag = checkpointTag;
      this.rawRoot = rawRoot;
      this.processingDate = processingDate;
      this.runId = runId;
      this.lookback = lookback;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> app, MultiOutputReceiver out) throws IOException {
      if (!app.getValue().getAll(appTag).iterator().hasNext()) {
        return; // reviews in the target of an app no longer configured
      }
      long appId = app.getKey();
      Instant checkpoint = null;
      for (Instant newest : app.getValue().getAll(checkpointTag)) {
        checkpoint = checkpoint == null || newest.isAfter(checkpoint) ? newest : checkpoint;
      }
      String folder = rawFolder(rawRoot, processingDate, appId);
      Map<String, Row> rows = new java.util.LinkedHashMap<>();
      Map<String, String> unreadable = new java.util.LinkedHashMap<>();
      AtomicInteger earlier = new AtomicInteger();
      try {
        JsonNode appResource = client.get("/v1/apps/" + appId);
        write(folder + "/" + runId + "-app.json", appResource.toString());
        String appName = appResource.path("data").path("attributes").path("name").asText("");
        AtomicInteger pageNumber = new AtomicInteger();
        Instant after = checkpoint == null ? null : checkpoint.minus(lookback);
        // Which of its pages' reviews the run upserts, for appstore-curate to replay the same.
        String fetch = folder + "/" + runId + "-" + FETCH + ".json";
        write(fetch, fetchRecord(after, false));
        client.getPagesWhile(
            "/v1/apps/" + appId + "/customerReviews?sort=-createdDate&include=response",
            page -> {
              try {
                write(folder + "/" + runId + "-page-" + pageNumber.incrementAndGet() + ".json", page.toString());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              earlier.addAndGet(rows(page, appId, appName, processingDate, after, rows, unreadable));
              return allNewer(page, after);
            });
        write(fetch, fetchRecord(after, true));
      } catch (AppStoreConnectClient.ApiException e) {
        // None of the app's new reviews are upserted: the newest alone would move the checkpoint past
        // the ones the failed pages held. The next run asks for all of them again.
        e.failOnly("fetching customer reviews", appId);
        return;
      }
      for (Row row : rows.values()) {
        stage.read();
        stage.written();
        out.get(ROWS).output(row);
      }
      for (int i = 0; i < earlier.get(); i++) {
        stage.read();
        stage.filtered(EARLIER);
      }
      unreadable.forEach((review, error) -> {
        stage.read();
        stage.deadLettered();
        out.get(UNREADABLE).output(DeadLetter.of(stage.stage(), folder, review, error));
      });
    }

    private static String fetchRecord(Instant createdAfter, boolean complete) {
      return Json.MAPPER.createObjectNode()
          .put(CREATED_AFTER, createdAfter == null ? null : createdAfter.toString())
          .put(COMPLETE, complete)
          .toString();
    }

    private static void write(String path, String json) throws IOException {
      try (WritableByteChannel channel = FileSystems.create(FileSystems.matchNewResource(path, false), "application/json")) {
        channel.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

}
