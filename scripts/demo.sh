#!/usr/bin/env bash
# Installs dependencies, builds, and runs the demo pipeline on a fresh SQLite instance.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
export CAIRN_HOME="${CAIRN_HOME:-$PWD/.cairn-demo}"
rm -rf "$CAIRN_HOME"
hello=build/bin/hello
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step $hello list
step $hello graph
step $hello materialize --select '*'
step $hello status
# An outage in one step: downstream is skipped, independent branches finish.
printf '\n\033[1m$ HELLO_FAIL=stats/mean %s materialize --job stats\033[0m\n' "$hello"
HELLO_FAIL=stats/mean $hello materialize --job stats || true
failed=$($hello runs list --status FAILURE --limit 1 --json | sed -n 's/.*"run_id": "\([^"]*\)".*/\1/p' | head -1)
step $hello runs show "$failed"
# Re-execute from the failure: only the failed and skipped steps run again.
step $hello runs reexecute "$failed" --from-failure
step $hello runs list
echo
echo "The instance is in $CAIRN_HOME (cairn.db and storage/). Try: $hello --help"
