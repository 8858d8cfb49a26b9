#!/usr/bin/env bash
# Measures cairn's per-step orchestration overhead and compares it with Snakemake and Dask's
# threaded scheduler on the same DAG shapes. Prints JSON lines, then a summary table.
#   bash bench/run.sh [N ...]            (default: 1000 10000 100000)
# Env: CAIRN_BENCH_PEERS=0 skips the peers; BENCH_HOME (default /tmp/cairn-bench) holds the
# instances (a real SQLite file each, synced at the end of every run).
set -euo pipefail
cd "$(dirname "$0")/.."
NS=("$@"); [ ${#NS[@]} -gt 0 ] || NS=(1000 10000 100000)
home=${BENCH_HOME:-/tmp/cairn-bench}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

bash scripts/setup.sh >&2
bash scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DCAIRN_BUILD_BENCHMARKS=ON \
  -DCAIRN_BUILD_TESTS=OFF >&2
bin=build-release/bin

echo "== cairn (in-process engine, SQLite instance, 2 workers) ==" >&2
for n in "${NS[@]}"; do
  for shape in chain fanout; do
    "$bin/cairn_engine_bench" --shape "$shape" --n "$n" --io memory --home "$home" | tee -a "$out"
    if [ "$n" -le 10000 ]; then
      "$bin/cairn_engine_bench" --shape "$shape" --n "$n" --io fs --home "$home" | tee -a "$out"
      if [ -d /dev/shm ]; then
        "$bin/cairn_engine_bench" --shape "$shape" --n "$n" --io fs --home /dev/shm/cairn-bench \
          | tee -a "$out"
      fi
    fi
  done
done

if [ "${CAIRN_BENCH_PEERS:-1}" != 0 ]; then
  echo "== peers ==" >&2
  if ! /usr/bin/python3 -c 'import dask' 2>/dev/null || ! command -v snakemake >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq snakemake python3-dask >&2
  fi
  bash bench/peers/run_peers.sh "${NS[@]}" | tee -a "$out"
fi

echo "== micro benchmarks ==" >&2
"$bin/cairn_micro_bench" --benchmark_min_time=0.2 >&2

echo "== metrics on 10 M predictions ==" >&2
"$bin/cairn_metrics_bench" --n 10000000 --repeat 5 >&2

echo "== staleness: 100 000 steps cold and incremental; automation evaluator (targets < 200 ms cold, < 10 ms incremental) ==" >&2
"$bin/cairn_staleness_bench" >&2

echo "== daemon iteration: 1 000 sensors, 1 000 eager assets (targets < 50 ms idle, < 1 s to queue) ==" >&2
"$bin/cairn_daemon_bench" --home "$home/daemon" >&2

echo "== backfill of 10 000 daily partitions: enqueue time (target < 1 s) ==" >&2
"$bin/cairn_backfill_bench" --partitions 10000 --home "$home/backfill" >&2

echo "== XGBoost training: cairn vs. the C API ==" >&2
for threads in 1 2; do
  OMP_WAIT_POLICY=passive "$bin/cairn_xgboost_bench" --rounds 300 --repeat 21 --nthread "$threads" >&2
done

/usr/bin/python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def find(tool, shape, n, io=None, home_fs=None):
    for r in rows:
        if (r.get("tool") == tool and r["shape"] == shape and r["n"] == n
                and (io is None or r.get("io") == io)
                and (home_fs is None or (r.get("home_fs") == "tmpfs") == (home_fs == "tmpfs"))):
            return r
print()
print(f"{'shape':7} {'N':>7} | {'cairn mem µs/step':>17} {'fs(disk)':>9} {'fs(tmpfs)':>9} {'events/s':>9} {'RSS MB':>7} "
      f"{'define+validate ms':>18} | {'dask µs/step':>12} {'snakemake µs/step':>17} | {'dask/cairn':>10}")
for n in sorted({r["n"] for r in rows}):
    for shape in ("chain", "fanout"):
        c = find("cairn", shape, n, "memory")
        if not c:
            continue
        fs = find("cairn", shape, n, "fs", "disk")
        tfs = find("cairn", shape, n, "fs", "tmpfs")
        d = find("dask-threaded", shape, n)
        s = find("snakemake", shape, n)
        dv = d.get("per_step_us") if d else None
        sv = s.get("per_step_us") if s else None
        fmt = lambda v, w: f"{v:>{w}.1f}" if isinstance(v, (int, float)) else f"{'-':>{w}}"
        ratio = dv / c["per_step_us"] if dv else None
        print(f"{shape:7} {n:>7} | {fmt(c['per_step_us'],17)} {fmt(fs and fs['per_step_us'],9)} {fmt(tfs and tfs['per_step_us'],9)} "
              f"{c['events_per_s']:>9.0f} {c['peak_rss_mb']:>7.1f} {(c['define_s']+c['validate_s'])*1000:>18.1f} | "
              f"{fmt(dv,12)} {fmt(sv,17)} | {fmt(ratio,10)}")
PY
