#!/usr/bin/env bash
# Installs what the tests need (Debian packages included) and runs the whole suite:
# lint, type check, migrations check, OpenAPI diff, the core suite on SQLite and on PostgreSQL,
# browser tests in headless Chromium and schemathesis against the API.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
BIN="$VENV/bin"
PG_URL=${HELPLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/helpline}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-noto-core >/dev/null 2>&1 || need_apt+=(fonts-noto-core)
dpkg -s dovecot-imapd >/dev/null 2>&1 || need_apt+=(dovecot-imapd)
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null 2>&1 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

[ -x "$BIN/python" ] || "$PYTHON" -m venv "$VENV"
"$BIN/pip" install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$BIN/pip" install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true

export DJANGO_SETTINGS_MODULE=tests.settings
export PYTHONPATH=.

echo "== ruff"
"$BIN/ruff" check src tests bench

echo "== mypy"
"$BIN/mypy" src/helpline

echo "== migrations are complete"
"$BIN/python" -m django makemigrations --check --dry-run >/dev/null

if [ -f docs/openapi.json ]; then
  echo "== committed OpenAPI schema is current"
  "$BIN/python" -m django export_openapi | diff -u docs/openapi.json - >/dev/null \
    || { echo "docs/openapi.json is stale: run 'make schema' and commit it"; exit 1; }
fi

# Two cores: the non-browser runs use two pytest-xdist workers (each has its own test database).
WORKERS=${HELPLINE_TEST_WORKERS:-2}
status=0
echo "== core suite on SQLite (with schemathesis against the API)"
"$BIN/pytest" -q -n "$WORKERS" -m "not browser" tests || status=$?

echo "== browser tests in headless Chromium (real server, SQLite)"
"$BIN/pytest" -q -m browser tests || status=$?

echo "== core suite on PostgreSQL ($PG_URL)"
DATABASE_URL="$PG_URL" "$BIN/pytest" -q -n "$WORKERS" -m "not browser and not schema" tests || status=$?

exit $status
