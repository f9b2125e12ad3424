"""Shared by the bench/compare/ scripts: read knit's Google Benchmark medians from its
JSON output, time a PyTorch callable the same way (median of repeated runs), and print
the side-by-side table.

Every script runs as:
    OPENBLAS_NUM_THREADS=1 build/release/bench/bench_X --benchmark_repetitions=7 \
        --benchmark_report_aggregates_only=true --benchmark_format=json > knit_X.json
    /usr/bin/python3 bench/compare/X.py knit_X.json
"""
import json
import os
import statistics
import subprocess
import time

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def benchmark_medians(data, clock="real"):
    """{run name: median time in ns} from Google Benchmark's parsed JSON output;
    clock is "real" (wall) or "cpu"."""
    return {
        b["run_name"]: b[f"{clock}_time"] * UNIT_NS[b["time_unit"]]
        for b in data["benchmarks"]
        if b.get("aggregate_name") == "median"
    }


def knit_medians(path):
    """{benchmark run name: median real time in ns} from a --benchmark_format=json file."""
    if path is None:
        return {}
    with open(path) as f:
        return benchmark_medians(json.load(f))


def run_benchmark(binary, name_filter, repetitions, env=None):
    """Runs a Google Benchmark binary on the benchmarks matching name_filter, with
    `repetitions` repetitions, aggregates only, and returns its parsed JSON output."""
    out = subprocess.run(
        [binary, f"--benchmark_filter={name_filter}", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
        check=True, capture_output=True, text=True, env=env if env is not None else os.environ)
    return json.loads(out.stdout)


def median_ns(step, repeats=7, min_seconds=0.2, warmup=3):
    """Median over `repeats` runs of the mean time of one call to step(), in ns."""
    import torch  # here, so that scripts timing only C++ binaries need no PyTorch

    torch.set_num_threads(1)
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < min_seconds / 4 or calls < 1:
        step()
        calls += 1
    per_run = max(1, int(calls * 4 / repeats))
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(per_run):
            step()
        runs.append((time.perf_counter_ns() - t0) / per_run)
    return statistics.median(runs)


def print_table(rows):
    """rows: (name, knit_ns or None, torch_ns). Ratio = torch / knit (> 1: knit faster)."""
    print(f"{'shape':44s} {'knit median':>14s} {'torch median':>14s} {'torch/knit':>11s}")
    for name, knit_ns, torch_ns in rows:
        k = f"{knit_ns / 1e3:11.1f} us" if knit_ns else f"{'-':>14s}"
        r = f"{torch_ns / knit_ns:10.2f}x" if knit_ns else f"{'-':>11s}"
        print(f"{name:44s} {k} {torch_ns / 1e3:11.1f} us {r}")
