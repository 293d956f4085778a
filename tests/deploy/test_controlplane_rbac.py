"""Least privilege: what the control plane's ServiceAccount may do, worked out from the RBAC
in deploy/base/ and the RoleBinding it renders into each tenant namespace, then held to the
ValidatingAdmissionPolicy there (its CEL evaluated here). kube-system is out of reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import celpy
import kubernetes_validate
import pytest
import yaml

from controlplane.cluster.render import (
    CONTROLLER_NAMESPACE,
    CONTROLLER_SERVICE_ACCOUNT,
    TENANT_ROLE,
    access_binding,
    namespace_object,
)

REPO = Path(__file__).resolve().parents[2]
RBAC = REPO / "deploy" / "base" / "controlplane-rbac.yaml"
K8S_VERSION = "1.30"
ME = f"system:serviceaccount:{CONTROLLER_NAMESPACE}:{CONTROLLER_SERVICE_ACCOUNT}"
TENANT = "tenant-3f2a1c9e"
RBAC_GROUP = "rbac.authorization.k8s.io"


def _documents() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(RBAC.read_text()) if d]


def _one(kind: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def _bound_to_me(binding: dict[str, Any]) -> bool:
    return any(
        s["kind"] == "ServiceAccount"
        and s["name"] == CONTROLLER_SERVICE_ACCOUNT
        and s["namespace"] == CONTROLLER_NAMESPACE
        for s in binding["subjects"]
    )


def _rules_of(role_ref: dict[str, Any]) -> list[dict[str, Any]]:
    assert role_ref["kind"] == "ClusterRole"
    return list(_one("ClusterRole", role_ref["name"])["rules"])


def _matches(rule: dict[str, Any], verb: str, group: str, resource: str, name: str | None) -> bool:
    names = rule.get("resourceNames") or []
    return (
        group in rule["apiGroups"]
        and resource in rule["resources"]
        and verb in rule["verbs"]
        and (not names or name in names)
    )


def rbac_allows(
    verb: str, group: str, resource: str, namespace: str | None, name: str | None = None
) -> bool:
    """RBAC's answer for the control plane (no wildcards to expand: a test refuses them).
    `namespace` None is a cluster-scoped resource, or a namespaced one across all namespaces.
    Tenant namespaces hold the RoleBinding render.py makes; other namespaces hold none."""
    rules = [
        rule
        for binding in _documents()
        if binding["kind"] == "ClusterRoleBinding" and _bound_to_me(binding)
        for rule in _rules_of(binding["roleRef"])
    ]
    if namespace == TENANT:
        rules += _rules_of(access_binding(TENANT, "owner-1")["roleRef"])
    return any(_matches(r, verb, group, resource, name) for r in rules)


@dataclass(frozen=True)
class Admission:
    """What the API server hands a ValidatingAdmissionPolicy about one request."""

    operation: str
    resource: str
    user: str = ME
    obj: dict[str, Any] | None = None
    old: dict[str, Any] | None = None
    namespace: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _cel(expression: str, activation: dict[str, Any]) -> Any:
    env = celpy.Environment()
    return env.program(env.compile(expression)).evaluate(activation)


def policy_allows(request: Admission) -> bool:
    """The policy's verdict: requests it does not match pass; matched ones pass every rule."""
    policy = _one("ValidatingAdmissionPolicy", "minispod-controlplane-scope")["spec"]
    rules = policy["matchConstraints"]["resourceRules"]
    if not any(
        request.resource in r["resources"] and request.operation in r["operations"] for r in rules
    ):
        return True
    activation = {
        "request": celpy.json_to_cel(
            {
                "operation": request.operation,
                "resource": {"resource": request.resource},
                "userInfo": {"username": request.user},
            }
        ),
        "object": celpy.json_to_cel(request.obj),
        "oldObject": celpy.json_to_cel(request.old),
        "namespaceObject": celpy.json_to_cel(request.namespace),
    }
    if not all(_cel(c["expression"], activation) for c in policy["matchConditions"]):
        return True
    return all(bool(_cel(v["expression"], activation)) for v in policy["validations"])


