package io.analyticsetl.pipelines.appstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The request registry: exactly one ONGOING report request per app, reused across runs, and for
 * backfills past Apple's retention one ONE_TIME_SNAPSHOT request per app (Apple allows one a month,
 * and a snapshot holds the history up to its making, so an existing one is reused). The app's
 * requests are listed first (so another tool's request is reused too); a request stopped for
 * inactivity is deleted and replaced; a 409 on creation (a request appeared meanwhile) is resolved
 * by listing again. What was done is counted in the ledger and persisted under
 * {@code <outputRoot>/appstore/_registry/requests.json}.
 */
final class ReportRequests {

  static final String CREATED = "created";
  static final String REUSED = "reused";
  static final String DUPLICATE_PREVENTED = "duplicates prevented";
  static final String REPLACED = "replaced";
  static final String ONGOING = "ONGOING";
  static final String ONE_TIME_SNAPSHOT = "ONE_TIME_SNAPSHOT";

  /** What the registry did for one app's request of an access type. */
  record Entry(long appId, String accessType, String requestId, String action) implements Serializable {
    /** "report requests created", "snapshot requests reused", ...: ledger notes and registry counts. */
    String counted() {
      return accessType.equals(ONGOING) ? action : "snapshot " + action;
    }
  }

  private ReportRequests() {}

  /** Finds or makes the app's request of one access type (ONGOING or ONE_TIME_SNAPSHOT). */
  static final class Ensure extends DoFn<Long, Entry> {
    private final AppStoreConnectClient client;
    private final String accessType;

    Ensure(AppStoreConnectClient client, String accessType) {
      this.client = client;
      this.accessType = accessType;
    }

    @ProcessElement
    public void process(@Element Long app, OutputReceiver<Entry> out) {
      try {
        ensure(app, out);
      } catch (AppStoreConnectClient.ApiException e) {
        e.failOnly("the report request", app);
      }
    }

    private void ensure(long app, OutputReceiver<Entry> out) {
      List<JsonNode> existing = listed(app);
      JsonNode active = existing.stream().filter(r -> !stopped(r)).findFirst().orElse(null);
      if (active != null) {
        out.output(record(app, active.path("id").asText(), REUSED));
        return;
      }
      boolean replacing = !existing.isEmpty();
      for (JsonNode stopped : existing) {
        // A stopped request still blocks a new one (409) until it is deleted; a 404 means another
        // run deleted it first (and its new request makes our POST a 409, resolved below).
        try {
          client.delete("/v1/analyticsReportRequests/" + stopped.path("id").asText());
        } catch (AppStoreConnectClient.ApiException e) {
          if (e.status() != 404) {
            throw e;
          }
        }
      }
      String body =
          "{\"data\":{\"type\":\"analyticsReportRequests\",\"attributes\":{\"accessType\":\"" + accessType + "\"},"
              + "\"relationships\":{\"app\":{\"data\":{\"type\":\"apps\",\"id\":\"" + app + "\"}}}}}";
      try {
        JsonNode created = client.post("/v1/analyticsReportRequests", body);
        out.output(record(app, created.path("data").path("id").asText(), replacing ? REPLACED : CREATED));
      } catch (AppStoreConnectClient.ApiException e) {
        if (e.status() != 409) {
          throw e;
        }
        JsonNode appeared =
            listed(app).stream()
                .filter(r -> !stopped(r))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("409 for app " + app + " but no " + accessType + " request is listed"));
        out.output(record(app, appeared.path("id").asText(), DUPLICATE_PREVENTED));
      }
    }

    private List<JsonNode> listed(long app) {
      return client.getAll("/v1/apps/" + app + "/analyticsReportRequests?filter%5BaccessType%5D=" + accessType);
    }

    private static boolean stopped(JsonNode request) {
      return request.path("attributes").path("stoppedDueToInactivity").asBoolean(false);
    }

    private Entry record(long app, String requestId, String action) {
      Entry entry = new Entry(app, accessType, requestId, action);
      RunSignals.note((accessType.equals(ONGOING) ? "report requests " : "snapshot requests ") + action);
      if (accessType.equals(ONGOING) && (action.equals(CREATED) || action.equals(REPLACED))) {
        RunSignals.note("a new ONGOING request's first reports take Apple a day or two: its app lands nothing until"
            + " then, and the days before it come from appstore-backfill");
      }
      return entry;
    }
  }

  /** Merges this run's entries into the persisted registry and its running counts. */
  static final class Persist extends DoFn<Iterable<Entry>, Void> {
    private final String outputRoot;
    private final String runId;

    Persist(String outputRoot, String runId) {
      this.outputRoot = outputRoot;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element Iterable<Entry> entries) throws IOException {
      String path = Locations.join(outputRoot, AppstoreDatasets.DOMAIN, "_registry", "requests.json");
      Map<String, Object> registry = read(path);
      @SuppressWarnings("unchecked")
      Map<String, Object> apps = (Map<String, Object>) registry.computeIfAbsent("apps", k -> new TreeMap<>());
      @SuppressWarnings("unchecked")
      Map<String, Object> counts = (Map<String, Object>) registry.computeIfAbsent("counts", k -> new TreeMap<>());
      for (Entry entry : entries) {
        @SuppressWarnings("unchecked")
        Map<String, Object> app = new TreeMap<>((Map<String, Object>) apps.getOrDefault(String.valueOf(entry.appId()), Map.of()));
        String prefix = entry.accessType().equals(ONGOING) ? "" : "snapshot_";
        app.put(entry.accessType().equals(ONGOING) ? "ongoing_request_id" : "snapshot_request_id", entry.requestId());
        app.put(prefix + "last_action", entry.action());
        apps.put(String.valueOf(entry.appId()), app);
        counts.merge(entry.counted(), 1, (a, b) -> ((Number) a).intValue() + ((Number) b).intValue());
      }
      registry.put("updated_by_run", runId);
      registry.put("updated_at", Instant.now().toString());
      ResourceId file = FileSystems.matchNewResource(path, false);
      try (WritableByteChannel channel = FileSystems.create(file, "application/json")) {
        channel.write(ByteBuffer.wrap(Json.writePretty(registry).getBytes(StandardCharsets.UTF_8)));
      }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(String path) throws IOException {
      if (FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata().isEmpty()) {
        return new TreeMap<>();
      }
      try (var in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)))) {
        return new TreeMap<>(Json.MAPPER.readValue(in, Map.class));
      }
    }
  }

  static KV<Long, String> requestOf(Entry entry) {
    return KV.of(entry.appId(), entry.requestId());
  }
}
