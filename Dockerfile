# WhaleFall production image: Gunicorn by default, `whalefall scheduler` for the scheduler service.
# Not built in this project's CI (no Docker engine there): keep it correct by reading, see docs/deployment.md.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY whalefall ./whalefall
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WHALEFALL_ENV=production \
    WHALEFALL_DATA_DIR=/app/userdata \
    WHALEFALL_BIND=0.0.0.0:5001
RUN groupadd --system --gid 10001 whalefall \
    && useradd --system --uid 10001 --gid whalefall --home-dir /app --shell /usr/sbin/nologin whalefall
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY gunicorn.conf.py /app/gunicorn.conf.py
RUN mkdir -p /app/userdata/logs && chown -R whalefall:whalefall /app/userdata
USER whalefall
VOLUME ["/app/userdata"]
EXPOSE 5001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:5001/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py"]
