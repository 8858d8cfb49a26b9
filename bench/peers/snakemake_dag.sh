#!/usr/bin/env bash
# Time snakemake on N trivial `run:` jobs (shape chain|fanout, see Snakefile); print one JSON line.
#   usage: snakemake_dag.sh --shape chain|fanout --n N [--budget SECONDS]   (default budget 120)
# Each run: fresh temp dir, `snakemake TARGET --cores 2 --force-use-threads --quiet`, wall time
# of the whole process (python start, Snakefile parse, DAG build, scheduling, jobs, metadata).
# startup_s = the same for a 1-job workflow (chain, n=1): median of 3 separate runs.
# --force-use-threads: without it snakemake 7 runs every `run:` job in a freshly spawned
# `python -m snakemake` subprocess (~2 s/job here), which would measure process spawn, not scheduling.
# Snakemake does O(N) work per finished job (re-toposorting the DAG, scanning for
# checkpoints; for fanout also an ILP over all ready jobs), so total time grows ~N^2.
# Runs whose estimate startup + C*N^2 exceeds the budget are skipped; C was fitted here
# (2 cores; chain N=10000 took 208 s, fanout N=1000 took 49 s).
set -euo pipefail
SHAPE=; N=; BUDGET=120
while [ $# -gt 0 ]; do
  case $1 in
    --shape) SHAPE=$2; shift 2;; --n) N=$2; shift 2;; --budget) BUDGET=$2; shift 2;;
    *) echo "usage: $0 --shape chain|fanout --n N [--budget S]" >&2; exit 2;;
  esac
done
case $SHAPE in chain) C=2.1e-6;; fanout) C=4.8e-5;; *) echo "bad --shape" >&2; exit 2;; esac
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 3 ] || { echo "--n must be an integer >= 3" >&2; exit 2; }
SNAKEFILE=$(cd "$(dirname "$0")" && pwd)/Snakefile
SMK=/usr/bin/snakemake
HEAD="\"tool\":\"snakemake\",\"version\":\"$($SMK --version)\",\"shape\":\"$SHAPE\",\"n\":$N"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# run_smk DIR SHAPE N TARGET -> prints wall seconds; fails if snakemake fails or the result is wrong
run_smk() {
  mkdir -p "$1"; cd "$1"
  local t0 t1; t0=$(date +%s.%N)
  timeout -k 10 "$((BUDGET * 3))" $SMK "$4" -s "$SNAKEFILE" --cores 2 --force-use-threads \
    --config shape="$2" n="$3" --quiet >"$1.log" 2>&1 || { tail -3 "$1.log" >&2; return 1; }
  t1=$(date +%s.%N)
  local want; want=$([ "$2" = chain ] && echo "$3" || echo $((2 * ($3 - 2))))
  [ "$(cat "$4")" = "$want" ] || { echo "wrong result in $4" >&2; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}'
}

for i in 1 2 3; do  # startup_s = median of three 1-job runs (it varies by ~0.3 s here)
  run_smk "$TMP/startup$i" chain 1 t/0.txt >>"$TMP/startups" || { echo "{$HEAD,\"error\":\"1-job startup run failed\"}"; exit 1; }
  echo >>"$TMP/startups"
done
startup=$(sort -n "$TMP/startups" | sed -n 2p)
est=$(awk -v s="$startup" -v c="$C" -v n="$N" 'BEGIN{printf "%.0f", s + c * n * n}')
if [ "$est" -gt "$BUDGET" ]; then
  mins=$(awk -v e="$est" 'BEGIN{printf "%.1f", e / 60}')
  echo "{$HEAD,\"startup_s\":$startup,\"skipped\":\"would take ~$mins minutes (estimate startup+C*N^2, budget ${BUDGET}s)\"}"
  exit 0
fi
target=$([ "$SHAPE" = chain ] && echo "t/$((N - 1)).txt" || echo sink.txt)
wall=$(run_smk "$TMP/run" "$SHAPE" "$N" "$target") || { echo "{$HEAD,\"startup_s\":$startup,\"error\":\"snakemake run failed or timed out\"}"; exit 1; }
awk -v h="$HEAD" -v w="$wall" -v s="$startup" -v n="$N" 'BEGIN{
  printf "{%s,\"wall_s\":%.3f,\"per_step_us\":%.1f,\"startup_s\":%.3f,\"per_step_excl_startup_us\":%.1f}\n",
         h, w, w / n * 1e6, s, (w - s) / (n - 1) * 1e6 }'
