# Homeward in a container: slim Python, a non-root user, migrations then the server.
# Configure with environment variables (README.md "Configuration"); at least SECRET_KEY and,
# for more than one container, DATABASE_URL pointing at PostgreSQL. Several containers of this
# image run behind one proxy on one PostgreSQL (README.md "Several app servers",
# deploy/compose.yaml): every one shares SECRET_KEY, migrates under a database lock as it starts
# (the first migrates, the others wait and find it done), and trusts X-Forwarded-For only from
# the proxy's address (FORWARDED_ALLOW_IPS), since login throttling counts per client address.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOMEWARD_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000

RUN useradd --create-home --uid 10001 homeward
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable, so the command finds alembic.ini and migrations/ beside the code in /app.
RUN pip install -e . && mkdir -p /app/var && chown homeward:homeward /app/var

USER homeward
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/healthz', timeout=4)"
# exec: the server gets the container's stop signal and finishes its requests.
CMD ["sh", "-c", "homeward migrate && exec homeward serve"]
