"""Cluster snapshots: taken, validated, stored and served as JSON documents of cluster objects."""
