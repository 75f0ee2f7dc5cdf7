#!/usr/bin/env bash
# What `npm test` needs on this machine, set up if missing: PostgreSQL on 127.0.0.1:5432 and Redis
# on 127.0.0.1:6379 (started with the machine's own commands when they are installed but down),
# the redis-server binary (tests start private ones), Debian's Chromium for the explorer's
# browser test and Debian's prometheus and prometheus-alertmanager (prometheus, promtool, amtool)
# for tests/ops. Skipped entirely when TEST_SKIP_PREPARE=1 (services managed elsewhere).
set -euo pipefail
[ "${TEST_SKIP_PREPARE:-0}" = "1" ] && exit 0

say() { echo "prepare-tests: $*" >&2; }
as_root() { if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || { say "PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_DATABASE_ADMIN_URL)"; exit 1; }
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    say "starting Redis"
    mkdir -p /tmp/traveloure-redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /tmp/traveloure-redis --logfile /tmp/traveloure-redis/redis.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { say "Redis is not reachable on 127.0.0.1:6379 (set TEST_REDIS_URL)"; exit 1; }
fi

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  say "installing Debian's chromium for the browser test"
  as_root apt-get update -q >/dev/null && as_root apt-get install -y -q chromium >/dev/null ||
    { say "could not install chromium: install it (or set CHROMIUM_PATH) for tests/browser"; exit 1; }
fi

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v amtool >/dev/null; then
  say "installing Debian's prometheus and prometheus-alertmanager for tests/ops"
  as_root apt-get update -q >/dev/null && as_root apt-get install -y -q prometheus prometheus-alertmanager >/dev/null ||
    { say "could not install prometheus: install prometheus and prometheus-alertmanager for tests/ops"; exit 1; }
fi
