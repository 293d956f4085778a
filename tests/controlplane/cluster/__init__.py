"""Tests of the cluster gateway, its rendering and the catalog templates."""
