SELECT id, name, signed_up_at FROM ${schema}.customers WHERE name = ?
