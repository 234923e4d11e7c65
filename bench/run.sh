#!/usr/bin/env bash
# Measures authenticated proxied requests side by side: the demo API direct, bare YARP (with and without logging providers), and the BFF with
# in-memory and Redis sessions (ticket cache off and on); prints req/s, CPU per request, p99 and the ratios
# to bare YARP, the latency at a fixed moderate rate, Redis memory per session and the cookie size. Not part of
# ./test.sh: it takes about ten minutes (two rounds) and its numbers depend on the machine. Options go to the
# benchmark: --duration 8 --connections 32 --threads 1 --rounds 2 --paced-rate 2000.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -d dev/idp/node_modules ] || (cd dev/idp && npm ci --no-audit --no-fund)

dotnet build bench/Bff.Bench -c Release -nologo -v quiet
dotnet bench/Bff.Bench/bin/Release/net10.0/Bff.Bench.dll "$@"
