package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.options.EtlOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the appstore pipelines (contract section 5). */
public interface AppstoreOptions extends EtlOptions {

  @Description("App Apple Identifiers, comma-separated (e.g. 1506886061,1234567890). Required by appstore-daily and"
      + " appstore-backfill (or --appIdsFile); appstore-curate and appstore-verify default to every app in the zone they read.")
  String getAppIds();

  void setAppIds(String value);

  @Description("A file with one App Apple Identifier per line, instead of --appIds.")
  String getAppIdsFile();

  void setAppIdsFile(String value);

  @Description(
      "Datasets, comma-separated: downloads, engagement, sessions, installs, purchases, performance,"
          + " reviews. Default: all.")
  @Default.String("downloads,engagement,sessions,installs,purchases,performance,reviews")
  String getReports();

  void setReports(String value);

  @Description("First metric day (YYYY-MM-DD). appstore-curate and appstore-verify default to runDate - 35, the"
      + " instances' retention; appstore-backfill needs it (or --days); appstore-daily curates the days its processing"
      + " days restate instead.")
  String getStartDate();

  void setStartDate(String value);

  @Description("Last metric day (YYYY-MM-DD), before the run date. Default: runDate - 1.")
  String getEndDate();

  void setEndDate(String value);

  @Description("appstore-backfill: the last N days up to runDate - 1, instead of --startDate/--endDate.")
  Integer getDays();

  void setDays(Integer value);

  @Description("App Store Connect API base URL (the demo points it at the local fake).")
  @Default.String("https://api.appstoreconnect.apple.com")
  String getAscBaseUrl();

  void setAscBaseUrl(String value);

  @Description("Name of the environment variable holding the API key's issuer id.")
  @Default.String("ASC_ISSUER_ID")
  String getAscIssuerIdEnv();

  void setAscIssuerIdEnv(String value);

  @Description("Name of the environment variable holding the API key id (10 characters).")
  @Default.String("ASC_KEY_ID")
  String getAscKeyIdEnv();

  void setAscKeyIdEnv(String value);

  @Description("Name of the environment variable holding the path of the API key's .p8 file.")
  @Default.String("ASC_P8_PATH")
  String getAscPrivateKeyPathEnv();

  void setAscPrivateKeyPathEnv(String value);

  @Description("Retries of an API call that answered 429, 5xx or timed out, with exponential backoff and jitter.")
  @Default.Integer(6)
  int getAscMaxRetries();

  void setAscMaxRetries(int value);

  @Description("First retry delay in milliseconds; later retries wait longer.")
  @Default.Long(1000)
  long getAscRetryDelayMillis();

  void setAscRetryDelayMillis(long value);

  @Description("appstore-daily: how many recent processing days to extract (instances not landed yet).")
  @Default.Integer(3)
  int getProcessingDays();

  void setProcessingDays(int value);

  @Description("appstore-daily: reviews written up to N days before the newest one already curated are"
      + " fetched again, so that a developer response added since is picked up (0: only newer reviews).")
  @Default.Integer(7)
  int getReviewsLookbackDays();

  void setReviewsLookbackDays(int value);

  @Description("Root of the raw zone to curate from (appstore-curate). Default: --outputRoot.")
  String getRawRoot();

  void setRawRoot(String value);
}
