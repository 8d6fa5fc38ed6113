"""The console's forms: Flask-WTF checks their fields (and CSRFProtect every POST's token) before a service runs."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from whalefall.engines.registry import engine_names
from whalefall.models.user import ROLES

TRIGGER_KINDS = [
    SelectChoice("cron", "cron expression"),
    SelectChoice("interval", "interval (e.g. 15m, 2h, 1d)"),
    SelectChoice("file", "the jobs file's"),
]


def split_tags(text: str | None) -> tuple[str, ...]:
    return tuple(tag for tag in re.split(r"[,\s]+", text or "") if tag)


class InstanceForm(FlaskForm):
    name = StringField("Name", [DataRequired(), Length(max=128)])
    engine = SelectField("Engine", choices=list(engine_names()))
    host = StringField("Host", [DataRequired(), Length(max=255)])
    port = IntegerField("Port", [Optional(), NumberRange(1, 65535)], description="empty: the engine's default")
    database = StringField("Database", [Optional(), Length(max=128)], description="to connect to, if needed")
    username = StringField("Collector user", [DataRequired(), Length(max=256)])
    password = PasswordField("Password", [DataRequired(), Length(max=1024)])
    tags = StringField("Tags", [Optional(), Length(max=1000)], description="separated by commas or spaces")
    description = TextAreaField("Description", [Optional(), Length(max=2000)])


class InstanceEditForm(FlaskForm):
    host = StringField("Host", [DataRequired(), Length(max=255)])
    port = IntegerField("Port", [DataRequired(), NumberRange(1, 65535)])
    database = StringField("Database", [Optional(), Length(max=128)])
    tags = StringField("Tags", [Optional(), Length(max=1000)], description="separated by commas or spaces")
    description = TextAreaField("Description", [Optional(), Length(max=2000)])
    active = BooleanField("Synced (active)")


class CredentialForm(FlaskForm):
    username = StringField("Collector user", [DataRequired(), Length(max=256)])
    password = PasswordField("New password", [DataRequired(), Length(max=1024)])


class TriggerForm(FlaskForm):
    kind = SelectField("Trigger", choices=TRIGGER_KINDS)
    value = StringField("Value", [Optional(), Length(max=200)], description="e.g. 0 2 * * * or 15m")


class UserCreateForm(FlaskForm):
    username = StringField("User name", [DataRequired(), Length(max=64)])
    password = PasswordField("Password", [DataRequired(), Length(max=1024)])
    role = SelectField("Role", choices=list(ROLES), default="viewer")


class UserEditForm(FlaskForm):
    role = SelectField("Role", choices=list(ROLES))
    enabled = BooleanField("Enabled")
    password = PasswordField("New password", [Optional(), Length(max=1024)], description="empty: unchanged")


class TokenForm(FlaskForm):
    name = StringField("Token name", [DataRequired(), Length(max=128)], description="what uses it, e.g. ci-export")
    username = SelectField("For user", choices=[], validate_choice=False)
