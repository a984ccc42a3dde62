package io.analyticsetl.common.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The options every pipeline takes (contract section 2). */
public interface EtlOptions extends PipelineOptions {

  @Description(
      "The logical run date, YYYY-MM-DD; \"yesterday\" means runDate - 1. Default: today (UTC).")
  String getRunDate();

  void setRunDate(String value);

  @Description(
      "Where curated output goes: parquet, bigquery or jdbc. Default: parquet under --outputRoot"
          + " on the DirectRunner and the FlinkRunner.")
  String getSink();

  void setSink(String value);

  @Description(
      "Root of Parquet output, raw zone, dead letters and run ledger: a local directory or"
          + " s3://bucket/prefix.")
  @Default.String("./out")
  String getOutputRoot();

  void setOutputRoot(String value);

  @Description(
      "Address S3 buckets path-style (http://host/bucket/key), as most S3-compatible servers"
          + " need; use with --endpoint and --awsRegion.")
  @Default.Boolean(false)
  boolean getS3PathStyleAccess();

  void setS3PathStyleAccess(boolean value);

  @Description("BigQuery destination project (--sink=bigquery).")
  String getBigQueryProject();

  void setBigQueryProject(String value);

  @Description("BigQuery destination dataset (--sink=bigquery). Default: the domain name.")
  String getBigQueryDataset();

  void setBigQueryDataset(String value);

  @Description(
      "How rows of datasets that replace partitions reach BigQuery (--sink=bigquery): file_loads"
          + " replaces each day the run writes through load jobs; storage_write_api upserts the rows"
          + " on the dataset's natural key through the Storage Write API (a key a recomputed day no"
          + " longer has stays). Upserted datasets always use the Storage Write API, full rebuilds"
          + " always use load jobs.")
  @Default.String("file_loads")
  String getBigQueryWriteMethod();

  void setBigQueryWriteMethod(String value);

  @Description("JDBC URL of the destination database (--sink=jdbc).")
  String getTargetJdbcUrl();

  void setTargetJdbcUrl(String value);

  @Description("User of the destination database (--sink=jdbc).")
  String getTargetJdbcUser();

  void setTargetJdbcUser(String value);

  @Description(
      "Name of the environment variable holding the destination database password; the password"
          + " itself is never given on the command line.")
  @Default.String("TARGET_JDBC_PASSWORD")
  String getTargetJdbcPasswordEnv();

  void setTargetJdbcPasswordEnv(String value);

  @Description(
      "Print the DDL of this pipeline's datasets for postgres, bigquery or athena (over the"
          + " Parquet layout under --outputRoot, with partition projection) and exit without running.")
  String getPrintDdl();

  void setPrintDdl(String value);

  @Description("Seconds between progress lines on stderr while a run is going on; 0 turns them off.")
  @Default.Integer(30)
  int getProgressIntervalSeconds();

  void setProgressIntervalSeconds(int value);

  @Description("Print stack traces of failures, not only the one-line cause, and the runner's own warnings.")
  @Default.Boolean(false)
  boolean getVerbose();

  void setVerbose(boolean value);
}
