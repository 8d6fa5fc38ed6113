"""/api/v1 writes: the permission matrix (every role, every write endpoint), instances, credentials, users."""

from __future__ import annotations

import pytest

from tests.test_api_jobs_sync import basic
from tests.test_tokens_audit import bearer
from whalefall.core.extensions import db
from whalefall.models import Instance
from whalefall.services.credentials import cipher
from whalefall.services.instances import InstanceInput, add_instance
from whalefall.services.users import create_user

NEW_INSTANCE = {"name": "pg-new", "engine": "postgresql", "host": "db.example", "username": "wf", "password": "S3cret!"}


@pytest.fixture
def world(app_context):
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        create_user(name, f"{name}-password", role)
    instance = add_instance(InstanceInput("pg1", "postgresql", "db1", 5432, "u", "p"))
    return {"instance": instance.id, **{n: basic(n, f"{n}-password") for n in ("ada", "otto", "vera")}}


# (method, path, body, lowest role allowed)
WRITES = [
    ("post", "/api/v1/instances", NEW_INSTANCE, "operator"),
    ("patch", "/api/v1/instances/{instance}", {"description": "primary"}, "operator"),
    ("post", "/api/v1/instances/{instance}/test", None, "operator"),
    ("delete", "/api/v1/instances/{instance}", None, "operator"),
    ("put", "/api/v1/instances/{instance}/credential", {"username": "wf2", "password": "n3w"}, "admin"),
    ("post", "/api/v1/users", {"username": "neo", "password": "long-enough", "role": "viewer"}, "admin"),
    ("patch", "/api/v1/users/{vera_id}", {"role": "operator"}, "admin"),
    ("post", "/api/v1/jobs/prune_history/pause", None, "admin"),
    ("post", "/api/v1/jobs/prune_history/resume", None, "admin"),
    ("patch", "/api/v1/jobs/prune_history", {"trigger": None}, "admin"),
    ("post", "/api/v1/jobs/prune_history/run", None, "admin"),
    ("post", "/api/v1/sync", {"instance_ids": []}, "operator"),
    ("post", "/api/v1/tokens", {"name": "mine"}, "viewer"),
]
RANK = {"viewer": 0, "operator": 1, "admin": 2}
USERS = {"viewer": "vera", "operator": "otto", "admin": "ada"}


@pytest.mark.parametrize(("method", "path", "body", "lowest"), WRITES)
@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_permission_matrix(client, world, role, method, path, body, lowest):
    from whalefall.models import User

    vera_id = db.session.query(User).filter_by(username="vera").one().id
    url = path.format(instance=world["instance"], vera_id=vera_id)
    response = getattr(client, method)(url, json=body, headers=world[USERS[role]])
    if RANK[role] >= RANK[lowest]:
        assert response.status_code in (200, 201, 202, 204), (url, response.get_json())
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_instance_lifecycle_and_write_only_passwords(client, world):
    created = client.post("/api/v1/instances", json={**NEW_INSTANCE, "tags": ["prod"]}, headers=world["otto"])
    assert created.status_code == 201
    body = created.get_json()
    assert body["port"] == 5432 and body["tags"] == ["prod"] and "S3cret!" not in created.get_data(as_text=True)
    # Moving an instance sends its stored password to the new address: operators may not, admins may.
    moved = client.patch(f"/api/v1/instances/{body['id']}", json={"port": 6432}, headers=world["otto"])
    assert moved.status_code == 403 and "needs the admin role" in moved.get_json()["error"]["message"]
    assert db.session.get(Instance, body["id"]).port == 5432
    updated = client.patch(f"/api/v1/instances/{body['id']}", json={"port": 6432, "active": False, "tags": []},
                           headers=world["ada"])  # fmt: skip
    assert (updated.get_json()["port"], updated.get_json()["active"], updated.get_json()["tags"]) == (6432, False, [])
    relabelled = client.patch(f"/api/v1/instances/{body['id']}", json={"port": 6432, "description": "x"},
                              headers=world["otto"])  # fmt: skip
    assert relabelled.status_code == 200  # the same address is not a move
    client.put(f"/api/v1/instances/{body['id']}/credential", json={"username": "wf9", "password": "Rotated-1"},
               headers=world["ada"])  # fmt: skip
    instance = db.session.get(Instance, body["id"])
    assert instance.credential.username == "wf9"
    assert cipher().decrypt(instance.credential.password_encrypted, "x") == "Rotated-1"
    assert client.get("/api/v1/tags", headers=world["vera"]).get_json() == {"items": ["prod"]}
    assert client.delete(f"/api/v1/instances/{body['id']}", headers=world["otto"]).status_code == 204
    assert client.get(f"/api/v1/instances/{body['id']}", headers=world["vera"]).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("post", "/api/v1/instances", {**NEW_INSTANCE, "name": "pg1"}, 409, "an instance named 'pg1' already exists"),
        ("post", "/api/v1/instances", {**NEW_INSTANCE, "host": "bad host;"}, 400, "is not a valid host name"),
        ("post", "/api/v1/instances", {**NEW_INSTANCE, "port": 70000}, 422, "Validation error"),
        ("post", "/api/v1/instances", {**NEW_INSTANCE, "engine": "db2"}, 422, "Validation error"),
        ("patch", "/api/v1/instances/{instance}", {"name": "renamed"}, 422, "Validation error"),
        ("patch", "/api/v1/instances/424242", {"port": 1}, 404, "no instance 424242"),
        ("post", "/api/v1/users", {"username": "ada", "password": "long-enough", "role": "viewer"}, 409,
         "a user named 'ada' already exists"),
        ("post", "/api/v1/users", {"username": "neo", "password": "short", "role": "viewer"}, 400,
         "password must be at least 8 characters"),
        ("patch", "/api/v1/users/{ada_id}", {"enabled": False}, 409, "you cannot disable yourself"),
    ],
)  # fmt: skip
def test_bad_writes_are_refused_and_change_nothing(client, world, method, path, body, status, message):
    from whalefall.models import User

    ada_id = db.session.query(User).filter_by(username="ada").one().id
    before = (client.get("/api/v1/instances", headers=world["vera"]).get_json(),
              client.get("/api/v1/users", headers=world["ada"]).get_json())  # fmt: skip
    response = getattr(client, method)(path.format(instance=world["instance"], ada_id=ada_id), json=body,
                                       headers=world["ada"])  # fmt: skip
    assert response.status_code == status, response.get_json()
    assert message in response.get_json()["error"]["message"]
    after = (client.get("/api/v1/instances", headers=world["vera"]).get_json(),
             client.get("/api/v1/users", headers=world["ada"]).get_json())  # fmt: skip
    assert after == before


def test_tokens_through_the_api(client, world):
    created = client.post("/api/v1/tokens", json={"name": "script"}, headers=world["vera"])
    assert created.status_code == 201
    secret = created.get_json()["token"]
    assert client.get("/api/v1/accounts", headers=bearer(secret)).status_code == 200
    mine = client.get("/api/v1/tokens", headers=world["vera"]).get_json()["items"]
    assert [t["name"] for t in mine] == ["script"] and "token" not in mine[0]
    foreign = client.post("/api/v1/tokens", json={"name": "x", "username": "ada"}, headers=world["vera"])
    assert foreign.status_code == 404
    assert client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=world["otto"]).status_code == 404  # not his
    assert client.delete(f"/api/v1/tokens/{mine[0]['id']}", headers=world["vera"]).status_code == 204
    assert client.get("/api/v1/accounts", headers=bearer(secret)).status_code == 401
