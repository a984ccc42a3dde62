package io.analyticsetl.pipelines.ads;

import java.util.Locale;
import java.util.Optional;

/** The sources of ad data: four ad platforms and the internal creatives export. */
public enum Platform {
  // Expected lag: how many days the newest row may trail yesterday before the quality report calls
  // the platform stale. Each platform has yesterday's first figures within a day (Google ~3 h,
  // TikTok ~11 h, Amazon 12 h for delivery and 24 h for conversions: reference sections 2-4), so a
  // daily run one day behind is late but not yet stale.
  META("meta", 28, 1),
  GOOGLE_ADS("google_ads", 30, 1),
  TIKTOK("tiktok", 3, 1),
  AMAZON_ADS("amazon_ads", 3, 1),
  INTERNAL("internal", 0, 1);

  private final String option;
  private final int defaultLookbackDays;
  private final int expectedLagDays;

  Platform(String option, int defaultLookbackDays, int expectedLagDays) {
    this.option = option;
    this.defaultLookbackDays = defaultLookbackDays;
    this.expectedLagDays = expectedLagDays;
  }

  /** Days the newest row may trail yesterday before the platform counts as stale. */
  public int expectedLagDays() {
    return expectedLagDays;
  }

  /** The name used in options (--platforms, --accounts). */
  public String option() {
    return option;
  }

  /** Days re-pulled each daily run, so that restated figures converge (reference section 1.5 ff.). */
  public int defaultLookbackDays() {
    return defaultLookbackDays;
  }

  public static Optional<Platform> fromOption(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (Platform platform : values()) {
      if (platform.option.equals(wanted)) {
        return Optional.of(platform);
      }
    }
    return Optional.empty();
  }
}
