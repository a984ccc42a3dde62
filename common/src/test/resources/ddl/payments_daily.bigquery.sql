CREATE TABLE IF NOT EXISTS `acme-analytics.shop.payments_daily` (
  day DATE NOT NULL OPTIONS(description="day"),
  app_id INT64 NOT NULL OPTIONS(description="app"),
  provider STRING NOT NULL OPTIONS(description="provider"),
  attempts INT64 OPTIONS(description="attempts"),
  amount NUMERIC OPTIONS(description="amount"),
  rate FLOAT64 OPTIONS(description="rate"),
  flagged BOOL OPTIONS(description="flag"),
  updated_at TIMESTAMP OPTIONS(description="when"),
  PRIMARY KEY (day, app_id, provider) NOT ENFORCED
)
PARTITION BY day
CLUSTER BY app_id;
