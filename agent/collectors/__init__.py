"""Collectors: one module per source of facts, each a `collect()` returning one part of a report."""
