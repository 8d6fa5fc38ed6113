"""Login and logout: Flask-Login session cookie, CSRF-protected form, attempts rate-limited per client."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from whalefall.core.extensions import db, limiter
from whalefall.models._types import utcnow
from whalefall.services.audit import record
from whalefall.services.users import authenticate, has_users

pages = Blueprint(
    "pages", __name__, template_folder="../templates", static_folder="../static", static_url_path="/assets"
)
LOGIN_RATE = "10 per minute; 50 per hour"


class LoginForm(FlaskForm):
    username = StringField("User", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


@pages.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_RATE, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            record("login.failed", form.username.data, "web", outcome="denied", detail={"method": "form"})
            flash("Wrong user name or password.", "error")
            return render_template("login.html", form=form, first_run=not has_users()), 401
        user.last_login_at = utcnow()
        db.session.commit()
        login_user(user)
        record("login.succeeded", user.username, "web")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form=form, first_run=not has_users())


@pages.post("/logout")
@login_required
def logout():
    record("logout", current_user.username, "web")
    logout_user()
    return redirect(url_for("pages.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ?next= must not send a fresh login elsewhere. Browsers drop tabs and
    newlines and read a backslash as a slash, so paths holding control characters or backslashes are refused."""
    if (
        target
        and target.startswith("/")
        and not any(ord(char) < 0x20 or char in "\\\x7f" for char in target)
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("pages.dashboard")
