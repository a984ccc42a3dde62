-- Notifications created in [?, ?).
SELECT notification_id, user_id, channel, template, status, created_at, delivered_at, opened_at, clicked_at
FROM ${schema}.notifications
WHERE created_at >= ? AND created_at < ?
