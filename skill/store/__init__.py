"""Per-user persistent attributes: SQLite by default, DynamoDB on Lambda."""
