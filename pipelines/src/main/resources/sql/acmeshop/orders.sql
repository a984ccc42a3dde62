-- Orders created in [?, ?), and those without a creation time (they belong to no day, so every run
-- reads them and the created_at rule makes them dead letters until they are fixed). In the v1
-- layout the same columns exist beside the denormalised ones.
SELECT order_id, user_id, status, currency, total_amount, created_at
FROM ${schema}.orders
WHERE (created_at >= ? AND created_at < ?) OR created_at IS NULL
