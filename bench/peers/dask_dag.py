#!/usr/bin/python3
"""Time dask's threaded scheduler on a DAG of N trivial tasks; print one JSON line.

Shapes:  chain  - task i depends on task i-1 (t0 -> t1 -> ... -> t{N-1})
         fanout - root -> N-2 independent middle tasks -> one sink (needs all middles)
Timed:   build_s = constructing the plain-dict graph;
         wall_s  = dask.threaded.get(graph, sink, num_workers=W) (ordering + scheduling + execution),
                   median of --repeat runs (dask caches the W-thread pool, so runs after
                   the first reuse it; the first run also pays thread start-up).
Deep chains: dask's local scheduler and ordering are iterative, so N=100000 chains run fine;
a RecursionError (or any failure) is reported as a JSON line with "error".
"""
import argparse, json, sys, time

import dask
import dask.threaded


def root():
    return 1


def inc(x):
    return x + 1


def total(*xs):
    return sum(xs)


def build(shape, n):
    if shape == "chain":
        g = {"t0": (root,)}
        for i in range(1, n):
            g[f"t{i}"] = (inc, f"t{i-1}")
        return g, f"t{n-1}"
    g = {"root": (root,)}
    mids = [f"m{i}" for i in range(n - 2)]
    for k in mids:
        g[k] = (inc, "root")
    g["sink"] = (total, *mids)
    return g, "sink"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=["chain", "fanout"], required=True)
    ap.add_argument("--n", type=int, required=True, help="total number of tasks (>= 3)")
    ap.add_argument("--workers", type=int, default=2, help="num_workers for dask.threaded.get")
    ap.add_argument("--repeat", type=int, default=1, help="execute R times (same graph), report the median")
    a = ap.parse_args()
    if a.n < 3:
        ap.error("--n must be >= 3")
    out = {"tool": "dask-threaded", "dask": dask.__version__, "shape": a.shape, "n": a.n, "workers": a.workers}

    t0 = time.perf_counter()
    g, sink = build(a.shape, a.n)
    out["build_s"] = round(time.perf_counter() - t0, 6)

    expected = a.n if a.shape == "chain" else 2 * (a.n - 2)
    walls = []
    try:
        for _ in range(max(1, a.repeat)):
            t0 = time.perf_counter()
            result = dask.threaded.get(g, sink, num_workers=a.workers)
            walls.append(time.perf_counter() - t0)
            if result != expected:
                raise RuntimeError(f"wrong result {result!r}, expected {expected}")
    except (RecursionError, RuntimeError, MemoryError) as e:
        out["error"] = f"{type(e).__name__}: {str(e)[:200]}"
        print(json.dumps(out), flush=True)
        return 1
    wall = sorted(walls)[len(walls) // 2]
    out["wall_s"] = round(wall, 6)
    out["per_step_us"] = round(wall / a.n * 1e6, 3)
    if len(walls) > 1:
        out["wall_s_all"] = [round(w, 6) for w in walls]
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
