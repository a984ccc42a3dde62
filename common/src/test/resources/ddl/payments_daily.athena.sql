CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`payments_daily` (
  `day` date,
  `provider` string,
  `attempts` int,
  `amount` decimal(12,2),
  `rate` double,
  `flagged` boolean,
  `updated_at` timestamp
)
PARTITIONED BY (
  `dt` string,
  `app_id` bigint
)
STORED AS PARQUET
LOCATION 's3://analytics-bucket/etl/shop/payments_daily/'
TBLPROPERTIES (
  'parquet.compression' = 'SNAPPY',
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2000-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.app_id.type' = 'injected',
  'storage.location.template' = 's3://analytics-bucket/etl/shop/payments_daily/dt=${dt}/app_id=${app_id}/'
);
