-- Sessions started in [?, ?), and those without a start time (dead letters, every run), flagged when
-- their user does not exist.
SELECT s.session_id, s.user_id, s.started_at, (u.user_id IS NOT NULL) AS user_exists
FROM ${schema}.user_sessions s
LEFT JOIN ${schema}.users u ON u.user_id = s.user_id
WHERE (s.started_at >= ? AND s.started_at < ?) OR s.started_at IS NULL
