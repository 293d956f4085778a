"""MinisPod control plane: the REST API, its business rules, placement and cluster provisioning."""
