package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.beam.sdk.values.Row;

/**
 * One ad platform's API. Fetching returns the pages as received (kept in the raw zone, which is
 * also the checkpoint a failed run resumes from); normalising turns pages into extracted rows, so
 * replaying a checkpoint needs no API call.
 */
interface AdConnector extends Serializable {

  Platform platform();

  /** The longest date span one request may cover. */
  int maxSliceDays();

  /**
   * The slice's pages, as received; the first may describe the account (currency, time zone).
   * Platforms with async report jobs keep their job ids in {@code jobs}, so a rerun picks them up.
   */
  List<String> fetch(AccountSlice slice, ReportJobs jobs);

  Normalized normalize(AccountSlice slice, List<String> pages, Instant extractedAt);

  /** The account id the slice's rows carry (a platform's reports may spell it unlike {@code --accounts}). */
  default String rowAccountId(AccountSlice slice) {
    return slice.accountId();
  }

  /** A slice's rows, and the items of its pages that could not be read, each with why. */
  final class Normalized {
    private final List<Row> rows = new ArrayList<>();
    private final List<Unreadable> unreadable = new ArrayList<>();

    /** An item of a page as received, and why it is not a row. */
    record Unreadable(String item, String error) {}

    /** Reads one item; one that cannot be read is kept aside and the slice's other items go on. */
    void add(JsonNode item, Supplier<Row> read) {
      try {
        rows.add(read.get());
      } catch (RuntimeException e) {
        unreadable.add(new Unreadable(item.toString(), e.getMessage()));
      }
    }

    List<Row> rows() {
      return rows;
    }

    List<Unreadable> unreadable() {
      return unreadable;
    }
  }
}
