#!/usr/bin/env bash
# Starts the demo: the web server in the foreground, the task worker beside it.
# Ctrl-C (or any exit) stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Links in mails lead to this server, whatever port it runs on.
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
# The portal's own error pages, as users see them in production; runserver --insecure still serves
# the static files without DEBUG.
export DEBUG=${DEBUG:-false}

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# The sandbox Plesk of the demo: plain HTTP on loopback, state kept in var/.
$PY manage.py plesk_sandbox --host 127.0.0.1 --port "${SANDBOX_PORT:-8880}" \
  --admin-password "${SANDBOX_ADMIN_PASSWORD:-sandbox-admin}" \
  --reseller-password "${SANDBOX_RESELLER_PASSWORD:-sandbox-reseller}" \
  --state "${SANDBOX_STATE:-var/plesk-sandbox.json}" --seed-demo &
pids+=($!)

# The worker starts once the sandbox answers, so the demo's queued provisioning (the end customer's
# hosting, portal/demo.py) succeeds at its first attempt.
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/${SANDBOX_PORT:-8880}") 2>/dev/null; then break; fi
  sleep 0.1
done
$PY manage.py db_worker --interval 0.5 --no-reload &
pids+=($!)

# What cron does in production (docs/operations.md): pick up stalled provisioning every 30 s,
# compare the hostings with the sandbox every 5 minutes.
(
  rounds=0
  while sleep 30; do
    $PY manage.py sweep_provisioning >/dev/null || true
    rounds=$((rounds + 1))
    if (( rounds % 10 == 0 )); then $PY manage.py sync_hostings >/dev/null || true; fi
  done
) &
pids+=($!)

echo "Partnerportal: http://$HOST:$PORT/  (Ctrl-C stops the server and the worker)"
echo "End-customer portal of Webagentur Beispiel: http://kunden.webagentur.localhost:$PORT/  (login endkunde / demo)"
$PY manage.py runserver "$HOST:$PORT" --noreload --insecure &
pids+=($!)
wait -n "${pids[@]}"
