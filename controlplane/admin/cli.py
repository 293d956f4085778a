"""The commands of `minispod`, each one or two REST calls, and the exit codes scripts rely on.

Exit codes: 0 done; 1 the control plane refused (its message on stderr);
2 a usage error; 3 the control plane could not be reached; 4 not signed in.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import zstandard

from controlplane.admin.kube import Kube, KubeError
from controlplane.admin.output import FORMATS, emit
from controlplane.admin.session import TEAM_ENV, Client, NotSignedIn, Refused, Unreachable
from shared.snapshot_document import document

F = TypeVar("F", bound=Callable[..., Any])

NODE_COLUMNS = ("name", "status", "isSchedulable", "cpuCores", "totalMemory", "ipAddress", "id")
TOKEN_COLUMNS = ("id", "name", "uses", "maxUses", "expiresAt", "revokedAt")
INSTANCE_COLUMNS = ("id", "status", "reason", "nodeId", "url")
# How often `nodes drain --wait` asks whether instances are left on the node.
DRAIN_POLL = 1.0


def client() -> Client:
    return Client()


def output_option(command: F) -> F:
    return click.option(
        "--output",
        "-o",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="How to print the answer: a table, or JSON/YAML for scripts.",
    )(command)


def reported(command: F) -> F:
    """Turns the client's failures into one line on stderr and the documented exit code."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Refused as exc:
            click.echo(f"minispod: {exc}", err=True)
            sys.exit(1)
        except (Unreachable, KubeError) as exc:
            click.echo(f"minispod: {exc}", err=True)
            sys.exit(3)
        except NotSignedIn as exc:
            click.echo(f"minispod: {exc}", err=True)
            sys.exit(4)

    return run  # type: ignore[return-value]


@click.group()
@click.option(
    "--team",
    envvar=TEAM_ENV,
    help="Act in this team (its id): its apps, wallet and keys. Default: your own team.",
)
def main(team: str | None) -> None:
    """Manage a MinisPod control plane from the command line."""
    if team:
        os.environ[TEAM_ENV] = team


@main.command()
@click.option("--server", required=True, help="The control plane, e.g. https://minispod.example")
@click.option("--email", help="Sign in as this account (a password is asked for).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@click.option(
    "--api-key-stdin",
    is_flag=True,
    help="Use an API key (mpk_…) read from standard input instead of an account's password;"
    " MINISPOD_API_KEY works too.",
)
@reported
def login(server: str, email: str | None, password_stdin: bool, api_key_stdin: bool) -> None:
    """Sign in, or keep an API key; kept (mode 0600) under the user's config directory."""
    key = sys.stdin.readline().strip() if api_key_stdin else os.environ.get("MINISPOD_API_KEY")
    if key and email is None:
        profile = client().login_with_key(server, key)
        who = f"{profile['email']} ({profile['role']})" if profile else "its owner"
        click.echo(f"using an API key on {server}, acting for {who}")
        return
    if email is None:
        raise click.UsageError("give --email, or an API key (--api-key-stdin, MINISPOD_API_KEY)")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True)
    user = client().login(server, email, password)
    click.echo(f"signed in to {server} as {user['email']} ({user['role']})")


@main.command()
@reported
def logout() -> None:
    """End the session here and on the control plane."""
    client().logout()
    click.echo("signed out")


@main.command()
@output_option
@reported
def whoami(fmt: str) -> None:
    """The signed-in account."""
    emit(client().call("GET", "/auth/profile"), fmt, ("email", "name", "role", "id"))


def node_id(api: Client, name_or_id: str) -> str:
    """A node's id from its id or its exact name."""
    try:
        return str(uuid.UUID(name_or_id))
    except ValueError:
        pass
    page = api.call("GET", f"/workers?search={name_or_id}&limit=100")
    matches = [n for n in page["workers"] if n["name"] == name_or_id]
    if not matches:
        raise Refused(404, "NOT_FOUND", f"no node named {name_or_id!r}", [])
    return str(matches[0]["id"])


@main.group()
def nodes() -> None:
    """Worker nodes."""


