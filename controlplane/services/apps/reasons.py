"""What customers read about their instance, in our words; what the cluster said is kept for
administrators (`Instance.detail`).

The cluster's own words name API paths, namespaces, nodes and images, and change with
every Kubernetes release: a customer gets one short, stable line per kind of trouble.
"""

from __future__ import annotations

from controlplane.cluster.gateway import ClusterError, Trouble

RETRYING = "we retry automatically"

_CLUSTER_TROUBLE = {
    Trouble.NAMESPACE_TERMINATING: (
        f"your previous installation is still being removed; setting up continues once it "
        f"is gone, {RETRYING}"
    ),
    Trouble.UNAVAILABLE: f"the cluster is busy or unreachable right now; {RETRYING}",
    Trouble.QUOTA_EXCEEDED: f"waiting for room in your account's resource quota; {RETRYING}",
    Trouble.FORBIDDEN: f"the cluster refused to set up the app; {RETRYING}",
    Trouble.REFUSED: f"the cluster refused to set up the app; {RETRYING}",
}

# The first word of a pod's or Deployment's trouble (see cluster.monitoring) → ours.
_POD_TROUBLE = {
    "CrashLoopBackOff": "the app keeps stopping; it is restarted automatically",
    "Error": "the app keeps stopping; it is restarted automatically",
    "RunContainerError": "the app could not be started; it is retried automatically",
    "OOMKilled": "the app ran out of memory; it is restarted automatically",
    "ImagePullBackOff": "the app's software cannot be downloaded right now; retrying",
    "ErrImagePull": "the app's software cannot be downloaded right now; retrying",
    "InvalidImageName": "the app's software cannot be downloaded right now; retrying",
    "CreateContainerConfigError": "the app's configuration could not be applied; retrying",
    "CreateContainerError": "the app could not be started; it is retried automatically",
    "Unschedulable": "waiting for room on the server the app is placed on",
    "FailedCreate": "the app could not be started; it is retried automatically",
    "ProgressDeadlineExceeded": "the app is taking too long to start",
}
UNHEALTHY = "the app is not healthy"
STARTING = "starting"
SUSPENDED = "suspended"
_PROGRESS = {"Starting": STARTING, "Pending": STARTING, "Scaled to zero": SUSPENDED}


def for_cluster_error(exc: ClusterError) -> str:
    """Why an apply or delete did not go through, for the customer."""
    return _CLUSTER_TROUBLE[exc.trouble]


def for_instance_state(said: str | None) -> str | None:
    """A pod's or Deployment's reason ("ImagePullBackOff: Back-off pulling image …"), for the
    customer: ours for the troubles we know, a general line for the others."""
    if said is None:
        return None
    first = said.split(":", 1)[0].strip()
    return _POD_TROUBLE.get(first) or _PROGRESS.get(first) or UNHEALTHY
