#!/usr/bin/env bash
# A clustered dieuhanh on one machine, for drills (issue 21, decision 0053; docs/deployment.md):
#   haproxy :27080 -> two gunicorn nodes :27081 :27082 (stateless: sessions in PostgreSQL, huey in Redis,
#   files on one shared folder) ; haproxy :27500 -> the PostgreSQL primary of a Patroni pair (:27432 :27433,
#   REST :27008 :27009, synchronous replication) whose leader lock lives in etcd :27379.
# Usage: deploy/cluster.sh up|drill|down      (data under $DH_CLUSTER_DIR, default /tmp/dieuhanh-cluster)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
D="${DH_CLUSTER_DIR:-/tmp/dieuhanh-cluster}"
PY="$ROOT/.venv/bin/python"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
REDIS_DB="${DH_CLUSTER_REDIS_DB:-11}"
export DATABASE_URL="postgres://postgres:postgres@127.0.0.1:27500/dieuhanh"
export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
export DIEUHANH_MEDIA_ROOT="$D/shared-files"
export DIEUHANH_AUDIT_ANCHOR_FILE="$D/shared-files/audit-anchor.jsonl"
export DIEUHANH_DB_CONN_MAX_AGE=0
export DJANGO_SETTINGS_MODULE=dieuhanh.settings
# the drill's clerk issues with an API token and no second factor (a drill cluster, never production)
export DIEUHANH_2FA_ENFORCED=0