KUBE_SYSTEM = {"metadata": {"name": "kube-system", "labels": {"kubernetes.io/metadata.name": "x"}}}
OURS = namespace_object(TENANT, "owner-1")
OUR_BINDING = access_binding(TENANT, "owner-1")


def _binding_in(namespace: str, **changes: Any) -> dict[str, Any]:
    binding = access_binding(namespace, "owner-1")
    binding.update(changes)
    return binding


# verb, API group, resource, namespace (None: cluster-scoped or all), name, allowed by RBAC
RBAC_TABLE = [
    ("get", "", "secrets", "kube-system", "k3s-serving", False),
    ("list", "", "secrets", "kube-system", None, False),
    ("list", "", "secrets", None, None, False),
    ("watch", "", "secrets", None, None, False),
    ("get", "", "configmaps", "kube-system", None, False),
    ("get", "", "pods", "kube-system", None, False),
    ("get", "", "pods/log", "kube-system", None, False),
    ("create", "", "pods/exec", TENANT, None, False),
    ("patch", "apps", "deployments", "kube-system", "coredns", False),
    ("delete", "apps", "daemonsets", "kube-system", "svclb", False),
    ("list", "apps", "deployments", None, None, False),
    ("create", "", "serviceaccounts/token", "kube-system", None, False),
    ("impersonate", "", "users", None, None, False),
    ("escalate", RBAC_GROUP, "clusterroles", None, None, False),
    ("bind", RBAC_GROUP, "clusterroles", None, "cluster-admin", False),
    ("create", RBAC_GROUP, "clusterrolebindings", None, None, False),
    ("patch", "", "nodes", None, "worker-1", False),
    ("get", "", "nodes", None, "worker-1", True),
    ("list", "", "namespaces", None, None, True),
    ("bind", RBAC_GROUP, "clusterroles", None, TENANT_ROLE, True),
    # Inside a tenant namespace, through the RoleBinding made with it:
    ("get", "", "secrets", TENANT, "app-1-secrets", True),
    ("patch", "apps", "deployments", TENANT, "app-1", True),
    ("delete", "networking.k8s.io", "networkpolicies", TENANT, "app-1", True),
    ("list", "", "pods", TENANT, None, True),
    ("get", "", "pods/log", TENANT, None, True),
    ("get", "", "configmaps", TENANT, None, False),
]


@pytest.mark.parametrize(("verb", "group", "resource", "namespace", "name", "allowed"), RBAC_TABLE)
def test_what_rbac_lets_the_control_plane_do(verb, group, resource, namespace, name, allowed):
    assert rbac_allows(verb, group, resource, namespace, name) is allowed


