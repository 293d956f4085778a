"""The web dashboard: one page at `/` and its scripts and styles, all shipped in this package.

The dashboard is a client of the public REST API like any other (it signs in with
the JWT pair and calls `/api/v1`); the server only hands it its files. They are
plain JavaScript modules and CSS written for it, so there is no build step and no
CDN: everything the page loads comes from this process, which the
Content-Security-Policy below enforces in the browser as well.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from controlplane.api.routing import Access, Call, Route

STATIC = Path(__file__).parent / "static"
ASSET_PREFIX = "/dashboard/assets/"
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

# Script only from this origin and never inline (a stored value the page shows cannot run),
# API calls only to this origin, no plugins, no <base> rewriting, no framing.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


@cache
def assets() -> dict[str, Path]:
    """The files the page may load, by name: what the package ships, nothing a path can reach."""
    return {p.name: p for p in STATIC.iterdir() if p.suffix in TYPES and p.is_file()}


async def page(call: Call[Any, Any]) -> web.Response:
    return web.Response(
        body=(STATIC / "index.html").read_bytes(),
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": PAGE_POLICY},
    )


async def asset(call: Call[Any, Any]) -> web.StreamResponse:
    path = assets().get(call.param("name"))
    if path is None:
        raise web.HTTPNotFound()
    # Revalidated on every load (aiohttp answers If-Modified-Since with 304): an upgraded
    # control plane never runs a page against the previous version's modules.
    return web.FileResponse(
        path,
        headers={
            "Content-Type": TYPES[path.suffix],
            "Cache-Control": "no-cache",
            "Content-Security-Policy": PAGE_POLICY,
        },
    )


ROUTES: list[Route] = [
    Route("GET", "/", page, Access.ANON, "Web dashboard", "dashboard", raw=True),
    Route(
        "GET",
        ASSET_PREFIX + "{name}",
        asset,
        Access.ANON,
        "Web dashboard scripts and styles",
        "dashboard",
        raw=True,
    ),
]
