async def test_health_answers_in_the_envelope(client):
    resp = await client.get("/health")
    body = await resp.json()
    assert resp.status == 200 and body["success"] is True


async def test_admin_signs_in(client, admin_headers):
    resp = await client.get("/api/v1/auth/profile", headers=admin_headers)
    assert (await resp.json())["data"]["role"] == "ADMINISTRATOR"
