-- Emails sent in the window [?, ?); each row is validated on its own, so unknown categories become dead letters.
SELECT id, account_id, category, sent_at
FROM ${schema}.emails
WHERE sent_at >= ?
  AND sent_at < ?
