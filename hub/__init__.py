"""The county hub that desks sync to: `python -m hub serve` (FastAPI on uvicorn; SQLite or PostgreSQL).

Imports nothing of desktop/ but the shared payload schema (desktop/protocol/schema.py). Protocol: docs/sync.md.
"""
