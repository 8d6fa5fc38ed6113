"""/api/v1 writes: instances and their credentials, tags, users and API tokens.

Roles: operators edit instances and test connections; admins also manage credentials and users; every user
manages their own tokens (admins everyone's). Passwords are write-only: no response ever contains one.
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, String
from apiflask.validators import Length, OneOf, Range

from whalefall.core.errors import NotFoundError
from whalefall.engines.base import EngineError
from whalefall.engines.registry import engine_names
from whalefall.models.user import ROLES
from whalefall.services import instances as instance_service
from whalefall.services import tokens as token_service
from whalefall.services import users as user_service
from whalefall.web.api.blueprint import api, auth, current_user, current_username

PORT = Range(min=1, max=65535)


class InstanceCreate(Schema):
    name = String(required=True, validate=Length(min=1, max=128))
    engine = String(required=True, validate=OneOf(engine_names()))
    host = String(required=True, validate=Length(min=1, max=255))
    port = Integer(validate=PORT, load_default=None)
    database = String(load_default=None, validate=Length(max=128))
    username = String(required=True, validate=Length(min=1, max=256))
    password = String(required=True, load_only=True, validate=Length(min=1, max=1024))
    tags = List(String(validate=Length(min=1, max=64)), load_default=list)
    description = String(load_default=None, validate=Length(max=2000))


class InstanceUpdate(Schema):
    host = String(validate=Length(min=1, max=255))
    port = Integer(validate=PORT)
    database = String(allow_none=True, validate=Length(max=128))
    description = String(allow_none=True, validate=Length(max=2000))
    tags = List(String(validate=Length(min=1, max=64)))
    active = Boolean()


class CredentialUpdate(Schema):
    username = String(required=True, validate=Length(min=1, max=256))
    password = String(required=True, load_only=True, validate=Length(min=1, max=1024))


class UserCreate(Schema):
    username = String(required=True, validate=Length(min=1, max=64))
    password = String(required=True, load_only=True, validate=Length(min=1, max=1024))
    role = String(required=True, validate=OneOf(ROLES))


class UserUpdate(Schema):
    role = String(validate=OneOf(ROLES))
    enabled = Boolean()
    password = String(load_only=True, validate=Length(min=1, max=1024))


class TokenCreate(Schema):
    name = String(required=True, validate=Length(min=1, max=128))
    username = String(load_default=None, metadata={"description": "Admins only: create for another user"})


@api.post("/instances")
@api.auth_required(auth, roles=["operator"])
@api.input(InstanceCreate, arg_name="body")
@api.doc(summary="Register an instance (the password is stored encrypted, never returned)")
def create_instance(body: dict):
    data = instance_service.InstanceInput(**{**body, "tags": tuple(body["tags"])})
    instance = instance_service.add_instance(data, actor=current_username())
    return instance_service.instance_summary(instance), 201


@api.get("/instances/<int:instance_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="One instance")
def get_instance(instance_id: int):
    return instance_service.instance_summary(instance_service.instance_by_id(instance_id))


@api.patch("/instances/<int:instance_id>")
@api.auth_required(auth, roles=["operator"])
@api.input(InstanceUpdate, arg_name="body")
@api.doc(
    summary="Change an instance's address (admin: it moves the stored credential), database, description, "
    "tags or active flag"
)
def update_instance(instance_id: int, body: dict):
    may_move = "admin" in user_service.roles_of(current_user())
    instance = instance_service.update_instance(instance_id, body, current_username(), may_move_credential=may_move)
    return instance_service.instance_summary(instance)


@api.delete("/instances/<int:instance_id>")
@api.auth_required(auth, roles=["operator"])
@api.doc(summary="Remove an instance: no longer synced; its accounts and history are kept")
def delete_instance(instance_id: int):
    instance = instance_service.instance_by_id(instance_id)
    instance_service.remove_instance(instance.name, actor=current_username())
    return "", 204


@api.post("/instances/<int:instance_id>/test")
@api.auth_required(auth, roles=["operator"])
@api.doc(summary="Connect and report the server version, or the precise connection error")
def test_instance(instance_id: int):
    instance = instance_service.instance_by_id(instance_id)
    try:
        info = instance_service.check_connection(instance.name)
    except EngineError as exc:
        return {"ok": False, "kind": exc.kind, "message": exc.message}
    return {"ok": True, "version": info.version, "elapsed_ms": info.elapsed_ms}


@api.put("/instances/<int:instance_id>/credential")
@api.auth_required(auth, roles=["admin"])
@api.input(CredentialUpdate, arg_name="body")
@api.doc(summary="Replace the credential WhaleFall uses for an instance (write-only password)")
def put_credential(instance_id: int, body: dict):
    instance = instance_service.set_credential(instance_id, body["username"], body["password"], current_username())
    return instance_service.instance_summary(instance)


@api.get("/tags")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="Every tag in use")
def get_tags():
    return {"items": instance_service.list_tags()}


@api.get("/users")
@api.auth_required(auth, roles=["admin"])
@api.doc(summary="WhaleFall's users")
def get_users():
    return {"items": [user_service.user_summary(user) for user in user_service.list_users()]}


@api.post("/users")
@api.auth_required(auth, roles=["admin"])
@api.input(UserCreate, arg_name="body")
@api.doc(summary="Create a user")
def create_user(body: dict):
    user = user_service.create_user(body["username"], body["password"], body["role"], actor=current_username())
    return user_service.user_summary(user), 201


@api.patch("/users/<int:user_id>")
@api.auth_required(auth, roles=["admin"])
@api.input(UserUpdate, arg_name="body")
@api.doc(summary="Change a user's role, enabled flag or password")
def update_user(user_id: int, body: dict):
    return user_service.user_summary(user_service.update_user(user_id, body, actor=current_username()))


@api.get("/tokens")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="Your API tokens (admins: everyone's); never their secret")
def get_tokens():
    owner = None if "admin" in user_service.roles_of(current_user()) else current_username()
    return {"items": [_token(token) for token in token_service.list_tokens(owner)]}


@api.post("/tokens")
@api.auth_required(auth, roles=["viewer"])
@api.input(TokenCreate, arg_name="body")
@api.doc(summary="Create an API token; its secret is in this response and nowhere else, ever")
def create_token(body: dict):
    username = body.get("username") or current_username()
    if username != current_username() and "admin" not in user_service.roles_of(current_user()):
        raise NotFoundError(f"no user named {username!r}")
    token, plaintext = token_service.create_token(username, body["name"], actor=current_username())
    return {**_token(token), "token": plaintext}, 201


@api.delete("/tokens/<int:token_id>")
@api.auth_required(auth, roles=["viewer"])
@api.doc(summary="Revoke an API token (yours; admins: anyone's)")
def revoke_token(token_id: int):
    owner = None if "admin" in user_service.roles_of(current_user()) else current_username()
    token_service.revoke_token(token_id, actor=current_username(), owner=owner)
    return "", 204


def _token(token) -> dict:
    return {
        "id": token.id,
        "user": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked_at is not None,
    }
