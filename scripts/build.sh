#!/usr/bin/env bash
# build.sh BUILD_DIR [cmake options...]: configures (once) and builds with Ninja, ccache, -j2.
set -euo pipefail
dir=$1
shift
cd "$(dirname "$0")/.."
mkdir -p "$dir"
cmake -S . -B "$dir" -G Ninja "$@" > "$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" -j "${CAIRN_JOBS:-2}"
