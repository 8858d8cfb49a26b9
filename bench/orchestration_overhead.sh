#!/usr/bin/env bash
# How much of a pipeline run is orchestration: everything but the assets' own functions.
#   bash bench/orchestration_overhead.sh [PIPELINE_BINARY] [REPEATS]
# (default: build-release/bin/credit_scoring, 5 repeats). Each repeat materializes the whole
# pipeline on a fresh SQLite instance (every partition: --stale-only on an empty instance), one
# step at a time (--max-concurrent 1), so that the process's wall time is exactly the assets' own
# time (the run's summed `user_code_ms`) plus what cairn added: process start, graph build, opening the instance, planning, loading and storing
# values, recording events and syncing the database. Prints one JSON line per repeat, then the
# median. Target: orchestration < 1 % of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline=${1:-build-release/bin/credit_scoring}
repeats=${2:-5}
if [ ! -x "$pipeline" ]; then
  bash scripts/setup.sh >&2
  bash scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DCAIRN_BUILD_TESTS=OFF >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for i in $(seq "$repeats"); do
  home="$work/instance-$i"
  start=$(date +%s%N)
  CAIRN_HOME=$home "$pipeline" materialize --select '*' --stale-only --max-concurrent 1 --json \
    > "$work/run.json" 2> "$work/progress.log"
  end=$(date +%s%N)
  run_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' \
    "$work/run.json")
  CAIRN_HOME=$home "$pipeline" runs show "$run_id" --json > "$work/show.json"
  /usr/bin/python3 - "$work/show.json" "$start" "$end" "$(basename "$pipeline")" <<'EOF'
import json, sys
show = json.load(open(sys.argv[1]))
wall_ms = (int(sys.argv[3]) - int(sys.argv[2])) / 1e6
asset_ms = show["asset_code_ms"]
overhead_ms = wall_ms - asset_ms
print(json.dumps({"pipeline": sys.argv[4], "steps": len(show["steps"]),
                  "wall_ms": round(wall_ms, 1), "asset_code_ms": round(asset_ms, 1),
                  "orchestration_ms": round(overhead_ms, 1),
                  "orchestration_pct": round(100 * overhead_ms / wall_ms, 2)}))
EOF
done | tee "$work/lines.jsonl"
/usr/bin/python3 - "$work/lines.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in rows)
print(f"median of {len(rows)}: wall {med('wall_ms'):.0f} ms, assets' own code "
      f"{med('asset_code_ms'):.0f} ms, orchestration {med('orchestration_ms'):.0f} ms "
      f"({med('orchestration_pct'):.2f} %)")
EOF
