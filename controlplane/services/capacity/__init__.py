"""Capacity planning: what the fleet holds against what it has, over time, and when it fills."""
