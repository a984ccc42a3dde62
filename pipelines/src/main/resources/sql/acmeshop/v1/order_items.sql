-- The legacy layout keeps items as a JSON array on the order: one row per array element, in the
-- same shape as the v2 query. Customer e-mail and name on the order row are never selected.
SELECT o.order_id,
       (item ->> 'product_id')::bigint AS product_id,
       (item ->> 'quantity')::integer AS quantity,
       (item ->> 'unit_price')::numeric(12, 2) AS unit_price,
       TRUE AS order_exists, o.status AS order_status, o.created_at AS order_created_at,
       (p.product_id IS NOT NULL) AS product_exists, p.name AS product_name, p.category
FROM ${schema}.orders o
CROSS JOIN LATERAL jsonb_array_elements(o.items) AS item
LEFT JOIN ${schema}.products p ON p.product_id = (item ->> 'product_id')::bigint
WHERE o.created_at >= ? AND o.created_at < ?
