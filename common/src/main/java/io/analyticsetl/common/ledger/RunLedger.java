package io.analyticsetl.common.ledger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a run did, written to {@code <outputRoot>/_runs/<pipeline>/<runId>.json} by every run,
 * failed ones included.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"balanced"}, allowGetters = true)
public record RunLedger(
    String pipeline,
    @JsonProperty("run_id") String runId,
    @JsonProperty("run_date") String runDate,
    String runner,
    String sink,
    Map<String, String> options,
    @JsonProperty("started_at") Instant startedAt,
    @JsonProperty("ended_at") Instant endedAt,
    String status,
    String cause,
    SortedMap<String, StageCounts> stages,
    List<String> notes) {

  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";
  /** The run worked, but verification checks failed (exit 2). */
  public static final String CHECKS_FAILED = "CHECKS_FAILED";

  public RunLedger {
    stages = new TreeMap<>(stages);
    notes = List.copyOf(notes);
  }

  /** Every stage balances. */
  @JsonProperty("balanced")
  public boolean balanced() {
    return stages.values().stream().allMatch(StageCounts::balanced);
  }

  /** The stages that do not balance, as {@code name: read=.. written=..} lines. */
  public List<String> unbalancedStages() {
    return stages.entrySet().stream()
        .filter(e -> !e.getValue().balanced())
        .map(
            e ->
                e.getKey()
                    + ": read="
                    + e.getValue().read()
                    + " written="
                    + e.getValue().written()
                    + " dead_lettered="
                    + e.getValue().deadLettered()
                    + " filtered="
                    + e.getValue().filteredTotal())
        .toList();
  }

  /** Reads a ledger file's JSON. */
  public static RunLedger fromJson(String json) {
    try {
      return io.analyticsetl.common.json.Json.MAPPER.readValue(json, RunLedger.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not a run ledger: " + e.getOriginalMessage(), e);
    }
  }

  public double seconds() {
    return java.time.Duration.between(startedAt, endedAt).toMillis() / 1000.0;
  }
}
