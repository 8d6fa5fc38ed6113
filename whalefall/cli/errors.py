"""Mapping of WhaleFall errors to CLI messages: bad input exits 2 with one line, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from whalefall.core.errors import WhaleFallError

F = TypeVar("F", bound=Callable[..., Any])

BAD_INPUT = 2
FAILED = 1


class CommandError(click.ClickException):
    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def reports_errors(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except WhaleFallError as exc:
            raise CommandError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]
