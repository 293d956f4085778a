"""Input that is well-formed JSON but that our databases or encoder cannot hold gets a 400 that
names the field, the same on SQLite and PostgreSQL, and changes nothing."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import bearer
from tests.controlplane.api.test_catalog import service
from tests.controlplane.api.test_errors import error_envelope
from tests.controlplane.api.test_workers import FACTS, HEALTHY, join_token, register, sample

API = "/api/v1"
TOO_BIG = 2**64


def fields_of(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body["errors"]]


async def fleet_size(client: TestClient, admin: dict[str, str]) -> int:
    body = await (await client.get(f"{API}/workers", headers=admin)).json()
    return int(body["data"]["pagination"]["total"])


async def test_a_nul_in_a_registration_is_refused_by_field_and_registers_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    token = await join_token(client, admin_headers)
    for facts, field in (
        ({"hostname": "host\u0000name"}, "hostname"),
        ({"labels": {"zone": "a\u0000b"}}, "labels.zone"),
        ({"labels": {"zo\u0000ne": "a"}}, "labels.zo\u0000ne"),
    ):
        resp = await client.post(
            f"{API}/agent/register", json={**FACTS, **facts}, headers=bearer(token)
        )
        body = await error_envelope(resp, 400, "VALIDATION_ERROR")
        assert fields_of(body) == [field]
    assert await fleet_size(client, admin_headers) == 0


async def test_a_nul_in_a_heartbeat_or_a_search_is_refused_by_field(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    node = await register(client, await join_token(client, admin_headers))
    conditions = [{**HEALTHY[0], "reason": "kubelet\u0000ok"}]
    resp = await client.post(
        f"{API}/workers/{node['nodeId']}/heartbeat",
        json={"sample": sample(1), "conditions": conditions},
        headers=bearer(node["nodeToken"]),
    )
    assert fields_of(await error_envelope(resp, 400, "VALIDATION_ERROR")) == ["conditions.0.reason"]
    resp = await client.get(f"{API}/workers?search=a%00b", headers=admin_headers)
    assert fields_of(await error_envelope(resp, 400, "VALIDATION_ERROR")) == ["search"]
    resp = await client.post(
        f"{API}/auth/register",
        json={
            "name": "Nul\u0000Person",
            "email": "nul@example.com",
            "password": "Str0ng!Passw0rd",
            "confirmPassword": "Str0ng!Passw0rd",
        },
    )
    assert fields_of(await error_envelope(resp, 400, "VALIDATION_ERROR")) == ["name"]


async def test_an_integer_beyond_64_bits_is_refused_by_field_and_stores_nothing(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    toleration = {"key": "k", "operator": "Exists", "tolerationSeconds": TOO_BIG}
    body = service("Huge Numbers")
    body["template"]["tolerations"] = [toleration]
    resp = await client.post(f"{API}/services", json=body, headers=admin_headers)
    problem = await error_envelope(resp, 400, "VALIDATION_ERROR")
    assert fields_of(problem) == ["template.tolerations.0.tolerationSeconds"]
    listing = await (await client.get(f"{API}/services", headers=admin_headers)).json()
    assert all(s["name"] != "Huge Numbers" for s in listing["data"]["services"])

    node = await register(client, await join_token(client, admin_headers))
    resp = await client.post(
        f"{API}/workers/{node['nodeId']}/heartbeat",
        json={"sample": {**sample(1), "seq": TOO_BIG}, "conditions": HEALTHY},
        headers=bearer(node["nodeToken"]),
    )
    assert fields_of(await error_envelope(resp, 400, "VALIDATION_ERROR")) == ["sample.seq"]


async def test_a_long_number_inside_a_string_is_not_mistaken_for_an_integer(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    token = await join_token(client, admin_headers)
    node = await register(client, token, labels={"serial": "1234567890123456789012345"})
    assert node["nodeId"]


async def test_a_path_with_an_encoded_newline_is_an_enveloped_404(client: TestClient) -> None:
    resp = await client.get(f"{API}/no%0Asuch")
    await error_envelope(resp, 404, "NOT_FOUND")
