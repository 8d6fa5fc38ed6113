"""WhaleFall: an always-current inventory of every database account and privilege.

This root module deliberately imports nothing of ours: importing ``whalefall`` must never
pull in the app, the scheduler or a task (see docs/architecture.md and the import contracts).
"""

__version__ = "0.1.0"
