-- Payments created in [?, ?), and those without a creation time (dead letters, every run), flagged
-- when their order does not exist.
SELECT p.payment_id, p.order_id, p.provider, p.method, p.amount, p.currency, p.status,
       p.failure_code, p.risk_score, p.created_at, (o.order_id IS NOT NULL) AS order_exists
FROM ${schema}.payments p
LEFT JOIN ${schema}.orders o ON o.order_id = p.order_id
WHERE (p.created_at >= ? AND p.created_at < ?) OR p.created_at IS NULL
