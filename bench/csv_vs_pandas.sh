#!/usr/bin/env bash
# CSV loading: cairn::ml::read_csv against pandas.read_csv (Debian's python3-pandas) on the
# flights-3m table (3 000 000 rows × date, delay, distance, origin, destination; 97 MB).
#   bash bench/csv_vs_pandas.sh [RUNS]     (default 5 runs of each, alternating)
# Prints, for each tool, the best and median MB/s (file size / time inside the process for the
# load call alone) and the peak resident memory of the whole process (getrusage ru_maxrss, the
# same number as /usr/bin/time -v's "Maximum resident set size"), then the ratios.
# The CSV is made once, in bench/out/, from npm's vega-datasets@3.2.1 flights-3m.parquet
# (bench/flights/convert.mjs). CAIRN_BENCH_BUILD names the build tree (default build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
csv=bench/out/flights-3m.csv

if [ ! -s "$csv" ]; then
  echo "== making $csv ==" >&2
  command -v node >/dev/null || { echo "node is needed to convert the parquet file" >&2; exit 1; }
  (cd bench/flights && npm ci --no-audit --no-fund >&2)
  mkdir -p bench/out
  node bench/flights/convert.mjs "$csv"
fi
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-pandas >&2
fi

build=${CAIRN_BENCH_BUILD:-build-release}
mkdir -p "$build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCAIRN_BUILD_BENCHMARKS=ON \
  -DCAIRN_BUILD_TESTS=OFF > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "${CAIRN_JOBS:-2}" --target cairn_csv_bench >&2
bench=$build/bin/cairn_csv_bench

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 0; i < runs; i++)); do
  "$bench" "$csv" | tee -a "$out"
  /usr/bin/python3 - "$csv" <<'PY' | tee -a "$out"
import json, os, resource, sys, time
import pandas as pd
path = sys.argv[1]
start = time.perf_counter()
df = pd.read_csv(path)
seconds = time.perf_counter() - start
mb = os.path.getsize(path) / 1e6
print(json.dumps({"tool": "pandas", "version": pd.__version__, "rows": len(df), "mb": round(mb, 2),
                  "seconds": round(seconds, 4), "mb_per_s": round(mb / seconds, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "types": {c: str(t) for c, t in df.dtypes.items()}}))
PY
done

/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def stats(tool):
    r = [x for x in rows if x["tool"] == tool]
    speeds = [x["mb_per_s"] for x in r]
    return max(speeds), statistics.median(speeds), max(x["peak_rss_mb"] for x in r), r[0]
c_best, c_med, c_rss, c = stats("cairn")
p_best, p_med, p_rss, p = stats("pandas")
print()
print(f"flights-3m: {c['rows']} rows, {c['mb']} MB, {len([x for x in rows if x['tool'] == 'cairn'])} runs each")
print(f"{'':8} {'best MB/s':>10} {'median MB/s':>12} {'peak RSS MB':>12}")
print(f"{'cairn':8} {c_best:>10.1f} {c_med:>12.1f} {c_rss:>12.1f}")
print(f"{'pandas':8} {p_best:>10.1f} {p_med:>12.1f} {p_rss:>12.1f}")
print(f"cairn / pandas speed: {c_best / p_best:.2f}x (best), {c_med / p_med:.2f}x (median); "
      f"peak memory: {c_rss / p_rss:.2f} of pandas'")
print(f"types: cairn {c['types']}")
print(f"       pandas {p['version']} {p['types']}")
PY
