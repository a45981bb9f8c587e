"""The database: connections and transactions, the models (one module per feature), migrations, the audit chain,
backups, and the files uploaded beside it."""