@nodes.command("list")
@click.option("--status", help="Only nodes in this state (ACTIVE, INACTIVE, …).")
@click.option("--search", help="Name, hostname or address contains this.")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def nodes_list(status: str | None, search: str | None, limit: int, fmt: str) -> None:
    """List nodes (the first page of `limit`)."""
    query = f"/workers?limit={limit}"
    query += f"&status={status}" if status else ""
    query += f"&search={search}" if search else ""
    emit(client().call("GET", query)["workers"], fmt, NODE_COLUMNS)


@nodes.command("show")
@click.argument("node")
@output_option
@reported
def nodes_show(node: str, fmt: str) -> None:
    """One node, by name or id."""
    api = client()
    emit(api.call("GET", f"/workers/{node_id(api, node)}"), fmt)


def _schedulable(node: str, wanted: bool) -> None:
    api = client()
    found = node_id(api, node)
    current = api.call("GET", f"/workers/{found}")
    if current["isSchedulable"] != wanted:
        current = api.call("PATCH", f"/workers/{found}/schedulable")
    click.echo(f"{current['name']}: {'schedulable' if wanted else 'cordoned'}")


@nodes.command()
@click.argument("node")
@reported
def cordon(node: str) -> None:
    """Place no new instances on the node (those on it stay)."""
    _schedulable(node, False)


@nodes.command()
@click.argument("node")
@reported
def uncordon(node: str) -> None:
    """Let new instances be placed on the node again."""
    _schedulable(node, True)


@nodes.command()
@click.argument("node")
@click.option("--end", is_flag=True, help="End maintenance: the next heartbeat decides.")
@reported
def maintenance(node: str, end: bool) -> None:
    """Put the node in MAINTENANCE (its instances move elsewhere), or take it out."""
    api = client()
    status = "PENDING" if end else "MAINTENANCE"
    changed = api.call("PATCH", f"/workers/{node_id(api, node)}/status", {"status": status})
    click.echo(f"{changed['name']}: {changed['status']}")


@nodes.command()
@click.argument("node")
@click.option("--wait", is_flag=True, help="Return once no instance is left on the node.")
@click.option(
    "--timeout",
    type=click.FloatRange(1, 86_400),
    default=600,
    show_default=True,
    help="Seconds --wait waits before giving up (exit 1).",
)
@reported
def drain(node: str, wait: bool, timeout: float) -> None:
    """Cordon the node and put it in MAINTENANCE: the control plane moves its instances to
    other nodes at the eviction rate (as kubectl drain does with pods)."""
    _schedulable(node, False)
    api = client()
    found = node_id(api, node)
    changed = api.call("PATCH", f"/workers/{found}/status", {"status": "MAINTENANCE"})
    click.echo(f"{changed['name']}: {changed['status']}, its instances are moving")
    if not wait:
        return
    deadline = time.monotonic() + timeout
    while left := api.call("GET", f"/instances?nodeId={found}&limit=1")["pagination"]["total"]:
        if time.monotonic() > deadline:
            raise Refused(
                408, "TIMEOUT", f"{left} instance(s) still on {node} after {timeout:g} s", []
            )
        time.sleep(DRAIN_POLL)
    click.echo(f"{changed['name']}: drained")


@nodes.command()
@click.argument("node")
@reported
def release(node: str) -> None:
    """Free the node's name for a reinstalled agent; it keeps its history."""
    api = client()
    released = api.call("POST", f"/workers/{node_id(api, node)}/release")
    click.echo(f"{released['name']}: released; the next agent to register under it owns it")


@nodes.command()
@click.argument("node")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@reported
def delete(node: str, yes: bool) -> None:
    """Forget the node."""
    api = client()
    found = node_id(api, node)
    if not yes:
        click.confirm(f"Delete node {node}?", abort=True)
    api.call("DELETE", f"/workers/{found}")
    click.echo(f"{node}: deleted")


@main.group("join-tokens")
def join_tokens() -> None:
    """Cluster join tokens for agents."""


