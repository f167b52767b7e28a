# Homeward in a container: slim Python, a non-root user, migrations then the server.
# Configure with environment variables (README.md "Configuration"); at least SECRET_KEY and,
# for more than one container, DATABASE_URL pointing at PostgreSQL.
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
CMD ["sh", "-c", "homeward migrate && homeward serve"]
