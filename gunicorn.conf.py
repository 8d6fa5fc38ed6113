"""Gunicorn settings for WhaleFall: ``gunicorn -c gunicorn.conf.py``. Everything tunable from the environment.

Logs go where the incident's runbook looks for them: <log dir>/gunicorn_error.log and gunicorn_access.log.
"""

import multiprocessing
import os
from pathlib import Path


def _log_dir() -> Path:
    data_dir = Path(os.environ.get("WHALEFALL_DATA_DIR") or "userdata").expanduser().resolve()
    log_dir = Path(os.environ.get("WHALEFALL_LOG_DIR") or data_dir / "logs").expanduser().resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir


wsgi_app = "whalefall.wsgi:app"
bind = os.environ.get("WHALEFALL_BIND", "0.0.0.0:5001")
workers = int(os.environ.get("WHALEFALL_WEB_WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("WHALEFALL_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WHALEFALL_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then; a sync interrupted by a recycle is marked failed, never left running.
max_requests = int(os.environ.get("WHALEFALL_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
preload_app = False  # each worker builds its own app: a broken import shows at boot, in the error log

errorlog = str(_log_dir() / "gunicorn_error.log")
accesslog = str(_log_dir() / "gunicorn_access.log")
loglevel = os.environ.get("WHALEFALL_GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
capture_output = False
forwarded_allow_ips = os.environ.get("WHALEFALL_FORWARDED_ALLOW_IPS", "127.0.0.1")
control_socket_disable = True  # gunicorn's runtime control socket is not used; keep no socket in $HOME
