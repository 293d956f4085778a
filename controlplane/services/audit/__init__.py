"""The audit log: every administrator action and security event, append-only."""
