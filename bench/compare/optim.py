"""Times one torch.optim step over the shapes of bench/bench_optim.cpp, one thread, and
prints knit's medians (wall and CPU time) beside it when given the JSON of a bench_optim run.

    OPENBLAS_NUM_THREADS=1 ./bench_optim --benchmark_repetitions=7 \
        --benchmark_report_aggregates_only=true --benchmark_format=json > knit_optim.json
    /usr/bin/python3 bench/compare/optim.py knit_optim.json

torch.optim steps one 100k-element float tensor (a single parameter, so the Python
overhead per step is counted once, as a real model with one flat buffer would see it).
Benchmarks that bench_optim runs at every SIMD level ("<name>/simd:<level>/<args>",
bench/simd_levels.hpp) get one row per level, best level first, against the same torch time.
"""
import json
import statistics
import sys
import time

import torch

N = 100_000
REPEATS = 7


def median_step_ns(make_optimizer, dtype):
    torch.manual_seed(3)
    p = torch.randn(N, dtype=dtype, requires_grad=True)
    p.grad = 0.1 * torch.randn(N, dtype=dtype)
    opt = make_optimizer([p])
    for _ in range(20):
        opt.step()
    wall, cpu = [], []
    for _ in range(REPEATS):
        iters = 500
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(iters):
            opt.step()
        wall.append((time.perf_counter_ns() - start) / iters)
        cpu.append((time.process_time_ns() - start_cpu) / iters)
    return statistics.median(wall), statistics.median(cpu)


# (knit benchmark, its arguments, the torch optimiser, dtype)
CASES = [
    ("BM_adam_step<float>", "100000", lambda ps: torch.optim.Adam(ps, lr=1e-3), torch.float32),
    ("BM_adam_step<double>", "100000", lambda ps: torch.optim.Adam(ps, lr=1e-3), torch.float64),
    ("BM_adam_step_amsgrad", "100000", lambda ps: torch.optim.Adam(ps, lr=1e-3, amsgrad=True), torch.float32),
    ("BM_sgd_momentum_step", "100000", lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9), torch.float32),
    ("BM_rmsprop_step", "100000", lambda ps: torch.optim.RMSprop(ps, lr=1e-3, alpha=0.9, eps=1e-7),
     torch.float32),
]


def knit_medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            unit = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
            out[b["run_name"]] = (b["real_time"] * unit, b["cpu_time"] * unit)
    return out


def knit_runs(knit, benchmark, arguments):
    """(label, (wall ns, cpu ns)) of each run of one knit benchmark: one per SIMD level if it
    is registered per level, in the order the JSON lists them, else the single run (NaN if
    the JSON lacks it)."""
    prefix, suffix = f"{benchmark}/simd:", f"/{arguments}"
    runs = [(name[len(benchmark) + 1:-len(suffix)], times) for name, times in knit.items()
            if name.startswith(prefix) and name.endswith(suffix)]
    if runs:
        return [(f"{benchmark}/{level}/{arguments}", times) for level, times in runs]
    return [(f"{benchmark}/{arguments}", knit.get(f"{benchmark}/{arguments}", (float("nan"), float("nan"))))]


def main():
    torch.set_num_threads(1)
    knit = knit_medians(sys.argv[1]) if len(sys.argv) > 1 else {}
    # The machine is shared: CPU time (process time) is less disturbed than wall time.
    print(f"{'case':40s} {'knit wall us':>12s} {'torch wall us':>13s} {'ratio':>6s}"
          f" {'knit cpu us':>12s} {'torch cpu us':>13s} {'ratio':>6s}")
    for benchmark, arguments, make, dtype in CASES:
        t_wall, t_cpu = median_step_ns(make, dtype)
        for label, (k_wall, k_cpu) in knit_runs(knit, benchmark, arguments):
            print(f"{label:40s} {k_wall / 1e3:12.1f} {t_wall / 1e3:13.1f} {k_wall / t_wall:6.2f}"
                  f" {k_cpu / 1e3:12.1f} {t_cpu / 1e3:13.1f} {k_cpu / t_cpu:6.2f}")


if __name__ == "__main__":
    main()
