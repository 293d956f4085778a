"""One request to a Kubernetes API server through the official client's ApiClient, as both
programs make it: the control plane to its own cluster, `minispod snapshots take
--kubeconfig` to any. Each maps the failures to its own errors."""

from __future__ import annotations

from typing import Any


class Unanswered(Exception):
    """The server could not be reached or did not answer (no HTTP status to go by)."""


def call(
    api: Any,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    timeout: float | tuple[float, float],
    query: list[tuple[str, str]] | None = None,
    body: Any = None,
) -> tuple[int, str]:
    """(HTTP status, body as text) of one request; the bearer token is the kubeconfig's
    or the service account's. `timeout`: seconds, or (connect, read) seconds. Raises
    Unanswered when there is no answer. The body is read whole before the connection goes
    back to the pool."""
    import urllib3
    from kubernetes.client.exceptions import ApiException

    try:
        request = api.param_serialize(
            method=method,
            resource_path=path,
            query_params=query or [],
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        response = api.call_api(*request, _request_timeout=timeout)
        response.read()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise Unanswered(f"cluster unreachable: {exc}") from exc
    except ApiException as exc:  # the client's own, raised before any status
        raise Unanswered(str(exc.reason)) from exc
    payload = response.data.decode("utf-8", "replace") if response.data else ""
    return int(response.status), payload
