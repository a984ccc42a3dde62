-- Every user; e-mail and phone are tokenised as soon as they are read and never leave that step.
SELECT user_id, email, phone, country, created_at, deleted_at
FROM ${schema}.users
