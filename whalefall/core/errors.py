"""Exception types shared by every layer, so that entry points can map them to exit codes and HTTP statuses."""


class WhaleFallError(Exception):
    """Base class for errors that carry a message meant for a person, not a traceback."""


class ConfigError(WhaleFallError):
    """The environment does not describe a startable WhaleFall (missing secret, malformed URL...)."""


class NotFoundError(WhaleFallError):
    """A named object (instance, user, job...) does not exist."""


class ForbiddenError(WhaleFallError):
    """The user's role does not allow this particular change (the route itself was allowed)."""


class ConflictError(WhaleFallError):
    """The request clashes with existing state (duplicate name, sync already running...)."""


class ValidationError(WhaleFallError):
    """Input is malformed; the message says which field and why."""
