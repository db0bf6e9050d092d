"""What desk and hub agree on: the sync payload schema and the audit chain's hashing. Imports only desktop.domain."""
