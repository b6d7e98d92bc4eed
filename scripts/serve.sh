#!/usr/bin/env bash
# The production process set on this machine (`make serve`, README "Production-like run"): production settings
# with DEBUG off on PostgreSQL and Redis, gunicorn serving HTTPS itself, RQ workers, and RQ's cron scheduler for
# the periodic jobs. In the foreground; Ctrl-C or SIGTERM stops every process it started and waits for them.
# It exits non-zero when any of them dies.
#
# Environment (everything else passes through to the processes: EMAIL_URL, PLESK_ALLOW_PRIVATE_HOSTS, ...):
#   DATABASE_URL   required, PostgreSQL
#   REDIS_URL      redis://127.0.0.1:6379/0        HOST 127.0.0.1    PORT 8443
#   WEB_WORKERS    gunicorn processes (deploy/gunicorn.conf.py: 2 × cores + 1)    TASK_WORKERS 2
#   SECRET_KEY, ENCRYPTION_KEYS   generated once into var/serve.env when not given, then reused
#   TLS_CERT, TLS_KEY             a self-signed certificate in var/tls/ when not given
#   READY_TIMEOUT  seconds to wait for gunicorn to answer (300)
#
# `scripts/serve.sh manage COMMAND ...` runs one manage.py command in the same environment instead (e.g.
# createsuperuser), and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$PWD/.venv/bin/python

fail() { echo "serve: $*" >&2; exit 2; }

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | pgsql://*) ;;
  "") fail "DATABASE_URL is required, e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/partnerportal make serve" ;;
  *) fail "DATABASE_URL must be a PostgreSQL URL (postgres://...); the production process set does not run on ${DATABASE_URL%%:*}" ;;
esac
export DATABASE_URL
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8443}
TASK_WORKERS=${TASK_WORKERS:-2}
[[ $TASK_WORKERS =~ ^[1-9][0-9]*$ ]] || fail "TASK_WORKERS must be a number of at least 1"
if [[ -n ${WEB_WORKERS:-} ]]; then export WEB_WORKERS; fi

export PARTNERPORTAL_ENV=production DEBUG=false TASKS_BACKEND=rq CACHE_REDIS=true
export SITE_URL=${SITE_URL:-https://$HOST:$PORT}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-$HOST,localhost}
export PYTHONUNBUFFERED=1
mkdir -p var

# The keys are made once and kept: a new ENCRYPTION_KEYS would make every stored Plesk password unreadable.
if [[ -z ${SECRET_KEY:-} || -z ${ENCRYPTION_KEYS:-} ]]; then
  if [[ ! -s var/serve.env ]]; then
    (
      umask 077
      "$PY" -c 'import secrets; from cryptography.fernet import Fernet
print(f"SECRET_KEY={secrets.token_urlsafe(64)}")
print(f"ENCRYPTION_KEYS={Fernet.generate_key().decode()}")' >var/serve.env.new
      mv var/serve.env.new var/serve.env
    )
    echo "serve: generated SECRET_KEY and ENCRYPTION_KEYS into var/serve.env (kept for later starts)"
  fi
  export SECRET_KEY=${SECRET_KEY:-$(sed -n 's/^SECRET_KEY=//p' var/serve.env)}
  export ENCRYPTION_KEYS=${ENCRYPTION_KEYS:-$(sed -n 's/^ENCRYPTION_KEYS=//p' var/serve.env)}
fi

if [[ ${1:-} == manage ]]; then
  shift
  exec "$PY" manage.py "$@"
fi

# HTTPS from gunicorn itself: production settings redirect to https and send Secure __Host- cookies and HSTS.
if [[ -n ${TLS_CERT:-} || -n ${TLS_KEY:-} ]]; then
  [[ -r ${TLS_CERT:-} && -r ${TLS_KEY:-} ]] || fail "give both TLS_CERT and TLS_KEY as readable files, or neither"
else
  export TLS_CERT=$PWD/var/tls/cert.pem TLS_KEY=$PWD/var/tls/key.pem
  "$PY" scripts/tls_cert.py "$TLS_CERT" "$TLS_KEY" 127.0.0.1 localhost "$HOST"
fi

"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py createcachetable

# prometheus_client's multiprocess mode: one file per process; those of an earlier run would count as live.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete

pids=()
stopping=
stop_all() {
  stopping=1
  trap 'kill -KILL "${pids[@]}" 2>/dev/null || true' INT TERM
  # SIGTERM: gunicorn finishes the requests in flight, an RQ worker its current job (warm shutdown).
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
on_signal() {
  echo "serve: stopping (a second Ctrl-C kills at once)"
  stop_all
  exit 0
}
trap on_signal INT TERM
trap '[[ -n $stopping ]] || stop_all' EXIT

"$PY" -m gunicorn -c deploy/gunicorn.conf.py partnerportal.wsgi &
pids+=($!)
# django_tasks_rq's job class lets a worker report results back to Django's task API. One worker also moves
# deferred jobs (provisioning retries after a back-off) into the queue when they are due.
# --worker-ttl 30: an idle worker waits for a job in a Redis call of worker-ttl - 15 seconds, and a signal that
# the kernel hands to its other thread (RQ's pub/sub listener) is only acted on when that call returns: with
# RQ's default (420) a stop could take 7 minutes, with 30 it takes at most 15 s.
worker_options=(--worker-class rq.worker.SimpleWorker --worker-ttl 30)
for ((i = 1; i <= TASK_WORKERS; i++)); do
  scheduler=()
  if ((i == 1)); then scheduler=(--with-scheduler); fi
  "$PY" manage.py rqworker default --job-class django_tasks_rq.backend.Job "${worker_options[@]}" "${scheduler[@]}" &
  pids+=($!)
done
# The periodic jobs are plain RQ jobs (hosting/periodic.py): a worker of their own, without that job class,
# and RQ's cron scheduler, which enqueues them (hosting/rq_cron.py).
"$PY" manage.py rqworker periodic "${worker_options[@]}" &
pids+=($!)
"$PY" manage.py rqcron hosting.rq_cron &
pids+=($!)

# Ready once gunicorn answers (any HTTP status); give up if a process dies first. Generous: on a busy machine
# its workers take a while to import Django.
url="https://$HOST:$PORT/"
ready_by=$((SECONDS + ${READY_TIMEOUT:-300}))
while :; do
  if curl --silent --output /dev/null --max-time 2 --cacert "$TLS_CERT" "$url" \
    || curl --silent --output /dev/null --max-time 2 --insecure "$url"; then
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process ended while starting (see above)"; done
  ((SECONDS < ready_by)) || fail "gunicorn did not answer on $url within ${READY_TIMEOUT:-300} s"
  sleep 0.1
done

cat <<EOF

Partnerportal (production settings) is ready: $SITE_URL/
  TLS certificate: $TLS_CERT  (verify with: curl --cacert $TLS_CERT $SITE_URL/)
  first operator login (the same environment, shown without the database password):
    DATABASE_URL='$(sed -E 's#^([a-z]+://[^:/@]+):[^@]*@#\1:***@#' <<<"$DATABASE_URL")' scripts/serve.sh manage createsuperuser
  processes: gunicorn, $TASK_WORKERS task workers, a periodic worker and RQ's cron scheduler; their logs follow.
  Ctrl-C stops them all.

EOF

# Any process that ends on its own ends the set.
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "serve: a process exited (status $status); stopping the others" >&2
stop_all
exit $((status == 0 ? 1 : status))
