#!/usr/bin/env bash
# The one entry point.
#   ./build.sh        install, check the contract, migrate, and run the whole system
#   ./build.sh test   install, drift check, type check, and the whole test suite
#                     (--full: the fault tests' full form; a tier or file pattern narrows it)
set -euo pipefail
cd "$(dirname "$0")"

install() {
  # Install exactly the lockfile, once per lockfile change (npm ci also brings Node 24).
  local stamp=node_modules/.lock-stamp
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/node ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
  local v
  v=$(node_modules/.bin/node -p 'process.versions.node')
  case "$v" in 2[4-9].*|[3-9][0-9].*) ;; *) echo "node_modules/.bin/node is $v; Node 24 is required" >&2; exit 1 ;; esac
}

case "${1:-run}" in
  test)
    install
    tools/ensure-services.sh
    npm run -s generate:check
    npm run -s typecheck
    npm test -- "${@:2}"
    ;;
  run)
    install
    tools/ensure-services.sh
    npm run -s generate:check
    npm run -s migrate
    exec npm start
    ;;
  *)
    echo "usage: ./build.sh [run|test]" >&2
    exit 2
    ;;
esac
