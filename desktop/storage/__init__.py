"""The one place that opens the database: connection, migrations, the store, numbering, blobs, search keys, settings."""
