"""Operator alerts: conditions confirmed before administrators are told, once."""
