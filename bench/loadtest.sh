#!/usr/bin/env bash
# make loadtest: the deadline day. The large municipality on PostgreSQL behind gunicorn (4 sync
# workers, DEBUG off) and 2 report workers (db_worker); locust runs the write journeys
# (bench/locustfile.py) from another process while, after LOADTEST_BURST_DELAY seconds, every
# committee of an occasion is published within a minute (bench/burst.py). Afterwards
# bench/lostupdates.py compares every kept save with the database and its history, and
# bench/loadtest_summary.py prints each figure beside its target and writes
# bench/results/loadtest-*.json. Not part of `make test`.
#
# The large municipality is seeded once into LOADTEST_DATABASE_URL (default
# styrsystem_loadtest on 127.0.0.1); each run works on a fresh copy of it (PostgreSQL's
# CREATE DATABASE … TEMPLATE, "<name>_run"), so every run starts from the same deadline day.
# LOADTEST_USERS (100), LOADTEST_TIME (5m), LOADTEST_PORT (8765), LOADTEST_WORKERS (4 gunicorn
# workers), LOADTEST_REPORT_WORKERS (2), LOADTEST_BURST_DELAY (60 s), LOADTEST_BURST_SPREAD
# (60 s), LOADTEST_BURST_COMMITTEES (0 = every committee; fewer for a smoke run),
# LOADTEST_SPAWN_RATE (10 users a second), LOADTEST_REPORT_NICE (10: the report workers' nice
# value; 0 runs them at the web's priority).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOCUST=.venv-bench/bin/locust
BASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/styrsystem_loadtest}"
PORT="${LOADTEST_PORT:-8765}"
USERS="${LOADTEST_USERS:-100}"
RUN_TIME="${LOADTEST_TIME:-5m}"
WORKERS="${LOADTEST_WORKERS:-4}"
REPORT_WORKERS="${LOADTEST_REPORT_WORKERS:-2}"
BURST_DELAY="${LOADTEST_BURST_DELAY:-60}"
BURST_SPREAD="${LOADTEST_BURST_SPREAD:-60}"
BURST_COMMITTEES="${LOADTEST_BURST_COMMITTEES:-0}"
SPAWN_RATE="${LOADTEST_SPAWN_RATE:-10}"
# The report workers run at a lower CPU priority than the web (nice), as a deployment that
# shares cores between them should run them: a page waits for no PDF.
REPORT_NICE="${LOADTEST_REPORT_NICE:-10}"
# LOADTEST_REPORT_IDLE=1: the report workers under SCHED_IDLE (chrt --idle), on the CPU only
# when nothing else wants it.
REPORT_SCHED=()
[ "${LOADTEST_REPORT_IDLE:-0}" = 1 ] && REPORT_SCHED=(chrt --idle 0)
case "$RUN_TIME" in
  *h) RUN_SECONDS=$(( ${RUN_TIME%h} * 3600 )) ;;
  *m) RUN_SECONDS=$(( ${RUN_TIME%m} * 60 )) ;;
  *s) RUN_SECONDS=${RUN_TIME%s} ;;
  *) RUN_SECONDS=$RUN_TIME ;;
esac

# Production-like settings: DEBUG off, a random key, only this host, plain HTTP on loopback;
# settings_loadtest adds PostgreSQL's log_lock_waits to the production settings.
export DEBUG=0
SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export REPORT_TASKS_BACKEND=database
export DJANGO_SETTINGS_MODULE=danderyd_styrning.settings_loadtest

RUN_URL="$($BIN/python - "$BASE_URL" <<'PY'
import sys
import dj_database_url
import psycopg2
from psycopg2 import sql

base = sys.argv[1]
cfg = dj_database_url.parse(base)
conn = psycopg2.connect(
    dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
    host=cfg["HOST"], port=cfg["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
        print(f"Skapade databasen {cfg['NAME']}.", file=sys.stderr)
print(base.rsplit("/", 1)[0] + "/" + cfg["NAME"] + "_run")
PY
)"
echo "Databas: ${BASE_URL} (kopieras till ${RUN_URL} för körningen)"
DATABASE_URL="$BASE_URL" $BIN/python manage.py migrate --noinput -v0
if [ "$(DATABASE_URL="$BASE_URL" $BIN/python manage.py shell -c 'from goals.models import OrgUnit; print(OrgUnit.objects.filter(code="ST-N01").exists())' 2>/dev/null | tail -1)" != "True" ]; then
  echo "Läser in den stora kommunen (en gång) …"
  DATABASE_URL="$BASE_URL" $BIN/python manage.py seed_demo --scale large
else
  echo "Den stora kommunen finns redan i databasen."
fi
$BIN/python - "$BASE_URL" "$RUN_URL" <<'PY'
import sys
import dj_database_url
import psycopg2
from psycopg2 import sql

base, run = (dj_database_url.parse(u) for u in sys.argv[1:3])
conn = psycopg2.connect(
    dbname="postgres", user=base["USER"], password=base["PASSWORD"] or None,
    host=base["HOST"], port=base["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (%s, %s)"
        " AND pid <> pg_backend_pid()",
        [base["NAME"], run["NAME"]],
    )
    cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(run["NAME"])))
    cur.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(run["NAME"]), sql.Identifier(base["NAME"])
        )
    )
