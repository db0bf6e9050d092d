"""The command line (DESIGN.md §6): `main` parses, one module per command group, `common` their shared helpers."""
