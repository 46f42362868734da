#!/usr/bin/env bash
# make loadtest: the large municipality on PostgreSQL behind gunicorn (4 workers, DEBUG off),
# 50 locust users for 2 minutes from another process. Not part of `make test`.
# LOADTEST_DATABASE_URL (default: postgres://postgres@127.0.0.1:5432/styrsystem_loadtest),
# LOADTEST_USERS (50), LOADTEST_TIME (2m), LOADTEST_PORT (8765), LOADTEST_WORKERS (4).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOCUST=.venv-bench/bin/locust
export DATABASE_URL="${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/styrsystem_loadtest}"
PORT="${LOADTEST_PORT:-8765}"
USERS="${LOADTEST_USERS:-50}"
RUN_TIME="${LOADTEST_TIME:-2m}"
WORKERS="${LOADTEST_WORKERS:-4}"

# Production-like settings: DEBUG off, a random key, only this host, plain HTTP on loopback.
export DEBUG=0
SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export REPORT_TASKS_BACKEND=database

echo "Databas: ${DATABASE_URL}"
$BIN/python - <<'PY'
import os
import dj_database_url
import psycopg2
from psycopg2 import sql

cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
conn = psycopg2.connect(
    dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
    host=cfg["HOST"], port=cfg["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
        print(f"Skapade databasen {cfg['NAME']}.")
PY
$BIN/python manage.py migrate --noinput -v0
if [ "$($BIN/python manage.py shell -c 'from goals.models import OrgUnit; print(OrgUnit.objects.filter(code="ST-N01").exists())' 2>/dev/null | tail -1)" != "True" ]; then
  echo "Läser in den stora kommunen (en gång) …"
  $BIN/python manage.py seed_demo --scale large
else
  echo "Den stora kommunen finns redan i databasen."
fi
# Earlier runs may have left lock-outs (django-axes) behind.
$BIN/python manage.py axes_reset >/dev/null

LOADTEST_URLS="$($BIN/python manage.py shell -c '
import json
from django.urls import reverse
from goals.models import OperationalPlan, OrgUnit, PlanYear, Submission
year = PlanYear.objects.get(is_current=True)
committee = OrgUnit.objects.get(code="ST-N01")
unit = OrgUnit.objects.get(code="ST-N01-E001")
def draft(u):
    s = Submission.objects.filter(org_unit=u, occasion__plan_year=year, state="draft").first()
    return reverse("followup_edit", args=[s.occasion_id, u.code])
handed_in = Submission.objects.filter(occasion__plan_year=year, state="submitted", org_unit__kind="committee").first()
print(json.dumps({
    "start": reverse("start"),
    "chain": reverse("chain"),
    "chain_committee": reverse("chain") + "?namnd=" + committee.code,
    "committee_plan": reverse("plan_committee", args=[committee.code]),
    "unit_plan": OperationalPlan.objects.get(org_unit=unit, plan_year=year).get_absolute_url(),
    "committee_followup": draft(committee),
    "unit_followup": draft(unit),
    "review": reverse("review"),
    "review_submission": reverse("review_submission", args=[handed_in.pk]),
    "reports": reverse("reports"),
}))
' | tail -1)"
export LOADTEST_URLS
export LOADTEST_SETUP="gunicorn ${WORKERS} sync workers, PostgreSQL, DEBUG=0, ${USERS} users, ${RUN_TIME}"

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/styrsystem-loadtest.XXXXXX")"
$BIN/gunicorn danderyd_styrning.wsgi --workers "$WORKERS" --bind "127.0.0.1:${PORT}" \
  --access-logfile /dev/null --error-logfile "$RUN_DIR/gunicorn.log" \
  --pid "$RUN_DIR/gunicorn.pid" --daemon
stop_gunicorn() {
  if [ -f "$RUN_DIR/gunicorn.pid" ]; then
    pid="$(cat "$RUN_DIR/gunicorn.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -rf "$RUN_DIR"
}
trap stop_gunicorn EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null || { echo "gunicorn svarar inte"; exit 1; }
echo "gunicorn kör på 127.0.0.1:${PORT} med ${WORKERS} arbetare; locust: ${USERS} användare i ${RUN_TIME}."
$LOCUST -f bench/locustfile.py --headless --users "$USERS" --spawn-rate 10 --run-time "$RUN_TIME" \
  --host "http://127.0.0.1:${PORT}" --only-summary --stop-timeout 10
