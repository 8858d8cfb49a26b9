#!/usr/bin/env bash
# Installs dependencies, builds everything, and runs every test (unit, end-to-end, install).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_BUILD_TESTS=ON
ctest --test-dir build --output-on-failure -j 2
