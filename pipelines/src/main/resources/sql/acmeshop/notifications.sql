-- Notifications created in [?, ?), and those without a creation time (dead letters, every run).
SELECT notification_id, user_id, channel, template, status, created_at, delivered_at, opened_at, clicked_at
FROM ${schema}.notifications
WHERE (created_at >= ? AND created_at < ?) OR created_at IS NULL
