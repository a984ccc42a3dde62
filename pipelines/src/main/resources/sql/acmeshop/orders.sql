-- Orders created in [?, ?). In the v1 layout the same columns exist beside the denormalised ones.
SELECT order_id, user_id, status, currency, total_amount, created_at
FROM ${schema}.orders
WHERE created_at >= ? AND created_at < ?
