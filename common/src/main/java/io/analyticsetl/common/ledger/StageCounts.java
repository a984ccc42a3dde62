package io.analyticsetl.common.ledger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/** The counts of one stage as written to the ledger. */
@JsonIgnoreProperties(value = {"balanced"}, allowGetters = true)
public record StageCounts(
    long read,
    long written,
    @JsonProperty("dead_lettered") long deadLettered,
    Map<String, Long> filtered) {

  public StageCounts {
    filtered = new TreeMap<>(filtered);
  }

  public long filteredTotal() {
    return filtered.values().stream().mapToLong(Long::longValue).sum();
  }

  /** {@code read = written + dead_lettered + filtered}. */
  @JsonProperty("balanced")
  public boolean balanced() {
    return read == written + deadLettered + filteredTotal();
  }
}
