-- Items of orders created in [?, ?), with their order (whose columns are checked as the order's
-- own are: an item of an order that is a dead letter is one too) and product; items whose order or
-- product does not exist come back flagged (every run, until they are fixed).
SELECT oi.order_id, oi.product_id, oi.quantity, oi.unit_price,
       (o.order_id IS NOT NULL) AS order_exists, o.status AS order_status, o.created_at AS order_created_at,
       o.user_id AS order_user_id, o.currency AS order_currency, o.total_amount AS order_total_amount,
       (p.product_id IS NOT NULL) AS product_exists, p.name AS product_name, p.category,
       NULL::text AS item_error -- typed columns: only the legacy JSON items can be malformed
FROM ${schema}.order_items oi
LEFT JOIN ${schema}.orders o ON o.order_id = oi.order_id
LEFT JOIN ${schema}.products p ON p.product_id = oi.product_id
WHERE o.order_id IS NULL OR (o.created_at >= ? AND o.created_at < ?)
