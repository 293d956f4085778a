"""The OpenAPI document describes every route, and the docs page works with no CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from controlplane.api.pipeline import UNMATCHED
from controlplane.api.routes import PREFIX, ROUTES

SPEC = "/api/v1/openapi.json"


async def spec_of(client: TestClient) -> dict[str, Any]:
    resp = await client.get(SPEC)
    assert resp.status == 200
    assert resp.content_type == "application/json"
    return dict(await resp.json())


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs_in(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs_in(value)]
    return []


async def test_the_document_is_openapi_3_1(client: TestClient) -> None:
    spec = await spec_of(client)
    assert spec["openapi"].startswith("3.1.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        assert path.startswith("/")
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}, (path, method)
            assert operation["responses"], (path, method)
            assert operation["summary"], (path, method)
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


async def test_every_schema_is_valid_json_schema_and_every_ref_resolves(
    client: TestClient,
) -> None:
    spec = await spec_of(client)
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert name
    for ref in refs_in(spec):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref


async def test_every_served_route_is_in_the_document(client: TestClient) -> None:
    spec = await spec_of(client)
    missing = []
    for route in client.app.router.routes():
        if route.method == "HEAD":
            continue  # aiohttp adds HEAD beside every GET
        if route.name == UNMATCHED:
            continue  # the fallback answers what no route takes (404, 405, CORS preflight)
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        assert path, route
        if route.method.lower() not in spec["paths"].get(path, {}):
            missing.append(f"{route.method} {path}")
    assert not missing, f"routes missing from the OpenAPI document: {missing}"


async def test_path_parameters_are_declared(client: TestClient) -> None:
    spec = await spec_of(client)
    for path, operations in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, path


async def test_every_route_with_a_body_declares_its_schema(client: TestClient) -> None:
    spec = await spec_of(client)
    schemas = spec["components"]["schemas"]
    with_body = [r for r in ROUTES if r.body is not None or r.streamed is not None]
    assert with_body
    for route in with_body:
        path = route.path if route.raw else PREFIX + route.path
        operation = spec["paths"][path][route.method.lower()]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schemas[schema["$ref"].rsplit("/", 1)[1]]["type"] == "object", path
    # Routes that take no body say so by having none; a signed webhook's body is the
    # provider's, declared as an object and its signature header.
    for route in ROUTES:
        if route.signature_header is not None:
            operation = spec["paths"][PREFIX + route.path][route.method.lower()]
            assert "requestBody" in operation, route.path
            assert route.signature_header in [p["name"] for p in operation["parameters"]]
        elif route.body is None and route.streamed is None:
            path = route.path if route.raw else PREFIX + route.path
            assert "requestBody" not in spec["paths"][path][route.method.lower()], path


async def test_the_register_schema_uses_the_wire_names(client: TestClient) -> None:
    spec = await spec_of(client)
    operation = spec["paths"]["/api/v1/auth/register"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"name", "email", "password", "confirmPassword"}
    assert schema["additionalProperties"] is False
    assert "201" in operation["responses"]
    assert "400" in operation["responses"]


async def test_admin_routes_declare_bearer_security_and_query_parameters(
    client: TestClient,
) -> None:
    spec = await spec_of(client)
    listing = spec["paths"]["/api/v1/users"]["get"]
    # A session's token, or an API key holding the route's scope (by either header).
    assert listing["security"] == [{"bearerAuth": ["admin:read"]}, {"apiKey": ["admin:read"]}]
    assert listing["x-scope"] == "admin:read"
    keys = spec["paths"]["/api/v1/api-keys"]["post"]
    assert keys["security"] == [{"bearerAuth": []}] and "x-scope" not in keys
    params = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"page", "limit", "search", "role", "isActive", "sortBy", "sortOrder"} <= params
    assert "security" not in spec["paths"]["/api/v1/auth/login"]["post"]


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.links.append(value)


async def test_the_docs_page_uses_only_assets_served_here(client: TestClient) -> None:
    resp = await client.get("/api/docs")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    parser = _AssetLinks()
    parser.feed(await resp.text())
    assert len(parser.links) >= 2
    for link in parser.links:
        assert link.startswith("/") and not link.startswith("//"), link
        asset = await client.get(link)
        assert asset.status == 200, link
        assert len(await asset.read()) > 0, link
    scripts = [link for link in parser.links if link.endswith(".js")]
    init = [await (await client.get(s)).text() for s in scripts]
    assert any(SPEC in text for text in init), "the page never loads the spec"


async def test_an_unknown_docs_asset_is_an_enveloped_404(client: TestClient) -> None:
    resp = await client.get("/api/docs/assets/../../etc/passwd")
    assert resp.status == 404
    resp = await client.get("/api/docs/assets/nope.js")
    assert resp.status == 404
    assert (await resp.json())["code"] == "NOT_FOUND"


async def test_subscribing_documents_402_with_the_shortfall(client: TestClient) -> None:
    spec = await spec_of(client)
    subscribe = spec["paths"]["/api/v1/subscriptions"]["post"]["responses"]
    assert "402" in subscribe
    assert "402" not in spec["paths"]["/api/v1/subscriptions"]["get"]["responses"]
    assert "shortfall" in spec["components"]["schemas"]["Error"]["properties"]
