package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.options.EtlOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the appstore pipelines (contract section 5). */
public interface AppstoreOptions extends EtlOptions {

  @Description("App Apple Identifiers, comma-separated (e.g. 1506886061,1234567890). Default: every app found.")
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

  @Description("First metric day (YYYY-MM-DD). Default: runDate - 35, the instances' retention.")
  String getStartDate();

  void setStartDate(String value);

  @Description("Last metric day (YYYY-MM-DD). Default: runDate - 1.")
  String getEndDate();

  void setEndDate(String value);

  @Description("Root of the raw zone to curate from (appstore-curate). Default: --outputRoot.")
  String getRawRoot();

  void setRawRoot(String value);
}
