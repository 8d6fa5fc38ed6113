"""Job bodies. Each runs inside an app context opened by its caller and calls services.

This package has no import side effects and imports none of its modules: the scheduler knows tasks only as
``"module:function"`` strings in ``whalefall.scheduler.registry.TASK_FUNCTIONS`` and loads them on first use.
"""

__all__: list[str] = []
