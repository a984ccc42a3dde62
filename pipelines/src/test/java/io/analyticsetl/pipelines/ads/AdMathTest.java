package io.analyticsetl.pipelines.ads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The derived metrics: fractions from base columns at scale 10, NULL when the denominator is zero. */
class AdMathTest {

  private static BigDecimal d(String value) {
    return new BigDecimal(value);
  }

  @Test
  void everyRateIsAFractionOfItsBaseColumns() {
    assertThat(AdMath.ctr(3, 200), is(d("0.0150000000")));
    assertThat(AdMath.cpc(d("10.00"), 4), is(d("2.5000000000")));
    assertThat(AdMath.cpm(d("5.00"), 2000), is(d("2.5000000000")));
    assertThat(AdMath.cvr(d("1.5"), 3), is(d("0.5000000000")));
    assertThat(AdMath.cpa(d("6.00"), d("1.5")), is(d("4.0000000000")));
    assertThat(AdMath.roas(d("30.00"), d("10.00")), is(d("3.0000000000")));
    assertThat(AdMath.acos(d("10.00"), d("40.00")), is(d("0.2500000000")));
    // Half-even at the tenth decimal: 2 / 3.
    assertThat(AdMath.ctr(2, 3), is(d("0.6666666667")));
  }

  @Test
  void aZeroOrMissingDenominatorGivesNullNotZeroOrInfinity() {
    assertThat(AdMath.ctr(0, 0), is(nullValue()));
    assertThat(AdMath.cpc(d("1.00"), 0), is(nullValue()));
    assertThat(AdMath.cpm(d("1.00"), 0), is(nullValue()));
    assertThat(AdMath.cvr(d("1"), 0), is(nullValue()));
    assertThat(AdMath.cpa(d("1.00"), BigDecimal.ZERO), is(nullValue()));
    assertThat(AdMath.roas(d("5.00"), d("0.00")), is(nullValue()));
    assertThat(AdMath.acos(d("5.00"), BigDecimal.ZERO), is(nullValue()));
    assertThat(AdMath.cpa(d("1.00"), null), is(nullValue()));
    assertThat(AdMath.cpm(null, 100), is(nullValue()));
    // A zero numerator over a real denominator is a real zero.
    assertThat(AdMath.ctr(0, 100), is(d("0E-10")));
  }

  @Test
  void textFeaturesAreTheDocumentedHeuristics() {
    assertThat(AdMath.words("  Save big   on the new kettle "), is(6));
    assertThat(AdMath.words(null), is(0));
    assertThat(AdMath.length("Café ☕"), is(6));
    // (positive - negative) / words: "best" and "free" against "slow", over 5 words.
    assertThat(AdMath.sentiment("Best free kettle", "slow again"), closeTo(1.0 / 5, 1e-12));
    assertThat(AdMath.sentiment((String) null), is(0.0));
  }
}
