package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.io.Locations;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw zone: every downloaded segment kept as received, under
 * {@code <root>/appstore/raw/<dataset>/dt=<processing_date>/app_id=<id>/<instance>-<segment>.tsv.gz}.
 */
final class RawZone {

  private static final Pattern PATH =
      Pattern.compile(".*/raw/([a-z_]+)/dt=(\\d{4}-\\d{2}-\\d{2})/app_id=(\\d+)/([^/]+)$");

  /** One raw segment file and what its path says about it. */
  record RawFile(String path, String report, LocalDate processingDate, long appId, String name)
      implements Serializable {}

  private RawZone() {}

  static String reportDirectory(String root, String report) {
    return Locations.join(Locations.normalizeRoot(root), AppstoreDatasets.DOMAIN, "raw", report);
  }

  static String segmentPath(String root, String report, LocalDate processingDate, long appId, String instanceId, String segmentId) {
    return Locations.join(
        reportDirectory(root, report), "dt=" + processingDate, "app_id=" + appId, instanceId + "-" + segmentId + ".tsv.gz");
  }

  static Optional<RawFile> parse(String path) {
    Matcher matcher = PATH.matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new RawFile(path, matcher.group(1), LocalDate.parse(matcher.group(2)), Long.parseLong(matcher.group(3)), matcher.group(4)));
  }
}
