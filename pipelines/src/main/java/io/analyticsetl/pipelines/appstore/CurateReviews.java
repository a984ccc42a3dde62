package io.analyticsetl.pipelines.appstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.DayRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Replays customer reviews from the raw zone ({@code raw/reviews/dt=<processing_date>/app_id=<id>/
 * <run>-page-<n>.json}, beside each run's {@code <run>-app.json} and {@code <run>-fetch.json})
 * without calling Apple. Of a run's pages, the reviews its fetch file says it upserted are taken; a
 * review several runs upserted keeps the copy of the latest, as {@code appstore-daily}'s upserts left
 * it; only reviews written on the days curated are kept.
 */
final class CurateReviews extends PTransform<PBegin, PCollectionTuple> {

  static final TupleTag<Row> REVIEWS = new TupleTag<>() {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  static final String SUPERSEDED = "superseded by a later fetch";
  static final String OUTSIDE = "written outside the days curated";

  private static final Pattern FILE = Pattern.compile("(.+)-(app|" + Reviews.FETCH + "|page-(\\d+))\\.json");

  private final String rawRoot;
  private final Set<Long> apps;
  private final DayRange days;

  CurateReviews(String rawRoot, Set<Long> apps, DayRange days) {
    super("Curate_reviews");
    this.rawRoot = rawRoot;
    this.apps = apps;
    this.days = days;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple curated =
        begin
            .apply("Reviews", Create.of("reviews"))
            // Every fetch: a run with an earlier --runDate may have fetched reviews written later.
            .apply("ListRawPages", ParDo.of(new RawZone.ListFiles(rawRoot, "*.json", apps, LocalDate.MIN)))
            .setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(RawZone.RawFile.class)))
            .apply("GroupByApp", GroupByKey.create())
            .apply("LatestFetchWins", ParDo.of(new CurateApp(days)).withOutputTags(REVIEWS, TupleTagList.of(DEAD_LETTERS)));
    curated.get(REVIEWS).setRowSchema(AppstoreDatasets.REVIEWS.beamSchema());
    curated.get(DEAD_LETTERS).setCoder(SerializableCoder.of(DeadLetter.class));
    return curated;
  }

  private static final class CurateApp extends DoFn<KV<Long, Iterable<RawZone.RawFile>>, Row> {
    private final DayRange days;
    private final StageCounters stage = StageCounters.of("read_raw_reviews");

    CurateApp(DayRange days) {
      this.days = days;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<RawZone.RawFile>> app, MultiOutputReceiver out) {
      // In the order the runs fetched them (run ids sort by start time), then by page.
      List<RawZone.RawFile> pages = new ArrayList<>();
      Map<String, RawZone.RawFile> appResources = new HashMap<>();
      Map<String, RawZone.RawFile> fetches = new HashMap<>();
      for (RawZone.RawFile file : app.getValue()) {
        Matcher name = FILE.matcher(file.name());
        if (!name.matches()) {
          continue;
        }
        if (name.group(2).equals("app")) {
          appResources.put(folderRun(file, name.group(1)), file);
        } else if (name.group(2).equals(Reviews.FETCH)) {
          fetches.put(folderRun(file, name.group(1)), file);
        } else {
          pages.add(file);
        }
      }
      pages.sort(Comparator.comparing((RawZone.RawFile file) -> run(file)).thenComparing(file -> page(file)));

      Map<String, Row> latestFetched = new LinkedHashMap<>();
      Map<String, String> appNames = new HashMap<>();
      Map<String, Fetch> fetchOf = new HashMap<>();
      for (RawZone.RawFile file : pages) {
        String run = run(file);
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        try {
          Fetch fetch = fetchOf.computeIfAbsent(folderRun(file, run), key -> fetch(fetches.get(key)));
          if (!fetch.complete()) {
            RunSignals.note("review pages of fetches that failed are kept in the raw zone but not replayed (their run upserted none)");
            continue;
          }
          String appName = appNames.computeIfAbsent(folderRun(file, run), key -> appName(appResources.get(key)));
          int earlier = Reviews.rows(read(file), app.getKey(), appName, file.processingDate(), fetch.createdAfter(), rows, unreadable);
          for (int i = 0; i < earlier; i++) {
            stage.read();
            stage.filtered(Reviews.EARLIER);
          }
          // A run from before the fetch files upserted only reviews newer than its checkpoint: of its
          // pages, a review an earlier run landed is not one it upserted.
          if (!fetches.containsKey(folderRun(file, run))) {
            rows.keySet().removeIf(latestFetched::containsKey);
          }
        } catch (IOException | RuntimeException e) {
          stage.read();
          stage.deadLettered();
          out.get(DEAD_LETTERS)
              .output(DeadLetter.of(stage.stage(), file.path(), "", "review page could not be read: " + e.getMessage()));
          RunSignals.failRun("raw review pages could not be read");
          continue;
        }
        unreadable.forEach((review, error) -> {
          stage.read();
          stage.deadLettered();
          out.get(DEAD_LETTERS).output(DeadLetter.of(stage.stage(), file.path(), review, error));
        });
        for (Map.Entry<String, Row> review : rows.entrySet()) {
          stage.read();
          if (!days.contains(review.getValue().getLogicalTypeValue("metric_date", LocalDate.class))) {
            stage.filtered(OUTSIDE);
          } else if (latestFetched.put(review.getKey(), review.getValue()) != null) {
            stage.filtered(SUPERSEDED); // the copy it replaces counts as superseded, this one as written
          } else {
            stage.written();
          }
        }
      }
      latestFetched.values().forEach(out.get(REVIEWS)::output);
    }

    private static String run(RawZone.RawFile file) {
      Matcher name = FILE.matcher(file.name());
      return name.matches() ? name.group(1) : "";
    }

    private static int page(RawZone.RawFile file) {
      Matcher name = FILE.matcher(file.name());
      return name.matches() && name.group(3) != null ? Integer.parseInt(name.group(3)) : 0;
    }

    private static String folderRun(RawZone.RawFile file, String run) {
      return file.processingDate() + "/" + run;
    }

    /** From when on the run upserted its pages' reviews; every review when it says none (or is missing). */
    /** What a run's fetch file says; a run from before those files upserted its pages whole. */
    private record Fetch(Instant createdAfter, boolean complete) {}

    private static Fetch fetch(RawZone.RawFile file) {
      if (file == null) {
        return new Fetch(null, true);
      }
      try {
        JsonNode fetch = read(file);
        JsonNode after = fetch.path(Reviews.CREATED_AFTER);
        return new Fetch(after.isTextual() ? Instant.parse(after.asText()) : null, fetch.path(Reviews.COMPLETE).asBoolean(true));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** The app's name as the same run fetched it; empty when that file is missing. */
    private static String appName(RawZone.RawFile appResource) {
      if (appResource == null) {
        return "";
      }
      try {
        return read(appResource).path("data").path("attributes").path("name").asText("");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private static JsonNode read(RawZone.RawFile file) throws IOException {
      try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file.path(), false)))) {
        return Json.MAPPER.readTree(in);
      }
    }
  }
}
