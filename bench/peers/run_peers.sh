#!/usr/bin/env bash
# Run the peer benchmarks (dask threaded, snakemake) for both shapes and each N; JSON lines
# to stdout, progress to stderr. Runs one benchmark at a time, each under its own `timeout`.
#   usage: run_peers.sh [N ...]        (default: 1000 10000 100000)
# Env: DASK_WORKERS (default 2), DASK_REPEAT (default 3; median reported), SMK_BUDGET seconds per snakemake run (default 120),
#      PEER_TIMEOUT hard limit per invocation in seconds (default 900).
set -uo pipefail
cd "$(dirname "$0")"
NS=("$@"); [ ${#NS[@]} -gt 0 ] || NS=(1000 10000 100000)
LIMIT=${PEER_TIMEOUT:-900}

run() {  # run TOOL SHAPE N CMD...: prints the command's JSON line, or an error line if it produced none
  local tool=$1 shape=$2 n=$3; shift 3
  echo "[run_peers] $(date +%T) $tool $shape n=$n" >&2
  local out; out=$(timeout -k 10 "$LIMIT" "$@"); local rc=$?
  if [ -n "$out" ]; then echo "$out"
  else echo "{\"tool\":\"$tool\",\"shape\":\"$shape\",\"n\":$n,\"error\":\"exit $rc (124 = timeout after ${LIMIT}s)\"}"; fi
}

echo "[run_peers] $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for n in "${NS[@]}"; do
  for shape in chain fanout; do
    run dask-threaded "$shape" "$n" /usr/bin/python3 dask_dag.py --shape "$shape" --n "$n" \
      --workers "${DASK_WORKERS:-2}" --repeat "${DASK_REPEAT:-3}"
    run snakemake "$shape" "$n" ./snakemake_dag.sh --shape "$shape" --n "$n" --budget "${SMK_BUDGET:-120}"
  done
done
echo "[run_peers] done, load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