@join_tokens.command("create")
@click.option("--name", default="agents", show_default=True)
@click.option("--max-uses", type=click.IntRange(1), default=None)
@click.option("--expires-in-hours", type=click.FloatRange(min=0, min_open=True), default=None)
@reported
def join_tokens_create(name: str, max_uses: int | None, expires_in_hours: float | None) -> None:
    """Create a join token and print it (it is shown only this once)."""
    body: dict[str, Any] = {"name": name}
    if max_uses is not None:
        body["maxUses"] = max_uses
    if expires_in_hours is not None:
        body["expiresInHours"] = expires_in_hours
    click.echo(client().call("POST", "/workers/join-tokens", body)["token"])


@join_tokens.command("list")
@output_option
@reported
def join_tokens_list(fmt: str) -> None:
    """Join tokens, without their secrets."""
    emit(client().call("GET", "/workers/join-tokens")["joinTokens"], fmt, TOKEN_COLUMNS)


@join_tokens.command("revoke")
@click.argument("token_id")
@reported
def join_tokens_revoke(token_id: str) -> None:
    """Revoke a join token by id."""
    client().call("DELETE", f"/workers/join-tokens/{token_id}")
    click.echo(f"{token_id}: revoked")


@main.group()
def instances() -> None:
    """Service instances."""


@instances.command("list")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def instances_list(limit: int, fmt: str) -> None:
    """Instances (the first page of `limit`)."""
    emit(client().call("GET", f"/instances?limit={limit}")["instances"], fmt, INSTANCE_COLUMNS)


@instances.command("logs")
@click.argument("instance_id")
@click.option("--tail", type=click.IntRange(1, 1000), default=100, show_default=True)
@reported
def instances_logs(instance_id: str, tail: int) -> None:
    """Recent log lines of an instance."""
    for line in client().call("GET", f"/instances/{instance_id}/logs?tail={tail}")["lines"]:
        click.echo(line)


@instances.command("restart")
@click.argument("instance_id")
@reported
def instances_restart(instance_id: str) -> None:
    """Restart an instance's pod."""
    client().call("POST", f"/instances/{instance_id}/restart")
    click.echo(f"{instance_id}: restarting")


@main.group()
def users() -> None:
    """Accounts (administrators only)."""


@users.command("list")
@click.option("--search", help="Name or email contains this.")
@click.option("--role", type=click.Choice(("USER", "ADMINISTRATOR")))
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def users_list(search: str | None, role: str | None, limit: int, fmt: str) -> None:
    """Accounts (the first page of `limit`)."""
    query = f"/users?limit={limit}"
    query += f"&search={search}" if search else ""
    query += f"&role={role}" if role else ""
    emit(client().call("GET", query)["users"], fmt, ("email", "name", "role", "isActive", "id"))


@main.group()
def services() -> None:
    """The catalog."""


@services.command("list")
@output_option
@reported
def services_list(fmt: str) -> None:
    """Every catalog entry, active or not."""
    emit(
        client().call("GET", "/services?limit=100")["services"],
        fmt,
        ("slug", "name", "status", "category", "version", "id"),
    )


@main.group()
def subscriptions() -> None:
    """Subscriptions."""


@subscriptions.command("list")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def subscriptions_list(limit: int, fmt: str) -> None:
    """Subscriptions (the first page of `limit`), with their service's name and their
    subscriber's email beside the ids."""
    api = client()
    listed = api.call("GET", f"/subscriptions?limit={limit}")["subscriptions"]
    if listed:
        # One call for the catalog's first 100 entries; a service beyond them, or gone
        # from the catalog, shows its id.
        names = {s["id"]: s["name"] for s in api.call("GET", "/services?limit=100")["services"]}
        for sub in listed:
            sub["service"] = names.get(sub["serviceId"], sub["serviceId"])
            # Beside the API's own fields, not over them: `-o json` keeps their shape.
            sub["subscriberEmail"] = (sub.get("subscriber") or {}).get("email")
    emit(
        listed,
        fmt,
        ("id", "status", "subdomain", "service", "subscriberEmail", "currentPeriodEnd"),
    )


