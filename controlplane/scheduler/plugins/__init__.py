"""Placement plugins, one per module: filters that drop nodes and scorers that rank them."""
