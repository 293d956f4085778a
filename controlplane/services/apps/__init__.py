"""Apps: subscriptions, their instances, placement on nodes and provisioning into the cluster."""