@subscriptions.command("cancel")
@click.argument("subscription_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--now",
    is_flag=True,
    help="Cancel at once (the instance is removed) instead of at the paid period's end.",
)
@reported
def subscriptions_cancel(subscription_id: str, yes: bool, now: bool) -> None:
    """Cancel a subscription at the end of its paid period, or at once with --now."""
    if not yes:
        when = "now" if now else "at the end of its period"
        click.confirm(f"Cancel subscription {subscription_id} {when}?", abort=True)
    done = client().call("POST", f"/subscriptions/{subscription_id}/cancel", {"immediately": now})
    until = f" (cancels at {done['cancelsAt']})" if done.get("cancelsAt") else ""
    click.echo(f"{subscription_id}: {done['status']}{until}")


SNAPSHOT_COLUMNS = ("id", "clusterName", "takenAt", "source", "size", "pinned", "kubernetesVersion")
# What an upload's file name says of its encoding (the body is sent as it is, unread).
ENCODINGS = {".gz": "gzip", ".zst": "zstd"}


@main.group()
def snapshots() -> None:
    """Cluster snapshots: upload, take, list, download, compare, delete."""


@snapshots.command("list")
@click.option("--cluster", help="Only this cluster's snapshots.")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def snapshots_list(cluster: str | None, limit: int, fmt: str) -> None:
    """Snapshots, newest first (the first page of `limit`)."""
    query = f"/snapshots?limit={limit}&sortOrder=desc"
    query += f"&cluster={urllib.parse.quote(cluster)}" if cluster else ""
    emit(client().call("GET", query)["snapshots"], fmt, SNAPSHOT_COLUMNS)


@snapshots.command("take")
@click.option(
    "--kubeconfig",
    type=click.Path(exists=True, dir_okay=False),
    help="Snapshot the cluster this kubeconfig reaches (from here) and upload it, instead"
    " of asking the control plane to snapshot its own.",
)
@click.option("--context", help="The kubeconfig's context (default: its current one).")
@click.option("--cluster-name", help="The name the snapshot files it under (default: the context).")
@output_option
@reported
def snapshots_take(
    kubeconfig: str | None, context: str | None, cluster_name: str | None, fmt: str
) -> None:
    """Snapshot a cluster now: the control plane's own (administrators), or any cluster
    with --kubeconfig, read from here and uploaded (Secrets by name only)."""
    if kubeconfig is None:
        if context or cluster_name:
            raise click.UsageError("--context and --cluster-name go with --kubeconfig")
        emit(client().call("POST", "/admin/snapshots"), fmt, SNAPSHOT_COLUMNS)
        return
    api = client()
    api.check_signed_in()  # before reading a whole cluster for nothing
    exported = Kube(kubeconfig, context).export()
    name = cluster_name or _cluster_name(exported.context)
    doc = document(
        exported.objects,
        exported.secret_names,
        exported.kubernetes_version,
        name,
        datetime.now(UTC),
    )
    body = zstandard.ZstdCompressor(level=6).compress(json.dumps(doc).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "zstd"}
    made = api.upload("/snapshots", io.BytesIO(body), len(body), headers)
    emit(made, fmt, SNAPSHOT_COLUMNS)


def _cluster_name(context: str) -> str:
    """A context's name as a cluster name may be spelled (lower case, letters, digits, dots
    and dashes)."""
    name = re.sub(r"[^a-z0-9.-]+", "-", context.lower()).strip("-.")
    return name[:63] or "cluster"


@snapshots.command("upload")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option
@reported
def snapshots_upload(document: Path, fmt: str) -> None:
    """Upload a snapshot document: JSON, or gzip/zstd compressed (by its .gz/.zst name)."""
    headers = {"Content-Type": "application/json"}
    encoding = ENCODINGS.get(document.suffix)
    if encoding:
        headers["Content-Encoding"] = encoding
    with document.open("rb") as source:
        made = client().upload("/snapshots", source, document.stat().st_size, headers)
    emit(made, fmt, SNAPSHOT_COLUMNS)