PY
export DATABASE_URL="$RUN_URL"
# Earlier runs may have left lock-outs (django-axes) behind.
$BIN/python manage.py axes_reset >/dev/null
LOADTEST_URLS="$($BIN/python bench/loadtest_prepare.py | tail -1)"
export LOADTEST_URLS
BURST_OCCASION="$($BIN/python -c 'import json, os; print(json.loads(os.environ["LOADTEST_URLS"])["burst_occasion"])')"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/styrsystem-loadtest.XXXXXX")"
STAMP="$(date +%Y%m%d-%H%M%S)"
export LOADTEST_SAVES="$RUN_DIR/saves.jsonl"
export LOADTEST_BURST_FILE="$RUN_DIR/burst.json"
export LOADTEST_LOCUST_JSON="$RUN_DIR/locust.json"
export LOADTEST_REQUESTS="$RUN_DIR/requests.csv"
export LOADTEST_SETUP="gunicorn ${WORKERS} sync workers, ${REPORT_WORKERS} report workers (db_worker, nice ${REPORT_NICE}${REPORT_SCHED:+, SCHED_IDLE}), PostgreSQL, DEBUG=0, ${USERS} users, ${RUN_TIME}"
: >"$LOADTEST_SAVES"

WORKER_PIDS=()
BURST_PID=""
stop_all() {
  [ -n "$BURST_PID" ] && kill "$BURST_PID" 2>/dev/null || true
  for pid in "${WORKER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -f "$RUN_DIR/gunicorn.pid" ]; then
    pid="$(cat "$RUN_DIR/gunicorn.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  for pid in "${WORKER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$RUN_DIR"
}
trap stop_all EXIT

$BIN/gunicorn danderyd_styrning.wsgi --workers "$WORKERS" --bind "127.0.0.1:${PORT}" \
  --access-logfile /dev/null --error-logfile "$RUN_DIR/gunicorn.log" \
  --pid "$RUN_DIR/gunicorn.pid" --daemon
for n in $(seq 1 "$REPORT_WORKERS"); do
  "${REPORT_SCHED[@]}" nice -n "$REPORT_NICE" $BIN/python manage.py db_worker --no-reload --no-startup-delay --interval 0.2 \
    --worker-id "loadtest-$$-$n" >"$RUN_DIR/worker-$n.log" 2>&1 &
  WORKER_PIDS+=("$!")
done
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null || { echo "gunicorn svarar inte"; exit 1; }
echo "gunicorn kör på 127.0.0.1:${PORT} med ${WORKERS} arbetare, ${REPORT_WORKERS} rapportarbetare;" \
  "locust: ${USERS} användare i ${RUN_TIME}; publiceringsskuren efter ${BURST_DELAY} s."
LOADTEST_STARTED="$(date +%s)"
$BIN/python bench/burst.py --host "http://127.0.0.1:${PORT}" --occasion "$BURST_OCCASION" \
  --workers "$(IFS=,; echo "${WORKER_PIDS[*]}")" --out "$LOADTEST_BURST_FILE" \
  --delay "$BURST_DELAY" --spread "$BURST_SPREAD" --committees "$BURST_COMMITTEES" \
  --until "$(( LOADTEST_STARTED + RUN_SECONDS + 10 ))" &
BURST_PID=$!
LOCUST_STATUS=0
$LOCUST -f bench/locustfile.py --headless --users "$USERS" --spawn-rate "$SPAWN_RATE" \
  --run-time "$RUN_TIME" --host "http://127.0.0.1:${PORT}" --only-summary --stop-timeout 20 \
  || LOCUST_STATUS=$?
echo "Väntar på publiceringsskurens rapporter …"
BURST_STATUS=0
wait "$BURST_PID" || BURST_STATUS=$?
BURST_PID=""
# PostgreSQL's log lines for this database's lock waits over 100 ms (log_lock_waits, see
# settings_loadtest) since the run started, when the log is readable (LOADTEST_PG_LOG).
LOCK_LOG_LINES=""
PG_LOG="${LOADTEST_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
RUN_DB="${RUN_URL##*/}"
if [ -r "$PG_LOG" ]; then
  since="$(date -u -d "@$LOADTEST_STARTED" '+%Y-%m-%d %H:%M:%S')"
  LOCK_LOG_LINES="$(awk -v since="$since" -v db="@${RUN_DB} " \
    '($1 " " substr($2,1,8)) >= since && index($0, db) && /still waiting for/' "$PG_LOG" | wc -l)"
  echo "Låsväntan över 100 ms i PostgreSQL:s logg: ${LOCK_LOG_LINES} (se ${PG_LOG})."
fi
CHECK_STATUS=0
$BIN/python bench/lostupdates.py "$LOADTEST_SAVES" --json "$RUN_DIR/lost.json" || CHECK_STATUS=$?
mkdir -p bench/results
$BIN/python bench/loadtest_summary.py --locust "$LOADTEST_LOCUST_JSON" \
  --burst "$LOADTEST_BURST_FILE" --lost "$RUN_DIR/lost.json" --requests "$LOADTEST_REQUESTS" --gunicorn-workers "$WORKERS" \
  --lock-log-lines "$LOCK_LOG_LINES" --out "bench/results/loadtest-${STAMP}.json"
cp "$LOADTEST_REQUESTS" "bench/results/loadtest-${STAMP}-requests.csv" 2>/dev/null || true
if [ "$LOCUST_STATUS" != 0 ] || [ "$BURST_STATUS" != 0 ] || [ "$CHECK_STATUS" != 0 ]; then
  echo "Belastningstestet hade fel (locust ${LOCUST_STATUS}, skuren ${BURST_STATUS}, kontrollen ${CHECK_STATUS})."
  exit 1
fi
