CREATE EXTERNAL TABLE IF NOT EXISTS `appstore`.`curated_downloads` (
  `metric_date` date,
  `app_name` string,
  `processing_date` date,
  `download_type` string,
  `app_version` string,
  `device` string,
  `platform_version` string,
  `source_type` string,
  `page_type` string,
  `pre_order` string,
  `territory` string,
  `total_downloads` bigint
)
PARTITIONED BY (
  `dt` string,
  `app_id` bigint
)
STORED AS PARQUET
LOCATION 's3://acme-analytics/etl/appstore/curated/downloads/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY',
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2000-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.app_id.type' = 'enum',
  'projection.app_id.values' = '1234567890,987654321',
  'storage.location.template' = 's3://acme-analytics/etl/appstore/curated/downloads/dt=${dt}/app_id=${app_id}/'
);
