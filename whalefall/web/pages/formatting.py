"""How a privilege change reads on a page: "UPDATE (phone) on shop.customers" rather than its JSON."""

from __future__ import annotations

from typing import Any

from whalefall.web.pages.auth import pages


@pages.app_template_filter("change_text")
def change_text(detail: dict[str, Any] | None, change_type: str) -> str:
    if not detail:
        return ""
    if change_type.startswith("privilege_"):
        return privilege_text(detail)
    if change_type.startswith("role_"):
        role = detail.get("role", "?") + (f"@{detail['role_host']}" if detail.get("role_host") else "")
        return role + (" with admin option" if detail.get("admin_option") else "")
    if change_type == "attribute_changed":
        return f"{detail.get('attribute')}: {detail.get('old')} → {detail.get('new')}"
    return ", ".join(f"{key}: {_value(value)}" for key, value in sorted(detail.items()))


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def privilege_text(p: dict[str, Any]) -> str:
    target = ".".join(str(p[part]) for part in ("database", "schema", "object") if p.get(part)) or p.get("level", "")
    text = f"{p.get('privilege')}{' (' + p['column'] + ')' if p.get('column') else ''} on {target}"
    if p.get("state") and p["state"] != "GRANT":
        text = f"{p['state']} {text}"
    return text + (" with grant option" if p.get("grantable") else "")
