"""knit's LSTM against PyTorch's, same shapes, same run, one thread.

    /usr/bin/python3 bench/compare/lstm.py --bench BUILD/bench/bench_lstm [--repetitions 5]

Runs bench_lstm (Google Benchmark, OPENBLAS_NUM_THREADS=1) for its train-step and
inference benchmarks, then the same work through torch.nn.LSTM (torch.set_num_threads(1)):

  train step  zero the gradients, forward, L = sum(dy * h_last), backward, Adam step
  model train step  the same for LSTM -> dropout(0.2) -> dense(1, sigmoid) with binary
              cross-entropy on 0/1 labels (issue 18's model), Adam at lr 1e-2
  inference   forward only (torch.no_grad())

at N=100, T=21, F=2, H in {21, 32, 64, 128} and N=256, H=512, float32. bench_lstm runs
each at every SIMD level the CPU has (KNIT_SIMD levels, bench/simd_levels.hpp); knit's
time and the ratio are printed for each level. Both sides use
the same recurrent activation (sigmoid), the same Adam and the same libopenblas (Debian's
torch links it too). Shapes are interleaved (knit, then torch, shape by shape) so that a
change in machine load hits both sides of a ratio alike. Each side reports the median over
repetitions of the mean wall-clock time per iteration; ratio = torch / knit, so ratio > 1
means knit is faster. (CPU-time clocks disagree between the two harnesses on a shared VM,
so only wall clock is compared.) The ratio at the best level is the one to quote; the
others show what each level gives.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

STEPS, FEATURES = 21, 2
SHAPES = [(21, 100), (32, 100), (64, 100), (128, 100), (512, 256)]  # (H, N)


def run_knit(binary, repetitions, name_filter):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [binary, f"--benchmark_filter={name_filter}", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
        check=True, capture_output=True, text=True, env=env)
    results = {}  # level -> seconds, in bench_lstm's order (best level first)
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        # run_name: BM_lstm_train_step/simd:avx2/21/100
        _, level, _, _ = b["run_name"].split("/")
        scale = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        results[level.removeprefix("simd:")] = b["real_time"] * scale
    return results


def time_torch(fn, repetitions, min_seconds):
    for _ in range(2):
        fn()  # warm-up: allocator, first-call dispatch
    walls = []
    for _ in range(repetitions):
        iterations, wall0 = 0, time.perf_counter()
        while True:
            fn()
            iterations += 1
            if time.perf_counter() - wall0 >= min_seconds:
                break
        walls.append((time.perf_counter() - wall0) / iterations)
    return statistics.median(walls)


def run_torch(repetitions, kind, h, n):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(FEATURES, h, batch_first=True)
    opt = torch.optim.Adam(lstm.parameters(), lr=1e-3)
    x = torch.rand(n, STEPS, FEATURES) * 2 - 1
    dy = torch.rand(n, h) * 2 - 1

    def train_step():
        opt.zero_grad()
        out, _ = lstm(x)
        (out[:, -1, :] * dy).sum().backward()
        opt.step()

    def inference():
        with torch.no_grad():
            lstm(x)

    head = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(h, 1), torch.nn.Sigmoid())
    model_opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-2)
    labels = (x[:, :, 0].mean(dim=1, keepdim=True) > 0).float()
    bce = torch.nn.BCELoss()

    def model_train_step():
        model_opt.zero_grad()
        out, _ = lstm(x)
        bce(head(out[:, -1, :]), labels).backward()
        model_opt.step()

    steps = {"train_step": train_step, "model_train_step": model_train_step, "inference": inference}
    # Google Benchmark's default: run each repetition for at least 0.5 s.
    return time_torch(steps[kind], repetitions, 0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, help="path to the bench_lstm binary")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()

    print(f"LSTM, T={STEPS}, F={FEATURES}, float32, one thread, median of {args.repetitions} "
          f"repetitions, wall clock; torch {torch.__version__}")
    header_done = False
    for kind in ("train_step", "model_train_step", "inference"):
        for h, n in SHAPES:
            if kind == "model_train_step" and h == 512:
                continue  # bench_lstm times the model at the paper's shape only
            knit = run_knit(args.bench, args.repetitions, f"BM_lstm_{kind}/simd:[a-z0-9]+/{h}/{n}$")
            if not knit:
                print(f"{kind} H={h} N={n}: missing from bench_lstm's output", file=sys.stderr)
                continue
            if not header_done:
                levels = list(knit)
                print(f"{'benchmark':<26}" + "".join(f"{'knit ' + l + ' ms':>16}" for l in levels)
                      + f"{'torch ms':>12}" + "".join(f"{'torch/' + l:>14}" for l in levels))
                header_done = True
            reference = run_torch(args.repetitions, kind, h, n)
            print(f"{kind + f' H={h} N={n}':<26}" + "".join(f"{knit[l] * 1e3:>16.3f}" for l in levels)
                  + f"{reference * 1e3:>12.3f}" + "".join(f"{reference / knit[l]:>14.2f}" for l in levels),
                  flush=True)


if __name__ == "__main__":
    main()
