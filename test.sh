#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test suite. Exits non-zero on any failure.
# The tests start and stop their own servers (redis-server, the node identity provider, the demo API
# and BFF instances on Kestrel), all on loopback: Kestrel picks its own ports (port 0).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

# A CI that cancels the job signals this script only, and the servers the tests start (redis-server, node, Kestrel
# hosts, Chromium) would outlive it. So each long step runs in the background (bash runs a trap only once the
# foreground command ends), and a signal kills the whole tree below this script: frozen top-down first, and killed
# outright, since a test host told to stop gracefully goes on to start the next test's servers, which it then orphans.
tree=()
freeze_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    kill -STOP "$child" 2>/dev/null || continue  # gone already (the listing's own subshell among them)
    tree+=("$child")
    freeze_tree "$child"
  done
}
stop_tree() {
  freeze_tree "$1"
  [ ${#tree[@]} -gt 0 ] || return 0
  kill -KILL "${tree[@]}" 2>/dev/null || true
}
stopped() {
  trap - TERM INT
  stop_tree $$
  echo "test.sh: stopped by SIG$1; the servers the tests started were killed" >&2 || true
  exit $((128 + $2))
}
trap 'stopped TERM 15' TERM
trap 'stopped INT 2' INT
run() { "$@" & wait $!; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "System packages (redis-server, redis-sentinel, chromium, nginx, docker-compose)"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
redis-server --version

# npm ci only when the lock file changed since the last install.
npm_install() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

step "npm packages (dev identity provider, SPA)"
npm_install dev/idp
npm_install spa
npm_install spa/lint

step "SPA: lint, unit tests and build into the BFF's wwwroot"
run bash -c 'cd spa && npm run lint && npx vitest run && npm run build'

step "Dev identity provider: smoke test"
run bash -c 'cd dev/idp && node smoke.mjs'

step "docker-compose.yml: valid (no container engine here: the file is checked, not run)"
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"

step ".NET: restore and build"
run dotnet build Bff.sln -c Release -nologo -v quiet

results="$root/TestResults"
rm -rf "$results"

step ".NET: unit and integration tests (real redis-server, identity provider, Kestrel)"
run dotnet test tests/Bff.Tests -c Release --no-build -nologo --results-directory "$results/tests"

step "End-to-end tests (Playwright with Debian's Chromium)"
run dotnet test e2e/Bff.E2E -c Release --no-build -nologo --results-directory "$results/e2e"

step "All test suites passed"
