"""The dashboard: instances by engine and health, last sync per instance, failures, recent privilege changes."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from whalefall.services.dashboard import summary
from whalefall.web.pages.auth import pages


@pages.get("/")
@login_required
def dashboard():
    return render_template("dashboard.html", data=summary())
