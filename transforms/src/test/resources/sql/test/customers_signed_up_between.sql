SELECT id, name, signed_up_at FROM ${schema}.customers WHERE signed_up_at >= ? AND signed_up_at < ?;
