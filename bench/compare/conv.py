#!/usr/bin/python3
"""knit vs PyTorch on the paper's CNN shapes, one thread, float32, in one run.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/compare/conv.py --knit-bench BUILD/bench/bench_conv

Runs bench_conv (Google Benchmark, JSON) and then the same work through PyTorch:
the three Conv2D(2x3, Keras "same", relu) layers of the paper's CNN at N = 100 (forward,
backward, forward + backward) and a whole train step of the CNN (softmax cross-entropy,
Adam lr 1e-3) at N = 100 and N = 2,816, and the CNN's forward pass alone (inference,
softmax included, no autograd) at N = 2,048. bench_conv runs each benchmark at every SIMD
level the CPU has (KNIT_SIMD levels, bench/simd_levels.hpp). Prints per shape: knit's median
at each level, torch's median, and torch / knit at each level (> 1 means knit is faster).

Keras "same" for a 2x3 kernel pads 0 rows above, 1 below and 1 column each side; torch
gets the same asymmetric padding through F.pad, as in the fixture script.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import torch
import torch.nn.functional as F

PAPER_CONVS = [(1, 4, 24, 50), (50, 4, 12, 25), (25, 4, 6, 15)]  # (C, H, W, filters)
SAME_2X3 = (1, 1, 0, 1)  # F.pad order: left, right, top, bottom


def run_knit(binary, repetitions, bench_filter):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [binary, "--benchmark_format=json", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", f"--benchmark_filter={bench_filter}"],
        check=True, capture_output=True, text=True, env=env).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
            medians[b["run_name"]] = b["real_time"] * scale
    return medians


def median_time(fn, repetitions, min_time=0.2, setup=None):
    """Median over `repetitions` of the mean time per call within a ~min_time batch."""
    for _ in range(3):  # warm-up
        if setup:
            fn(setup())
        else:
            fn()
    samples = []
    for _ in range(repetitions):
        calls, elapsed = 0, 0.0
        while elapsed < min_time or calls < 2:
            state = setup() if setup else None
            t0 = time.perf_counter()
            fn() if state is None else fn(state)
            elapsed += time.perf_counter() - t0
            calls += 1
        samples.append(elapsed / calls)
    return statistics.median(samples)


class PaperCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = torch.nn.ModuleList(
            [torch.nn.Conv2d(c, f, (2, 3)) for c, _, _, f in PAPER_CONVS])
        self.d1 = torch.nn.Linear(180, 120)
        self.d2 = torch.nn.Linear(120, 100)
        self.d3 = torch.nn.Linear(100, 2)

    def forward(self, x):
        x = F.pad(x, (1, 2, 1, 1))  # 2 x 21 -> 4 x 24
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(F.pad(x, SAME_2X3))), (1, 2))
        x = torch.flatten(x, 1)
        return self.d3(F.relu(self.d2(F.relu(self.d1(x)))))


def torch_conv_times(n, shape, repetitions):
    c, h, w, f = shape
    g = torch.Generator().manual_seed(1)
    x = torch.rand(n, c, h, w, generator=g) * 2 - 1
    weight = (torch.rand(f, c, 2, 3, generator=g) - 0.5).requires_grad_(True)
    bias = (torch.rand(f, generator=g) - 0.5).requires_grad_(True)
    xg = x.clone().requires_grad_(True)
    dy = torch.rand(n, f, h, w, generator=g) * 2 - 1

    def forward(inp):
        return F.relu(F.conv2d(F.pad(inp, SAME_2X3), weight, bias))

    with torch.no_grad():
        t_fwd = median_time(lambda: forward(x), repetitions)

    def fwd_bwd():
        y = forward(xg)
        y.backward(dy)
    t_both = median_time(fwd_bwd, repetitions)
    # backward alone: the graph is built outside the timed region
    t_bwd = median_time(lambda y: y.backward(dy), repetitions, setup=lambda: forward(xg))
    return t_fwd, t_bwd, t_both


def torch_train_step(n, repetitions):
    torch.manual_seed(7)
    model = PaperCnn()
    assert sum(p.numel() for p in model.parameters()) == 44162
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(3)
    x = torch.rand(n, 1, 2, 21, generator=g) * 2 - 1
    y = torch.randint(0, 2, (n,), generator=g)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return median_time(step, repetitions, min_time=0.5 if n > 1000 else 0.2)


def torch_forward(n, repetitions):
    torch.manual_seed(7)
    model = PaperCnn().eval()
    g = torch.Generator().manual_seed(3)
    x = torch.rand(n, 1, 2, 21, generator=g) * 2 - 1

    def forward():
        with torch.no_grad():
            torch.softmax(model(x), dim=1)
    return median_time(forward, repetitions, min_time=0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knit-bench", required=True, help="path to the bench_conv binary")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    knit = run_knit(args.knit_bench, args.repetitions, ".")

    # run names are "<benchmark>/simd:<level>/<args>", best level first as registered
    levels = []
    for name in knit:
        level = name.split("/")[1].removeprefix("simd:")
        if level not in levels:
            levels.append(level)

    def at_levels(benchmark, arguments):
        return [knit[f"{benchmark}/simd:{level}/{arguments}"] for level in levels]

    rows = []
    for i, shape in enumerate(PAPER_CONVS):
        t_fwd, t_bwd, t_both = torch_conv_times(100, shape, args.repetitions)
        label = f"conv{i + 1} {shape[0]}x{shape[1]}x{shape[2]} -> {shape[3]}, N=100"
        rows.append((label + " forward", at_levels("BM_conv_forward", f"100/{i}"), t_fwd))
        rows.append((label + " backward", at_levels("BM_conv_backward", f"100/{i}"), t_bwd))
        rows.append((label + " fwd+bwd", at_levels("BM_conv_forward_backward", f"100/{i}"), t_both))
    for n in (100, 2816):
        rows.append((f"paper CNN train step, N={n}", at_levels("BM_paper_cnn_train_step", n),
                     torch_train_step(n, args.repetitions)))
    rows.append(("paper CNN forward (inference), N=2048", at_levels("BM_paper_cnn_forward", 2048),
                 torch_forward(2048, args.repetitions)))

    print(f"torch {torch.__version__}, 1 thread, float32, medians of {args.repetitions} repetitions")
    header = f"{'shape':<44}" + "".join(f" {'knit ' + l:>13}" for l in levels) + f" {'torch':>11}"
    header += "".join(f" {'torch/' + l:>13}" for l in levels)
    print(header)
    for label, ks, t in rows:
        line = f"{label:<44}" + "".join(f" {k * 1e3:>11.3f}ms" for k in ks) + f" {t * 1e3:>9.3f}ms"
        line += "".join(f" {t / k:>12.2f}x" for k in ks)
        print(line)


if __name__ == "__main__":
    main()
