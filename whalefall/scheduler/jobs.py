"""The effective job set: the file's definitions with what people changed (pause, trigger) applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from whalefall.core.logging import get_logger
from whalefall.scheduler.config import JobConfigError, JobDefinition, TriggerSpec, parse_trigger

if TYPE_CHECKING:
    from whalefall.models import ScheduledJob

log = get_logger(__name__)


@dataclass(frozen=True)
class EffectiveJob:
    definition: JobDefinition
    trigger: TriggerSpec
    paused: bool
    trigger_overridden: bool

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def runnable(self) -> bool:
        """Scheduled at all: enabled in the file and not paused by a person."""
        return self.definition.enabled and not self.paused


def effective_jobs(definitions: tuple[JobDefinition, ...], states: dict[str, ScheduledJob]) -> list[EffectiveJob]:
    jobs = []
    for definition in definitions:
        state = states.get(definition.id)
        trigger, overridden = definition.trigger, False
        if state is not None and state.trigger_override:
            try:
                trigger = parse_trigger(state.trigger_override, f"job {definition.id!r} (stored trigger)")
                overridden = True
            except JobConfigError as exc:
                log.warning("stored_trigger_ignored", job=definition.id, error=str(exc))
        jobs.append(EffectiveJob(definition, trigger, bool(state and state.paused), overridden))
    return jobs
