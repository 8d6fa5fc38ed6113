"""Liveness and readiness probes. Open without login: they reveal nothing but up/down."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from whalefall.core.extensions import db
from whalefall.core.logging import get_logger

health = Blueprint("health", __name__)
log = get_logger(__name__)


@health.get("/healthz")
def healthz():
    """The process is alive and serving; says nothing about the database."""
    return jsonify(status="ok")


@health.get("/readyz")
def readyz():
    """Ready when the app database answers; 503 otherwise, with a reason that holds no secret."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("readiness_failed", error=type(exc).__name__)
        return jsonify(status="unavailable", reason="database unreachable"), 503
    finally:
        db.session.remove()
    return jsonify(status="ready", database="ok")