# What RBAC allows cluster-wide but only the policy keeps off other people's namespaces.
POLICY_TABLE = [
    ("delete kube-system", Admission("DELETE", "namespaces", old=KUBE_SYSTEM), False),
    (
        "label kube-system as ours",
        Admission(
            "UPDATE",
            "namespaces",
            old=KUBE_SYSTEM,
            obj={"metadata": {**OURS["metadata"], "name": "kube-system"}},
        ),
        False,
    ),
    ("create an unlabelled namespace", Admission("CREATE", "namespaces", obj=KUBE_SYSTEM), False),
    (
        "bind the tenant role in kube-system",
        Admission("CREATE", "rolebindings", obj=_binding_in("kube-system"), namespace=KUBE_SYSTEM),
        False,
    ),
    (
        "bind cluster-admin in a tenant namespace",
        Admission(
            "CREATE",
            "rolebindings",
            obj=_binding_in(
                TENANT, roleRef={"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "admin"}
            ),
            namespace=OURS,
        ),
        False,
    ),
    (
        "bind the tenant role to a tenant's pods",
        Admission(
            "CREATE",
            "rolebindings",
            obj=_binding_in(
                TENANT,
                subjects=[{"kind": "ServiceAccount", "name": "default", "namespace": TENANT}],
            ),
            namespace=OURS,
        ),
        False,
    ),
    ("create a tenant namespace", Admission("CREATE", "namespaces", obj=OURS), True),
    ("label a tenant namespace", Admission("UPDATE", "namespaces", old=OURS, obj=OURS), True),
    ("delete a tenant namespace", Admission("DELETE", "namespaces", old=OURS), True),
    (
        "bind itself into a tenant namespace",
        Admission("CREATE", "rolebindings", obj=OUR_BINDING, namespace=OURS),
        True,
    ),
    (
        "an administrator deletes kube-system",
        Admission("DELETE", "namespaces", user="kubernetes-admin", old=KUBE_SYSTEM),
        True,
    ),
]


@pytest.mark.parametrize(
    ("request_", "allowed"),
    [(r, a) for _, r, a in POLICY_TABLE],
    ids=[name for name, _, _ in POLICY_TABLE],
)
def test_what_the_admission_policy_lets_the_control_plane_do(request_: Admission, allowed: bool):
    assert policy_allows(request_) is allowed


def test_kube_system_is_out_of_reach():
    """Every verb on every resource of kube-system that RBAC or the policy governs."""
    resources = [
        ("", r)
        for r in ("secrets", "configmaps", "pods", "pods/log", "services", "serviceaccounts")
    ] + [("apps", "deployments"), ("apps", "daemonsets"), (RBAC_GROUP, "roles")]
    verbs = ("get", "list", "watch", "create", "update", "patch", "delete")
    reachable = [
        (verb, group, resource)
        for group, resource in resources
        for verb in verbs
        if rbac_allows(verb, group, resource, "kube-system")
    ]
    assert reachable == []
    # What RBAC grants cluster-wide on namespaces and role bindings, the policy refuses there.
    assert rbac_allows("delete", "", "namespaces", None, "kube-system")
    assert not policy_allows(Admission("DELETE", "namespaces", old=KUBE_SYSTEM))
    assert rbac_allows("create", RBAC_GROUP, "rolebindings", "kube-system")
    assert not policy_allows(
        Admission("CREATE", "rolebindings", obj=_binding_in("kube-system"), namespace=KUBE_SYSTEM)
    )


def test_no_rule_uses_a_wildcard_and_the_tenant_role_is_never_bound_cluster_wide():
    for doc in _documents():
        for rule in doc.get("rules") or []:
            for key in ("apiGroups", "resources", "verbs", "resourceNames"):
                assert "*" not in (rule.get(key) or []), (doc["metadata"]["name"], rule)
    bound = [d["roleRef"]["name"] for d in _documents() if d["kind"] == "ClusterRoleBinding"]
    assert TENANT_ROLE not in bound


def test_the_rendered_binding_names_what_deploy_declares():
    _one("ClusterRole", TENANT_ROLE)
    (account,) = [d for d in _documents() if d["kind"] == "ServiceAccount"]
    assert (account["metadata"]["namespace"], account["metadata"]["name"]) == (
        CONTROLLER_NAMESPACE,
        CONTROLLER_SERVICE_ACCOUNT,
    )
    condition = _one("ValidatingAdmissionPolicy", "minispod-controlplane-scope")["spec"][
        "matchConditions"
    ][0]["expression"]
    assert f"'{ME}'" in condition
    assert _one("ValidatingAdmissionPolicyBinding", "minispod-controlplane-scope")["spec"] == {
        "policyName": "minispod-controlplane-scope",
        "validationActions": ["Deny"],
    }
    assert kubernetes_validate.validate(OUR_BINDING, K8S_VERSION, strict=True) == K8S_VERSION
