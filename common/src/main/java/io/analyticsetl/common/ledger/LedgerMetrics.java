package io.analyticsetl.common.ledger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Collects the stage counters of a finished pipeline into ledger counts. */
public final class LedgerMetrics {

  private LedgerMetrics() {}

  public static SortedMap<String, StageCounts> stages(PipelineResult result) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(StageCounters.NAMESPACE))
                    .build());
    Map<String, Map<String, Long>> byStage = new TreeMap<>();
    for (MetricResult<Long> counter : metrics.getCounters()) {
      String[] parts = counter.getName().getName().split("\\" + StageCounters.SEPARATOR, 3);
      String key = parts.length == 3 ? parts[1] + StageCounters.SEPARATOR + parts[2] : parts[1];
      byStage
          .computeIfAbsent(parts[0], s -> new HashMap<>())
          .merge(key, value(counter), Long::sum);
    }
    SortedMap<String, StageCounts> stages = new TreeMap<>();
    byStage.forEach(
        (stage, counts) -> {
          Map<String, Long> filtered = new TreeMap<>();
          String filteredPrefix = StageCounters.FILTERED + StageCounters.SEPARATOR;
          counts.forEach(
              (name, value) -> {
                if (name.startsWith(filteredPrefix)) {
                  filtered.put(name.substring(filteredPrefix.length()), value);
                }
              });
          stages.put(
              stage,
              new StageCounts(
                  counts.getOrDefault(StageCounters.READ, 0L),
                  counts.getOrDefault(StageCounters.WRITTEN, 0L),
                  counts.getOrDefault(StageCounters.DEAD_LETTERED, 0L),
                  filtered));
        });
    return stages;
  }

  /** Notes the run recorded, as {@code text (count)}. */
  public static List<String> notes(PipelineResult result) {
    return counts(result, RunSignals.NOTES).entrySet().stream()
        .map(e -> e.getKey() + " (" + e.getValue() + ")")
        .toList();
  }

  /** Reasons the run must fail, with how often each happened. */
  public static SortedMap<String, Long> failures(PipelineResult result) {
    return counts(result, RunSignals.FAILURES);
  }

  /** Verification checks that failed, with how often. */
  public static SortedMap<String, Long> failedChecks(PipelineResult result) {
    return counts(result, RunSignals.CHECKS);
  }

  /** Work done and found so far ({@code done}, {@code total}), for progress lines. */
  public static SortedMap<String, Long> progress(PipelineResult result) {
    return counts(result, RunSignals.PROGRESS);
  }

  private static SortedMap<String, Long> counts(PipelineResult result, String namespace) {
    SortedMap<String, Long> counts = new TreeMap<>();
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(namespace)).build())
            .getCounters()) {
      counts.merge(counter.getName().getName(), value(counter), Long::sum);
    }
    return counts;
  }

  /** Committed values where the runner has them (DirectRunner), attempted ones otherwise (Flink). */
  private static long value(MetricResult<Long> counter) {
    try {
      Long committed = counter.getCommitted();
      if (committed != null) {
        return committed;
      }
    } catch (UnsupportedOperationException notSupported) {
      // fall through to attempted
    }
    Long attempted = counter.getAttempted();
    return attempted == null ? 0 : attempted;
  }
}
