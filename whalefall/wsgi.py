"""WSGI entry point for Gunicorn: ``gunicorn -c gunicorn.conf.py whalefall.wsgi:app``.

The web workers do not run the scheduler unless ``WHALEFALL_SCHEDULER=1``; production runs it as its own
process (``whalefall scheduler``), see docs/deployment.md.
"""

from whalefall.app import create_app

app = create_app()
