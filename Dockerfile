# The bot's container: the same install as `make install`, run as an unprivileged user.
#   docker compose up        (compose.yaml: PostgreSQL, three webhook workers, nginx)
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --create-home --home-dir /opt/fellowship fellowship
WORKDIR /opt/fellowship
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY schedules ./schedules
RUN pip install . && mkdir -p data && chown fellowship:fellowship data && chmod 700 data
USER fellowship
# Workers listen on all interfaces inside their container; only nginx is published.
ENV WEB_HOST=0.0.0.0 WEB_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=2).status != 200)"
CMD ["fellowship", "serve", "--no-migrate"]
