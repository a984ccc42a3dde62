package io.analyticsetl.pipelines.ads;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Set;

/**
 * The derived metrics, always recomputed from base columns (platform rates differ in units: Meta's
 * and TikTok's ctr are percentages, Google's a fraction), and the creatives' simple text features.
 */
final class AdMath {

  private static final int SCALE = AdsDatasets.RATIO_SCALE;

  /**
   * A deliberately small sentiment lexicon: a heuristic for a model feature, not an analysis of
   * meaning. Score = (positive - negative words) / words, in [-1, 1].
   */
  static final Set<String> POSITIVE =
      Set.of("best", "free", "new", "save", "great", "love", "easy", "fast", "win", "exclusive", "amazing", "perfect", "bonus", "top", "happy");
  static final Set<String> NEGATIVE =
      Set.of("worst", "hate", "bad", "poor", "slow", "lose", "loss", "difficult", "never", "expensive", "broken", "fail", "sad", "risk", "problem");

  private AdMath() {}

  /** numerator / denominator at scale 10, half-even; null on a zero or missing denominator. */
  static BigDecimal ratio(BigDecimal numerator, BigDecimal denominator) {
    if (numerator == null || denominator == null || denominator.signum() == 0) {
      return null;
    }
    return numerator.divide(denominator, SCALE, RoundingMode.HALF_EVEN);
  }

  static BigDecimal ratio(long numerator, long denominator) {
    return ratio(BigDecimal.valueOf(numerator), BigDecimal.valueOf(denominator));
  }

  static BigDecimal ctr(long clicks, long impressions) {
    return ratio(clicks, impressions);
  }

  static BigDecimal cpc(BigDecimal spend, long clicks) {
    return ratio(spend, BigDecimal.valueOf(clicks));
  }

  static BigDecimal cpm(BigDecimal spend, long impressions) {
    return spend == null ? null : ratio(spend.multiply(BigDecimal.valueOf(1000)), BigDecimal.valueOf(impressions));
  }

  static BigDecimal cvr(BigDecimal conversions, long clicks) {
    return ratio(conversions, BigDecimal.valueOf(clicks));
  }

  static BigDecimal cpa(BigDecimal spend, BigDecimal conversions) {
    return ratio(spend, conversions);
  }

  static BigDecimal roas(BigDecimal value, BigDecimal spend) {
    return ratio(value, spend);
  }

  static BigDecimal acos(BigDecimal spend, BigDecimal value) {
    return ratio(spend, value);
  }

  static int words(String text) {
    return text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
  }

  static int length(String text) {
    return text == null ? 0 : text.codePointCount(0, text.length());
  }

  static double sentiment(String... texts) {
    int words = 0;
    int score = 0;
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (word.isEmpty()) {
          continue;
        }
        words++;
        score += POSITIVE.contains(word) ? 1 : NEGATIVE.contains(word) ? -1 : 0;
      }
    }
    return words == 0 ? 0.0 : (double) score / words;
  }
}
