"""The canonical, engine-neutral inventory: what every adapter returns and what WhaleFall stores and exports.

Every value is plain and hashable so that two reads of the same server state compare equal by value, sort the
same way and hash to the same fingerprint. Identifiers are kept raw and case-exact: never quoted, never folded.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

LEVELS = ("global", "server", "database", "schema", "table", "column", "routine", "sequence", "proxy", "default")
LEVEL_ORDER = {level: index for index, level in enumerate(LEVELS)}
STATES = ("GRANT", "DENY")
KINDS = ("user", "role")
REQUIRED_ATTRIBUTES = ("can_login", "superuser", "locked", "password_expired")

Extras = tuple[tuple[str, Any], ...]


def freeze_extras(values: Mapping[str, Any] | None) -> Extras:
    """Engine extras as a sorted tuple of pairs (hashable, deterministic); ``None`` values are dropped."""
    if not values:
        return ()
    return tuple(sorted((key, value) for key, value in values.items() if value is not None))


@dataclass(frozen=True, slots=True)
class Privilege:
    privilege: str
    level: str
    database: str | None = None
    schema: str | None = None
    object: str | None = None
    column: str | None = None
    grantable: bool = False
    state: str = "GRANT"
    extras: Extras = ()

    def __post_init__(self) -> None:
        if self.level not in LEVEL_ORDER:
            raise ValueError(f"unknown privilege level {self.level!r}")
        if self.state not in STATES:
            raise ValueError(f"unknown privilege state {self.state!r}")

    def sort_key(self) -> tuple:
        return (
            LEVEL_ORDER[self.level],
            self.database or "",
            self.schema or "",
            self.object or "",
            self.column or "",
            self.privilege,
            self.state,
            self.grantable,
            repr(self.extras),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "privilege": self.privilege,
            "level": self.level,
            "database": self.database,
            "schema": self.schema,
            "object": self.object,
            "column": self.column,
            "grantable": self.grantable,
            "state": self.state,
            "extras": dict(self.extras) or None,
        }


@dataclass(frozen=True, slots=True)
class RoleMembership:
    role: str
    role_host: str | None = None
    admin_option: bool = False
    default: bool = False
    extras: Extras = ()

    def sort_key(self) -> tuple:
        return (self.role, self.role_host or "", self.admin_option, self.default, repr(self.extras))

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "role_host": self.role_host,
            "admin_option": self.admin_option,
            "default": self.default,
            "extras": dict(self.extras) or None,
        }


@dataclass(frozen=True)
class AccountSnapshot:
    """One account as the server describes it, privileges and memberships sorted and de-duplicated."""

    name: str
    kind: str
    host: str | None = None
    attributes: Extras = ()
    privileges: tuple[Privilege, ...] = ()
    memberships: tuple[RoleMembership, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """Identity within an instance. Not the kind: a PostgreSQL role that gains LOGIN is the same account."""
        return (self.name, self.host or "")

    @property
    def attribute_map(self) -> dict[str, Any]:
        return dict(self.attributes)

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical state: equal fingerprints mean nothing to write.

        The repr of these frozen, sorted, plain-valued tuples is deterministic and far cheaper than JSON; a change
        of this encoding only makes the next sync rewrite unchanged accounts once, with no change-log rows.
        """
        state = (self.kind, self.name, self.host, self.attributes, self.privileges, self.memberships)
        return hashlib.sha256(repr(state).encode()).hexdigest()


def make_account(
    name: str,
    kind: str,
    attributes: Mapping[str, Any],
    privileges: Iterable[Privilege] = (),
    memberships: Iterable[RoleMembership] = (),
    host: str | None = None,
) -> AccountSnapshot:
    """Build a snapshot in canonical form: required attributes present, rows de-duplicated and sorted."""
    if kind not in KINDS:
        raise ValueError(f"unknown account kind {kind!r}")
    missing = [key for key in REQUIRED_ATTRIBUTES if key not in attributes]
    if missing:
        raise ValueError(f"account {name!r} lacks required attributes {missing}")
    return AccountSnapshot(
        name=name,
        kind=kind,
        host=host,
        attributes=tuple(sorted(attributes.items())),
        privileges=tuple(sorted(merge_grantable(privileges), key=Privilege.sort_key)),
        memberships=tuple(sorted(set(memberships), key=RoleMembership.sort_key)),
    )


def merge_grantable(privileges: Iterable[Privilege]) -> set[Privilege]:
    """The same privilege granted twice (e.g. by two grantors) is one row, grantable if either grant is."""
    unique = set(privileges)
    grantable = {_identity(p) for p in unique if p.grantable}
    if not grantable:
        return unique
    return {p for p in unique if p.grantable or _identity(p) not in grantable}


def _identity(p: Privilege) -> tuple:
    return (p.privilege, p.level, p.database, p.schema, p.object, p.column, p.state, p.extras)


@dataclass(frozen=True)
class UnreadablePart:
    """A part of the server that could not be read this time (a database refused by pg_hba, offline...).

    Its previously stored rows at ``levels`` within ``database`` are kept untouched, never revoked.
    """

    database: str
    levels: tuple[str, ...]
    error: str

    def covers(self, privilege: Privilege) -> bool:
        return privilege.database == self.database and privilege.level in self.levels

    def as_dict(self) -> dict[str, Any]:
        return {"database": self.database, "levels": list(self.levels), "error": self.error}


@dataclass
class Inventory:
    """Everything one read of one server produced."""

    engine: str
    server_version: str
    accounts: list[AccountSnapshot] = field(default_factory=list)
    unreadable: list[UnreadablePart] = field(default_factory=list)
    queries: int = 0
