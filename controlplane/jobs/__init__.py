"""Periodic work (apscheduler), run by one control-plane replica at a time."""
