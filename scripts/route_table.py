"""The route table of docs/api.md, made from the control plane's own route declarations.

Usage: .venv/bin/python scripts/route_table.py [--write]

Prints the Markdown table; with --write, replaces the table between the markers
in docs/api.md. tests/test_docs.py fails when the document and the routes differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from controlplane.api.routes import PREFIX, ROUTES  # noqa: E402
from controlplane.api.routing import Access  # noqa: E402

DOC = REPO / "docs" / "api.md"
BEGIN = "<!-- route table: scripts/route_table.py --write -->"
END = "<!-- end of route table -->"
CALLERS = {
    Access.ANON: "anyone",
    Access.USER: "signed-in user",
    Access.ADMIN: "administrator",
    Access.AGENT: "node token (own node)",
    Access.JOIN: "join token",
}


def render() -> str:
    lines = ["| method | path | caller | API key scope | what |", "|---|---|---|---|---|"]
    for route in ROUTES:
        path = route.path if route.raw else PREFIX + route.path
        summary = route.summary.replace("|", "\\|")
        signed_in = route.access in (Access.USER, Access.ADMIN)
        scope = f"`{route.scope}`" if route.scope else ("session only" if signed_in else "")
        lines.append(
            f"| {route.method} | `{path}` | {CALLERS[route.access]} | {scope} | {summary} |"
        )
    return "\n".join(lines)


def documented(text: str) -> str:
    """The table as docs/api.md has it now."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def main() -> None:
    table = render()
    if "--write" in sys.argv[1:]:
        text = DOC.read_text()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:])
    else:
        print(table)


if __name__ == "__main__":
    main()
