-- Orders created in [?, ?) that no shop's rows count: of a shop not in ecommerce_shops, or of a UTC day
-- before the shop's creation day or after its deletion day.
SELECT count(*) FILTER (WHERE s.id IS NULL) AS of_unknown_shops,
       count(*) FILTER (WHERE s.id IS NOT NULL) AS outside_shop_life
FROM ${schema}.orders o
LEFT JOIN ${schema}.ecommerce_shops s ON s.id = o.shop_id
WHERE o.created_at >= ?
  AND o.created_at < ?
  AND (s.id IS NULL
       OR (o.created_at AT TIME ZONE 'UTC')::date < (s.created_at AT TIME ZONE 'UTC')::date
       OR (o.created_at AT TIME ZONE 'UTC')::date > (s.deleted_at AT TIME ZONE 'UTC')::date)
