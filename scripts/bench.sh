#!/usr/bin/env bash
# `make bench`: every benchmark of the project, then one summary table.
#
#   make bench                      Helpline at 1,000,000 tickets; django-helpdesk at 100,000
#   BENCH_SCALE=small make bench    20,000 tickets on both sides: a quick look
#   BENCH_TICKETS=N PEER_TICKETS=M  explicit counts; BENCH_SKIP_PEER=1 leaves django-helpdesk out;
#   BENCH_REUSE=1                   keeps already generated databases of the right size;
#   BENCH_SKIP_OTHERS=1             runs only the ticket load, web and peer figures (not the other
#                                   benchmarks in bench/: reports, workflow, mail, chat, knowledge base).
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth). Databases: helpline_bench,
# helpline_bench_<peer scale> (when the peer runs at another scale), helpdesk_bench; with
# BENCH_SCALE=small helpline_bench_small and helpdesk_bench_small.
# Results: bench/results/*.json and bench/results/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PEER_VENV=bench/.venv-peer
# A small run gets its own databases, so a quick look never replaces the full-size data.
SUFFIX=$([ "${BENCH_SCALE:-full}" = small ] && echo _small || true)
DB=${BENCH_DATABASE:-helpline_bench$SUFFIX}
PEER_DB=${PEER_DATABASE:-helpdesk_bench$SUFFIX}
read -r HL_TICKETS PEER_TICKETS < <($PY -c 'from bench.scale import default_tickets as a, default_peer_tickets as b; print(a(), b())')

if ! $PY -c 'import psycopg; psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres").close()' 2>/dev/null; then
  echo "bench: PostgreSQL is not reachable at 127.0.0.1:5432 as user postgres" >&2
  exit 1
fi

generate() {  # database tickets
  if [ "${BENCH_REUSE:-0}" = 1 ] && $PY - "$1" "$2" <<'PY'
import json, sys, psycopg
from pathlib import Path
db, n = sys.argv[1], int(sys.argv[2])
result = Path(f"bench/results/generate-{db}.json")
try:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}") as conn:
        count = conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
except psycopg.Error:
    sys.exit(1)
sys.exit(0 if count == n and result.exists() else 1)
PY
  then
    echo "bench: reusing $1 ($2 tickets)"
  else
    $PY -m bench.generate --tickets "$2" --database "$1"
  fi
}

mkdir -p bench/results
# Figures of this run's databases only: a small run leaves the full run's results alone.
rm -f "bench/results/helpline-$DB.json" "bench/results/helpline-${DB}_$PEER_TICKETS.json" \
  "bench/results/peer-$PEER_DB.json" "bench/results/peer-load-$PEER_DB.json" bench/results/summary.md

echo "== Helpline: generate $HL_TICKETS tickets into $DB"
generate "$DB" "$HL_TICKETS"
echo "== Helpline: response times on $DB"
$PY -m bench.web_bench --database "$DB"

MATCHED=$DB
if [ "${BENCH_SKIP_PEER:-0}" != 1 ]; then
  if [ "$PEER_TICKETS" != "$HL_TICKETS" ]; then
    MATCHED="${DB}_${PEER_TICKETS}"
    echo "== Helpline at the peer's scale: generate $PEER_TICKETS tickets into $MATCHED"
    generate "$MATCHED" "$PEER_TICKETS"
    $PY -m bench.web_bench --database "$MATCHED"
  fi
  if [ ! -x "$PEER_VENV/bin/python" ] || ! "$PEER_VENV/bin/python" -c 'import helpdesk, psycopg, tqdm' 2>/dev/null; then
    echo "== django-helpdesk: creating $PEER_VENV"
    python3 -m venv "$PEER_VENV"
    "$PEER_VENV/bin/pip" install -q --upgrade pip
    "$PEER_VENV/bin/pip" install -q 'django-helpdesk==2.6.1' 'psycopg[binary]' tqdm
  fi
  echo "== django-helpdesk 2.6.1: load $PEER_TICKETS tickets from $MATCHED into $PEER_DB"
  PYTHONPATH=. "$PEER_VENV/bin/python" -m bench.peer_helpdesk.load --source "$MATCHED" --database "$PEER_DB" --tickets "$PEER_TICKETS"
  echo "== django-helpdesk 2.6.1: response times on $PEER_DB"
  PYTHONPATH=. "$PEER_VENV/bin/python" -m bench.peer_helpdesk.bench --database "$PEER_DB"
fi

# The project's other benchmarks, each at its own default scale or a small one with BENCH_SCALE=small.
# A failing one is reported and the run goes on. BENCH_SKIP_OTHERS=1 leaves them out.
OTHERS=()
other() {  # label, file, command...
  local label=$1 file=$2
  shift 2
  [ -f "$file" ] || return 0
  echo
  echo "== $label"
  if "$@"; then OTHERS+=("$label: ok"); else OTHERS+=("$label: FAILED (exit $?)"); fi
}
if [ "${BENCH_SKIP_OTHERS:-0}" != 1 ]; then
  if [ "${BENCH_SCALE:-full}" = small ]; then
    other "reports: dashboard KPIs on $DB" bench/reports_bench.py $PY -m bench.reports_bench --database "$DB" --repeat 3
    other "workflow: SLA re-evaluation and trigger overhead" bench/workflow_bench.py \
      $PY bench/workflow_bench.py --tickets 10000 --business 2000 --events 500
    other "mail: email ingest throughput" bench/mail_ingest.py $PY bench/mail_ingest.py --messages 300 --runs 1
    other "chat: concurrent live chats" bench/chat_bench.py env BENCH_CHATS=200 BENCH_CHAT_SECONDS=10 $PY -m bench.chat_bench
    other "knowledge base: retrieval on Banking77" bench/kb_bench.py $PY bench/kb_bench.py --limit 500 --cache bench/results/kb_train_vectors.npz
  else
    other "reports: dashboard KPIs on $DB" bench/reports_bench.py $PY -m bench.reports_bench --database "$DB"
    other "workflow: SLA re-evaluation and trigger overhead" bench/workflow_bench.py $PY bench/workflow_bench.py
    other "mail: email ingest throughput" bench/mail_ingest.py $PY bench/mail_ingest.py
    other "chat: concurrent live chats" bench/chat_bench.py $PY -m bench.chat_bench
    other "knowledge base: retrieval on Banking77" bench/kb_bench.py $PY bench/kb_bench.py --cache bench/results/kb_train_vectors.npz
  fi
fi

echo
echo "== Summary"
$PY -m bench.compare --helpline "$DB" --matched "$MATCHED" --peer "$PEER_DB"
if [ ${#OTHERS[@]} -gt 0 ]; then
  echo
  echo "Other benchmarks (figures printed above):"
  printf -- '- %s\n' "${OTHERS[@]}"
fi
