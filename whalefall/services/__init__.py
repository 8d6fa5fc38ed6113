"""Use cases: instances, credentials, users, account sync. They run inside an app context and own transactions."""
