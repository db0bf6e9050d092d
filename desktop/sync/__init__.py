"""Sync with the county hub: the engine, its HTTP client, pushing the outbox, applying statuses, the audit trail."""
