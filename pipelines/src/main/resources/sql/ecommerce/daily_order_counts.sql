-- Orders of one shop per UTC day, for the days [?, ?) the run still has to produce.
SELECT shop_id,
       (created_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS orders_count
FROM ${schema}.orders
WHERE shop_id = ?
  AND created_at >= ?
  AND created_at < ?
GROUP BY shop_id, (created_at AT TIME ZONE 'UTC')::date
