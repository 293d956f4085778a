"""The OpenAPI 3.1 document, generated from the route declarations and the wire types."""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from pydantic import BaseModel

from controlplane.api.routing import TEAM_HEADER, Access, Route
from shared.wire.teams import team_scope

REF = "#/components/schemas/{model}"
DESCRIPTION = """Sell hosted apps on your own K3s cluster.

Every answer under `/api/v1` is an envelope: `{success, message, data, timestamp,
statusCode}`. Errors carry a `code` instead of `data` (and `errors`, the field-level
reasons, on validation errors): VALIDATION_ERROR 400, UNAUTHORIZED and TOKEN_EXPIRED 401,
PAYMENT_REQUIRED 402 (with the `shortfall`), FORBIDDEN 403, NOT_FOUND 404,
METHOD_NOT_ALLOWED 405, CONFLICT 409, PAYLOAD_TOO_LARGE 413,
UNSUPPORTED_MEDIA_TYPE 415, RATE_LIMITED 429 and SERVICE_UNAVAILABLE 503 (both with
Retry-After), INTERNAL_ERROR 500. Users and administrators send
`Authorization: Bearer <access token>`; agents send their node token, and register with a
join token. The repository's docs/api.md says more."""

_ERROR_STATUSES = {
    "400": "Validation error",
    "401": "Unauthenticated or token expired",
    "403": "Forbidden",
    "404": "Not found",
    "409": "Conflict",
    "413": "Payload too large",
    "415": "Unsupported media type",
    "429": "Rate limited (Retry-After)",
    "503": "Service unavailable (Retry-After)",
}


@functools.cache
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    # A class's schema never changes, and generating it dominates building an
    # app (the test suite builds hundreds): compute it once per class.
    return model.model_json_schema(by_alias=True, ref_template=REF)


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A private copy, so the document may be edited without touching the cache."""
    return copy.deepcopy(_json_schema(model))


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = _model_schema(model)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = _model_schema(model)
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    params = []
    for name, prop in schema.get("properties", {}).items():
        if "$ref" in prop:
            prop = defs[prop["$ref"].rsplit("/", 1)[-1]]
        params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params


def _envelope(data: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["success", "message", "data", "timestamp", "statusCode"],
        "properties": {
            "success": {"const": True},
            "message": {"type": "string"},
            "data": data or {},
            "timestamp": {"type": "string", "format": "date-time"},
            "statusCode": {"type": "integer"},
        },
    }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["success", "message", "code", "timestamp", "statusCode"],
    "properties": {
        "success": {"const": False},
        "message": {"type": "string"},
        "code": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
        "statusCode": {"type": "integer"},
        "shortfall": {
            "description": "PAYMENT_REQUIRED only: what the wallet lacks, in minor units",
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}},
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def build_spec(routes: list[Route], prefix: str) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = route.path if route.raw else prefix + route.path
        op: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": f"{route.tag}_{route.handler.__name__}",
            "x-access": route.access.value,
        }
        if route.audit:
            # Recorded in the audit log as this action (changes by administrators through
            # any route are recorded too).
            op["x-audit-action"] = route.action
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", route.path)
        ]
        if route.query is not None:
            params += _query_parameters(route.query)
        if route.signature_header is not None:
            params.append(
                {
                    "name": route.signature_header,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "the provider's signature over the body as sent",
                }
            )
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        if team_scope(route.scope):
            params.append(
                {
                    "name": TEAM_HEADER,
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "format": "uuid"},
                    "description": "the team the request acts in (default: your own); your "
                    "role there must allow this operation's scope",
                }
            )
        if params:
            op["parameters"] = params
        if route.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(route.body, components)}},
            }
        if route.streamed is not None:
            op["requestBody"] = {
                "required": True,
                "description": "raw JSON, or compressed with `Content-Encoding: gzip` or `zstd`",
                "content": {"application/json": {"schema": _schema(route.streamed, components)}},
            }
        if route.access is not Access.ANON:
            op["security"] = [{"bearerAuth": []}]
            if route.scope is not None:
                # OpenAPI 3.1 lets non-OAuth schemes list what they need: the key's scope.
                op["security"] = [{"bearerAuth": [route.scope]}, {"apiKey": [route.scope]}]
                op["x-scope"] = route.scope
        if route.raw and route.response is None:
            ok_schema: dict[str, Any] = {"type": "object"}
        else:
            data = _schema(route.response, components) if route.response else None
            ok_schema = _envelope(data)
        content = {"application/json": {"schema": ok_schema}}
        if route.produces is not None:
            content = {route.produces: {"schema": {"type": "string", "format": "binary"}}}
        responses: dict[str, Any] = {
            str(route.status): {"description": "Success", "content": content}
        }
        errors = dict(_ERROR_STATUSES)
        if route.charges:
            errors["402"] = "Payment required (the shortfall says how much)"
        for status, text in sorted(errors.items()):
            responses[status] = {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
            }
        op["responses"] = responses
        paths.setdefault(path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MinisPod API",
            "version": "1",
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a session's access token (JWT), or an API key (mpk_…)",
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
