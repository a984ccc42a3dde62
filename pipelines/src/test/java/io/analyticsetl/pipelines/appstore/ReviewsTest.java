package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class ReviewsTest {

  private static String review(String id, String createdDate, String rating) {
    return "{\"type\":\"customerReviews\",\"id\":\"" + id + "\",\"attributes\":{\"createdDate\":" + createdDate
        + (rating == null ? "" : ",\"rating\":" + rating) + ",\"title\":\"t\",\"body\":\"b\",\"territory\":\"USA\"}}";
  }

  @Test
  void aReviewWithoutACreationTimeOrARatingIsUnreadableNotACrashOrAZero() throws Exception {
    JsonNode page = Json.MAPPER.readTree("{\"data\":[" + String.join(",",
        review("r1", "\"2026-03-01T10:00:00-08:00\"", "5"),
        review("r2", "\"yesterday\"", "4"),
        review("r3", "\"2026-03-01T11:00:00Z\"", null),
        review("r4", "null", "9")) + "]}");
    Map<String, Row> rows = new LinkedHashMap<>();
    Map<String, String> unreadable = new LinkedHashMap<>();
    Reviews.rows(page, 7L, "App", LocalDate.of(2026, 3, 2), null, rows, unreadable);

    assertThat(rows.keySet(), contains("r1"));
    assertThat(rows.get("r1").getInt32("rating"), is(5));
    assertThat(rows.get("r1").getLogicalTypeValue("created_at", Instant.class), is(Instant.parse("2026-03-01T18:00:00Z")));
    assertThat(List.copyOf(unreadable.values()), is(List.of(
        "review r2: createdDate \"yesterday\" is not a date-time",
        "review r3: rating is missing",
        "review r4: createdDate null is not a date-time; rating 9 is not 1 to 5")));
    // A run after the checkpoint leaves out what an earlier run read, bad rating included.
    Map<String, Row> newer = new LinkedHashMap<>();
    Map<String, String> newerUnreadable = new LinkedHashMap<>();
    Reviews.rows(page, 7L, "App", LocalDate.of(2026, 3, 2), Instant.parse("2026-03-01T12:00:00Z"), newer, newerUnreadable);
    assertThat(newer.keySet(), contains("r1"));
    assertThat(List.copyOf(newerUnreadable.values()), is(List.of(
        "review r2: createdDate \"yesterday\" is not a date-time",
        "review r4: createdDate null is not a date-time; rating 9 is not 1 to 5")));
    // Paging goes on past reviews whose time is unknown; it stops at the first known to be old.
    assertThat(Reviews.allNewer(page, Instant.parse("2026-03-01T17:00:00Z")), is(false));
    assertThat(Reviews.allNewer(page, Instant.parse("2026-03-01T09:00:00Z")), is(true));
  }
}