@snapshots.command("download")
@click.argument("snapshot_id")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: standard output).",
)
@click.option("--zst", is_flag=True, help="The stored zstd form instead of the JSON document.")
@reported
def snapshots_download(snapshot_id: str, target: Path | None, zst: bool) -> None:
    """Download a snapshot's document, streamed to a file or standard output."""
    path = f"/snapshots/{snapshot_id}/download" + ("?format=zst" if zst else "")
    if target is None:
        client().download(path, sys.stdout.buffer)
        return
    # Written beside the target and moved into place: a failed download leaves no
    # half-written file under the name asked for.
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as sink:
            client().download(path, sink)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"{snapshot_id}: written to {target}", err=True)


@snapshots.command("diff")
@click.argument("snapshot_id")
@click.argument("against_id")
@click.option("--limit", type=click.IntRange(1, 1000), default=200, show_default=True)
@output_option
@reported
def snapshots_diff(snapshot_id: str, against_id: str, limit: int, fmt: str) -> None:
    """What changed from AGAINST_ID to SNAPSHOT_ID: objects added, removed and changed."""
    diff = client().call("GET", f"/snapshots/{snapshot_id}/diff?against={against_id}&limit={limit}")
    if fmt != "table":
        emit(diff, fmt, ())
        return
    rows = [
        {"change": change, "kind": o["kind"], "namespace": o["namespace"] or "", "name": o["name"]}
        for change in ("added", "removed", "changed")
        for o in diff[change]
    ]
    emit(rows, fmt, ("change", "kind", "namespace", "name"))
    if diff["truncated"]:
        click.echo(f"(more changed objects than --limit {limit})", err=True)


@snapshots.command("delete")
@click.argument("snapshot_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@reported
def snapshots_delete(snapshot_id: str, yes: bool) -> None:
    """Delete a snapshot."""
    if not yes:
        click.confirm(f"Delete snapshot {snapshot_id}?", abort=True)
    client().call("DELETE", f"/snapshots/{snapshot_id}")
    click.echo(f"{snapshot_id}: deleted")


@main.group()
def billing() -> None:
    """Money: credits, invoices and the platform's figures."""


@billing.command("credit")
@click.argument("user_id")
@click.argument("amount", type=int)
@click.option("--reason", required=True, help="Why (kept in the ledger).")
@output_option
@reported
def billing_credit(user_id: str, amount: int, reason: str, fmt: str) -> None:
    """Credit a user's wallet AMOUNT minor units (negative: a correction)."""
    done = client().call(
        "POST", "/admin/billing/credits", {"userId": user_id, "amount": amount, "reason": reason}
    )
    emit(done, fmt, ("id", "type", "amount", "currency", "reason"))


@billing.command("stats")
@output_option
@reported
def billing_stats(fmt: str) -> None:
    """MRR, paying subscriptions, churn and what is owed (administrators)."""
    stats = client().call("GET", "/admin/billing/stats")
    if fmt != "table":
        emit(stats, fmt, ())
        return
    row = {
        "currency": stats["currency"],
        "mrr": stats["mrr"],
        "paying": stats["activePayingSubscriptions"],
        "churn30d": stats["churn"]["rate"],
        "pastDue": stats["pastDue"]["amount"],
    }
    emit([row], fmt, tuple(row))


@billing.command("invoices")
@click.option("--user", "user_id", help="One user's (administrators).")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
@output_option
@reported
def billing_invoices(user_id: str | None, limit: int, fmt: str) -> None:
    """Invoices and credit notes, newest first."""
    query = f"/billing/invoices?limit={limit}&sortOrder=desc"
    query += f"&userId={user_id}" if user_id else ""
    emit(
        client().call("GET", query)["invoices"],
        fmt,
        ("number", "kind", "total", "currency", "issuedAt", "id"),
    )


@billing.command("invoice-pdf")
@click.argument("invoice_id")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path))
@reported
def billing_invoice_pdf(invoice_id: str, target: Path) -> None:
    """Save an invoice's PDF."""
    with target.open("wb") as sink:
        client().download(f"/billing/invoices/{invoice_id}/pdf", sink)
    click.echo(f"{invoice_id}: written to {target}", err=True)
