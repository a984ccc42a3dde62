package io.analyticsetl.pipelines.ads;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
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

  List<Row> normalize(AccountSlice slice, List<String> pages, Instant extractedAt);

  /** The account id the slice's rows carry (a platform's reports may spell it unlike {@code --accounts}). */
  default String rowAccountId(AccountSlice slice) {
    return slice.accountId();
  }
}
