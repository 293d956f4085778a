"""The OpenAPI document and a Swagger UI page whose assets are served from this process.

Swagger UI 5 (from the swagger-ui-py package, which ships its built assets) is
the first major that renders OpenAPI 3.1; no CDN is asked for anything.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from aiohttp import web

from controlplane.api.routing import Access, Call, Route

SPEC = web.AppKey("openapi_spec", dict)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MinisPod API</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body></html>
"""
# Kept out of the page itself so a strict Content-Security-Policy can forbid inline script.
INIT = 'window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#ui"});\n'


ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
# Only what this process serves: the page cannot pull script or style from anywhere
# else, and Swagger UI's inline styles and data: icons are all it needs beyond that.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'"
)


def swagger_assets() -> Path:
    # Found without importing the package, whose __init__ loads its framework adapters.
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


async def openapi(call: Call[Any, Any]) -> web.Response:
    return web.json_response(call.request.app[SPEC])


async def docs_page(call: Call[Any, Any]) -> web.Response:
    return web.Response(
        text=PAGE, content_type="text/html", headers={"Content-Security-Policy": PAGE_POLICY}
    )


async def docs_init(call: Call[Any, Any]) -> web.Response:
    return web.Response(text=INIT, content_type="application/javascript")


async def docs_asset(call: Call[Any, Any]) -> web.StreamResponse:
    name = call.param("name")
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return web.FileResponse(swagger_assets() / name, headers={"Cache-Control": "max-age=86400"})


ROUTES: list[Route] = [
    Route("GET", "/api/v1/openapi.json", openapi, Access.ANON, "This document", "docs", raw=True),
    Route("GET", "/api/docs", docs_page, Access.ANON, "API docs page", "docs", raw=True),
    Route(
        "GET",
        "/api/docs/assets/init.js",
        docs_init,
        Access.ANON,
        "Docs page script",
        "docs",
        raw=True,
    ),
    Route(
        "GET",
        "/api/docs/assets/{name}",
        docs_asset,
        Access.ANON,
        "Docs page assets",
        "docs",
        raw=True,
    ),
]
