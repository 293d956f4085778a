"""Persistence: tortoise models, connection lifecycle and aerich migrations."""
