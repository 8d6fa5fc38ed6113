"""The job scheduler. It knows tasks only by name (``registry.TASK_FUNCTIONS``) and never imports a task module
until a job actually runs: this is the fix for the import-cycle outage recorded in shared/seeds."""
