"""The cluster gateway: renders tenant instances into Kubernetes objects and runs them.

`gateway.ClusterGateway` is the interface; `kubernetes.KubernetesCluster` and
`memory.InMemoryCluster` implement it; `factory.cluster_from_config` picks one.
"""
