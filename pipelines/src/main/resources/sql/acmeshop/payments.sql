-- Payments created in [?, ?), and those without a creation time (dead letters, every run), flagged
-- when their order does not exist, with the order's columns (a payment of an order that is a dead
-- letter is one too).
SELECT p.payment_id, p.order_id, p.provider, p.method, p.amount, p.currency, p.status,
       p.failure_code, p.risk_score, p.created_at, (o.order_id IS NOT NULL) AS order_exists,
       o.user_id AS order_user_id, o.status AS order_status, o.currency AS order_currency,
       o.total_amount AS order_total_amount, o.created_at AS order_created_at
FROM ${schema}.payments p
LEFT JOIN ${schema}.orders o ON o.order_id = p.order_id
WHERE (p.created_at >= ? AND p.created_at < ?) OR p.created_at IS NULL
