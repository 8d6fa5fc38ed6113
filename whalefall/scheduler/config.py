"""Job definitions from YAML: loaded, validated with messages that name the job and the field, never half-applied.

The file shipped with the package (``scheduler/jobs.yaml``) is used unless ``WHALEFALL_JOBS_FILE`` names another.
Task names are checked against ``TASK_FUNCTIONS`` and each target is checked to exist — by reading the module's
source, not by importing it, so validation never imports a task.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from whalefall.core.errors import ValidationError
from whalefall.scheduler.registry import TASK_FUNCTIONS

DEFAULT_JOBS_FILE = Path(__file__).with_name("jobs.yaml")
CRON_FIELDS = ("second", "minute", "hour", "day", "month", "day_of_week", "week", "year")
CRONTAB_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
INTERVAL_FIELDS = ("weeks", "days", "hours", "minutes", "seconds")
JOB_KEYS = {"id", "task", "trigger", "enabled", "kwargs", "description"}


class JobConfigError(ValidationError):
    """The jobs file (or an edit of a trigger) is not valid; the message names the job and the field."""


@dataclass(frozen=True)
class TriggerSpec:
    """A cron or interval trigger as plain data: storable as JSON, buildable into an APScheduler trigger."""

    kind: str
    fields: tuple[tuple[str, Any], ...]

    def build(self, timezone: str):
        values = dict(self.fields)
        if self.kind == "cron":
            return CronTrigger(timezone=timezone, **values)
        return IntervalTrigger(timezone=timezone, **values)

    def as_dict(self) -> dict[str, Any]:
        return {self.kind: dict(self.fields)}

    def describe(self) -> str:
        if self.kind == "interval":
            return f"every {self.short_form}"
        return f"cron {self.short_form or ' '.join(f'{name}={value}' for name, value in self.fields)}"

    @property
    def short_form(self) -> str:
        """What one types to set this trigger (``0 1 * * *``, ``1h 30m``); empty for cron fields that no crontab
        line can say (seconds, weeks, years)."""
        if self.kind == "interval":
            return " ".join(f"{value}{name[0] if name != 'weeks' else 'w'}" for name, value in self.fields)
        values = dict(self.fields)
        if set(values) <= set(CRONTAB_FIELDS):
            return " ".join(str(values.get(name, "*")) for name in CRONTAB_FIELDS)
        return ""


@dataclass(frozen=True)
class JobDefinition:
    id: str
    task: str
    trigger: TriggerSpec
    description: str = ""
    enabled: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)


def jobs_file(environ: dict[str, str] | None = None) -> Path:
    import os

    configured = (environ if environ is not None else os.environ).get("WHALEFALL_JOBS_FILE")
    return Path(configured).expanduser() if configured else DEFAULT_JOBS_FILE


def load_jobs(path: Path | None = None) -> tuple[JobDefinition, ...]:
    """Read and validate every job of the file; the first error stops everything (nothing is half-applied)."""
    path = path or jobs_file()
    where = f"jobs file {path}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise JobConfigError(f"{where}: cannot be read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise JobConfigError(f"{where}: malformed YAML{position}: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("jobs"), list):
        raise JobConfigError(f"{where}: expected a mapping with a list under 'jobs'")
    jobs, seen = [], set()
    for index, entry in enumerate(document["jobs"], start=1):
        job = parse_job(entry, f"{where}: job #{index}")
        if job.id in seen:
            raise JobConfigError(f"{where}: job {job.id!r} is defined twice")
        seen.add(job.id)
        jobs.append(job)
    return tuple(jobs)


def parse_job(entry: Any, where: str) -> JobDefinition:
    if not isinstance(entry, dict):
        raise JobConfigError(f"{where}: expected a mapping")
    job_id = entry.get("id")
    if job_id is None or (isinstance(job_id, str) and not job_id.strip()):
        raise JobConfigError(f"{where}: 'id' is required (a non-empty string)")
    if not isinstance(job_id, str):
        raise JobConfigError(
            f"{where}: 'id' must be a string, got {job_id!r} (quote it: YAML reads off/no/yes as booleans)"
        )
    where = f"{where.rsplit(': job #', 1)[0]}: job {job_id!r}"
    unknown = sorted(set(entry) - JOB_KEYS)
    if unknown:
        raise JobConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(JOB_KEYS))})")
    task = entry.get("task")
    if not isinstance(task, str):
        raise JobConfigError(f"{where}: 'task' is required")
    check_task_target(task, where)
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise JobConfigError(f"{where}: 'enabled' must be true or false")
    kwargs = entry.get("kwargs") or {}
    if not isinstance(kwargs, dict) or not all(isinstance(key, str) for key in kwargs):
        raise JobConfigError(f"{where}: 'kwargs' must be a mapping of argument names to values")
    return JobDefinition(
        id=job_id,
        task=task,
        trigger=parse_trigger(entry.get("trigger"), where),
        description=str(entry.get("description") or ""),
        enabled=enabled,
        kwargs=kwargs,
    )


def parse_trigger(raw: Any, where: str) -> TriggerSpec:
    """``{cron: "0 1 * * *"}``, ``{cron: {hour: 1, minute: 0}}`` or ``{interval: {minutes: 15}}``."""
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("cron", "interval"):
        raise JobConfigError(f"{where}: 'trigger' must be {{cron: ...}} or {{interval: ...}}")
    kind, value = next(iter(raw.items()))
    return _parse_cron(value, where) if kind == "cron" else _parse_interval(value, where)


def _parse_cron(value: Any, where: str) -> TriggerSpec:
    if isinstance(value, str):
        parts = value.split()
        if len(parts) != len(CRONTAB_FIELDS):
            raise JobConfigError(
                f"{where}: trigger.cron {value!r}: expected 5 fields (minute hour day month day_of_week), "
                f"got {len(parts)}"
            )
        value = dict(zip(CRONTAB_FIELDS, parts, strict=True))
    if not isinstance(value, dict) or not value:
        raise JobConfigError(f"{where}: trigger.cron must be a crontab string or a mapping of cron fields")
    for name, field_value in value.items():
        if name not in CRON_FIELDS:
            raise JobConfigError(f"{where}: trigger.cron.{name}: unknown field (allowed: {', '.join(CRON_FIELDS)})")
        try:
            CronTrigger(**{name: str(field_value)}, timezone="UTC")
        except ValueError as exc:
            raise JobConfigError(f"{where}: trigger.cron.{name} = {field_value!r}: {exc}") from None
    ordered = tuple((name, str(value[name])) for name in CRON_FIELDS if name in value)
    return TriggerSpec("cron", ordered)


def _parse_interval(value: Any, where: str) -> TriggerSpec:
    if not isinstance(value, dict) or not value:
        raise JobConfigError(f"{where}: trigger.interval must be a mapping such as {{minutes: 15}}")
    for name, amount in value.items():
        if name not in INTERVAL_FIELDS:
            raise JobConfigError(
                f"{where}: trigger.interval.{name}: unknown unit (allowed: {', '.join(INTERVAL_FIELDS)})"
            )
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            raise JobConfigError(f"{where}: trigger.interval.{name} = {amount!r}: must be a positive number")
    spec = TriggerSpec("interval", tuple((name, value[name]) for name in INTERVAL_FIELDS if name in value))
    try:  # what APScheduler cannot build (an interval past datetime's range) must never reach the scheduler
        spec.build("UTC")
    except (OverflowError, ValueError) as exc:
        raise JobConfigError(f"{where}: trigger.interval {dict(spec.fields)}: out of range ({exc})") from None
    return spec


def check_task_target(task: str, where: str) -> None:
    """The task is registered, and its module defines the function — checked from source, without importing it."""
    target = TASK_FUNCTIONS.get(task)
    if target is None:
        raise JobConfigError(f"{where}: unknown task {task!r} (known tasks: {', '.join(sorted(TASK_FUNCTIONS))})")
    module_name, _, function_name = target.partition(":")
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise JobConfigError(f"{where}: task {task!r} points at {target!r}, whose module cannot be found")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    if function_name not in defined:
        raise JobConfigError(
            f"{where}: task {task!r} points at {target!r}, but the module defines no {function_name}()"
        )