install_packages() {
  # like scripts/ensure-system-packages: only what is missing, with apt (not part of CI)
  local need=()
  command -v patroni >/dev/null || need+=(patroni python3-psycopg2 python3-etcd)
  command -v etcd >/dev/null || need+=(etcd-server etcd-client)
  command -v haproxy >/dev/null || need+=(haproxy)
  [ -x "$PG_BIN/postgres" ] || need+=(postgresql)
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 $((limit * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "timed out waiting for $what" >&2; return 1
}

patroni_conf() {  # patroni_conf NAME PGPORT RESTPORT
  cat <<YAML
scope: dieuhanh-drill
name: $1
restapi: {listen: "127.0.0.1:$3", connect_address: "127.0.0.1:$3"}
etcd: {host: "127.0.0.1:27379"}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters: {wal_level: replica, hot_standby: "on", max_wal_senders: 6, max_replication_slots: 6,
                   wal_log_hints: "on", synchronous_commit: "on", max_connections: 200}
  initdb: [{encoding: UTF8}, {locale: C.UTF-8}]
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: "127.0.0.1:$2"
  connect_address: "127.0.0.1:$2"
  data_dir: "$D/$1"
  bin_dir: "$PG_BIN"
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: replicator, password: replicator}
    rewind: {username: postgres, password: postgres}
  parameters: {unix_socket_directories: "$D/run"}
tags: {nofailover: false, noloadbalance: false, clonefrom: false, nosync: false}
YAML
}

start_node() {  # start_node N PORT : one gunicorn application node
  setsid "$ROOT/.venv/bin/gunicorn" dieuhanh.wsgi:application -b "127.0.0.1:$2" -w 2 --worker-class gthread \
    --threads 4 --log-level warning --keep-alive 30 --graceful-timeout 5 --chdir "$ROOT" \
    --pid "$D/run/app$1.pid" >>"$D/log/app$1.log" 2>&1 &
}

start_patroni() {  # start_patroni NAME
  # its own session, its pid written by itself (runuser would otherwise stand between)
  as_postgres setsid sh -c 'echo $$ >"$1"; exec patroni "$2"' sh "$D/run/$1.patroni.pid" "$D/$1.yml" \
    >>"$D/log/$1.log" 2>&1 &
}

up() {
  install_packages
  if [ -e "$D/run/up" ]; then echo "already up in $D (deploy/cluster.sh down first)"; return 0; fi
  mkdir -p "$D"/{run,log,shared-files,etcd,pg1,pg2}
  chmod 755 "$D"; chmod 700 "$D/pg1" "$D/pg2"
  chown postgres "$D/run" "$D/log" "$D/pg1" "$D/pg2" 2>/dev/null || true
  setsid etcd --name drill --data-dir "$D/etcd" --enable-v2=true \
    --listen-client-urls http://127.0.0.1:27379 --advertise-client-urls http://127.0.0.1:27379 \
    --listen-peer-urls http://127.0.0.1:27380 --initial-advertise-peer-urls http://127.0.0.1:27380 \
    --initial-cluster drill=http://127.0.0.1:27380 >>"$D/log/etcd.log" 2>&1 &
  echo $! >"$D/run/etcd.pid"
  wait_for 30 etcd curl -sf http://127.0.0.1:27379/health
  patroni_conf pg1 27432 27008 >"$D/pg1.yml"
  patroni_conf pg2 27433 27009 >"$D/pg2.yml"
  chown postgres "$D"/pg?.yml 2>/dev/null || true
  start_patroni pg1
  wait_for 90 "the first PostgreSQL primary" curl -sf http://127.0.0.1:27008/primary
  start_patroni pg2
  wait_for 120 "the synchronous standby" sh -c \
    "curl -sf http://127.0.0.1:27009/sync || curl -sf http://127.0.0.1:27009/synchronous"
  cat >"$D/haproxy.cfg" <<CFG
global
    maxconn 2000
    pidfile $D/run/haproxy.pid
defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 2s
frontend app
    mode http
    bind 127.0.0.1:27080
    default_backend app_nodes
backend app_nodes
    mode http
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    option redispatch
    retries 2
    default-server inter 1s fall 2 rise 2
    server app1 127.0.0.1:27081 check
    server app2 127.0.0.1:27082 check
listen postgres_primary
    mode tcp
    bind 127.0.0.1:27500
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:27432 check port 27008
    server pg2 127.0.0.1:27433 check port 27009
CFG
  haproxy -D -f "$D/haproxy.cfg"
  # haproxy counts a server up until its first check fails: wait until :27500 answers as a writable primary
  wait_for 30 "haproxy to find the primary" sh -c \
    "PGPASSWORD=postgres '$PG_BIN/psql' -h 127.0.0.1 -p 27500 -U postgres -Atc 'select pg_is_in_recovery()' \
     postgres | grep -qx f"
  sleep 3
  wait_for 30 "haproxy to find the primary" sh -c \
    "PGPASSWORD=postgres '$PG_BIN/psql' -h 127.0.0.1 -p 27500 -U postgres -Atc 'select pg_is_in_recovery()' \
     postgres | grep -qx f"
  PGPASSWORD=postgres "$PG_BIN/psql" -h 127.0.0.1 -p 27500 -U postgres -qc "CREATE DATABASE dieuhanh" postgres
  (cd "$ROOT" && "$ROOT/.venv/bin/dieuhanh" migrate -v 0)
  start_node 1 27081
  start_node 2 27082
  wait_for 120 "the application behind haproxy" curl -sf http://127.0.0.1:27080/healthz
  touch "$D/run/up"
  echo "cluster up: app http://127.0.0.1:27080  postgres 127.0.0.1:27500  data $D"
  curl -s http://127.0.0.1:27080/healthz; echo
}

down() {
  for f in "$D"/run/app?.pid "$D"/run/haproxy.pid "$D"/run/pg?.patroni.pid "$D"/run/etcd.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 20); do
    ls "$D"/pg?/postmaster.pid >/dev/null 2>&1 || break; sleep 0.5
  done
  for f in "$D"/pg?/postmaster.pid; do
    [ -f "$f" ] && kill -9 "$(head -1 "$f")" 2>/dev/null || true
  done
  for f in "$D"/run/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null || true; done
  redis-cli -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
  rm -rf "$D"
  echo "cluster down, $D removed"
}

restore_members() {
  # after an earlier drill: the killed Patroni member rejoins (pg_rewind) and both application nodes (re)start
  for n in pg1 pg2; do
    pid=$(cat "$D/run/$n.patroni.pid" 2>/dev/null || true)
    { [ -n "$pid" ] && [ "$pid" -gt 1 ] && kill -0 "$pid" 2>/dev/null; } || start_patroni "$n"
  done
  wait_for 180 "a synchronous standby" sh -c \
    "curl -sf http://127.0.0.1:27008/sync || curl -sf http://127.0.0.1:27009/sync"
  for n in 1 2; do
    [ -s "$D/run/app$n.pid" ] || continue
    pid=$(cat "$D/run/app$n.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$D/run/app$n.pid"
  done
  start_node 1 27081
  start_node 2 27082
  wait_for 120 "application node 1" curl -sf http://127.0.0.1:27081/healthz
  wait_for 120 "application node 2" curl -sf http://127.0.0.1:27082/healthz
  sleep 3  # haproxy: two good checks before a node is back in rotation
}

drill() {
  if [ -e "$D/run/up" ]; then restore_members; else up; fi
  (cd "$ROOT" && "$PY" deploy/drill.py --dir "$D" "$@")
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  drill) shift; drill "$@" ;;
  *) echo "usage: $0 up|drill|down" >&2; exit 2 ;;
esac
