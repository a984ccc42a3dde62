-- The legacy layout keeps items as a JSON array on the order: one row per array element, as stored
-- (parsed and checked in Java, so one malformed element is a dead letter, not a failed query). A
-- value that is not an array comes back as its one element with its JSON type; NULL and JSON null
-- mean no items. The product is joined only on a well-formed id. Customer e-mail and name on the
-- order row are never selected.
SELECT o.order_id,
       jsonb_typeof(o.items) AS items_type,
       item::text AS item_json,
       TRUE AS order_exists, o.status AS order_status, o.created_at AS order_created_at,
       o.user_id AS order_user_id, o.currency AS order_currency, o.total_amount AS order_total_amount,
       (p.product_id IS NOT NULL) AS product_exists, p.name AS product_name, p.category
FROM ${schema}.orders o
CROSS JOIN LATERAL jsonb_array_elements(
  CASE
    WHEN o.items IS NULL OR jsonb_typeof(o.items) = 'null' THEN '[]'::jsonb
    WHEN jsonb_typeof(o.items) = 'array' THEN o.items
    ELSE jsonb_build_array(o.items)
  END) AS item
LEFT JOIN ${schema}.products p
  ON p.product_id = CASE WHEN item ->> 'product_id' ~ '^-?[0-9]{1,18}$' THEN (item ->> 'product_id')::bigint END
WHERE o.created_at >= ? AND o.created_at < ?
