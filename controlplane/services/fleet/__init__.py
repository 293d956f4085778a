"""The fleet: worker nodes, their registration, identity, telemetry and health."""
