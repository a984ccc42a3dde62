-- Every shop integration, deleted ones included (a deleted shop still gets rows up to its deletion day).
SELECT id, account_id, platform, created_at, deleted_at
FROM ${schema}.ecommerce_shops
