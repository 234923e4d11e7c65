#!/usr/bin/env bash
# Starts the development stack on loopback and stops it on Ctrl-C:
#   identity provider http://localhost:5001, demo API http://localhost:5002, BFF + SPA http://localhost:5000.
#
#   ./run.sh                               in-memory sessions
#   REDIS=localhost:6379 ./run.sh          sessions and data-protection keys in that Redis
#   REDIS=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002 ./run.sh
#                                          the same on a Redis Cluster (any StackExchange.Redis string works:
#                                          password=, user=, ssl=true, serviceName= for Sentinel)
#   REDIS=localhost:6379 ./run.sh --bff-only --port 5010
#                                          one more BFF instance on :5010 against the same Redis,
#                                          identity provider and API (the scale-out demo)
set -euo pipefail
cd "$(dirname "$0")"

bff_only=false
port=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --bff-only) bff_only=true ;;
    --port) [ $# -ge 2 ] || { echo "--port needs a port number" >&2; exit 2; }; port=$2; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if $bff_only && [ -z "${REDIS:-}" ]; then
  echo "--bff-only needs REDIS=host:port: instances share sessions only through Redis." >&2
  exit 2
fi

# A server left running from before would answer in place of the new one, which then dies on "address in use".
ports=("$port")
$bff_only || ports+=(5001 5002)
for p in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "Port $p is already in use (an earlier ./run.sh still running?): stop that process first." >&2
    exit 2
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# Build what is missing.
[ -d dev/idp/node_modules ] || (cd dev/idp && npm ci --no-audit --no-fund)
if [ ! -f bff/Bff.Host/wwwroot/index.html ]; then
  [ -d spa/node_modules ] || (cd spa && npm ci --no-audit --no-fund)
  (cd spa && npm run build)
fi
dotnet build Bff.sln -nologo -v quiet

# wait_for URL NAME [any]: until URL answers 2xx/3xx, or with "any" until it answers at all.
wait_for() {
  local url=$1 name=$2 fail=-f
  [ "${3:-}" = any ] && fail=
  for _ in $(seq 1 100); do
    curl $fail -sS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$name did not start ($url)" >&2
  exit 1
}

origins="http://localhost:5000"
[ "$port" != 5000 ] && origins="$origins,http://localhost:$port"
# 5010: the scale-out demo; 5173: the SPA's vite dev server (spa/README), which keeps the browser's Host.
for p in ${EXTRA_BFF_PORTS:-5010 5173}; do [[ ",$origins," == *",http://localhost:$p,"* ]] || origins="$origins,http://localhost:$p"; done

if ! $bff_only; then
  (cd dev/idp && BFF_ORIGINS="$origins" exec node server.js) &
  pids+=($!)
  wait_for http://localhost:5001/.well-known/openid-configuration "The identity provider"

  dotnet dev/Api/bin/Debug/net10.0/Api.dll --urls http://localhost:5002 &
  pids+=($!)
  # The API answers 401 without a token: any answer means it is up.
  wait_for http://localhost:5002/api/whoami "The demo API" any
fi

bff_args=(--urls "http://localhost:$port")
[ -n "${REDIS:-}" ] && bff_args+=(--ConnectionStrings:Redis="$REDIS")
ASPNETCORE_ENVIRONMENT=Development dotnet bff/Bff.Host/bin/Debug/net10.0/Bff.Host.dll "${bff_args[@]}" &
pids+=($!)
wait_for "http://localhost:$port/" "The BFF"

echo
echo "  Open http://localhost:$port  (sign in with any name and password; Ctrl-C stops everything)"
[ -n "${REDIS:-}" ] && echo "  Sessions and keys in Redis at $REDIS"
echo
wait -n "${pids[@]}"
