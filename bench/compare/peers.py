#!/usr/bin/python3
"""knit against its C++ peers, libtorch and dlib: same models, same shapes, one run.

    /usr/bin/python3 bench/compare/peers.py --build BUILD [--repetitions 5] [--level avx2] [--clock real]

BUILD is a build directory configured with -DKNIT_BUILD_BENCH=ON -DKNIT_BUILD_PEER_BENCH=ON
(docs/performance.md). Runs knit's bench_lstm, bench_conv and bench_composition (at the
given SIMD level where they register one name per level) and the peers' libtorch_models
and dlib_models, each with --benchmark_repetitions, aggregates only, JSON, one thread
(OPENBLAS_NUM_THREADS=1; both peer binaries set their own thread counts to one as well),
and prints one table of medians. All five are Google Benchmark programs, so every column
is the same statistic: the median over repetitions of the mean time per iteration, on the
clock chosen (wall by default, as in the other bench/compare scripts; --clock cpu for
process CPU time). Ratios are peer / knit: > 1 means knit is faster.

The binaries run model group by model group (the LSTM shapes, the paper CNN, the composite
models), knit first, then libtorch, then dlib, so that a change in machine load hits the
sides of a ratio alike. OPENBLAS_CORETYPE is chosen as scripts/blas-env.sh does, for all of
them, unless the caller set it: all three libraries link the same libopenblas.
"""
import argparse
import os
import sys

from common import benchmark_medians, run_benchmark

LSTM_SHAPES = [(21, 100), (32, 100), (64, 100), (128, 100)]  # (H, N), T = 21, F = 2


def rows(level):
    """(group, model, shape, knit name, libtorch name, dlib name or None)."""
    out = []
    for kind, model in (("train_step", "LSTM train step"), ("model_train_step", "LSTM model train step"),
                        ("inference", "LSTM inference")):
        for h, n in LSTM_SHAPES:
            out.append(("lstm", model, f"T=21 F=2 H={h} N={n}", f"BM_lstm_{kind}/simd:{level}/{h}/{n}",
                        f"libtorch/lstm_{kind}/{h}/{n}", None))
    out.append(("cnn", "paper CNN train step", "N=100", f"BM_paper_cnn_train_step/simd:{level}/100",
                "libtorch/paper_cnn_train_step/100", "dlib/paper_cnn_train_step/100"))
    out.append(("cnn", "paper CNN forward", "N=2048", f"BM_paper_cnn_forward/simd:{level}/2048",
                "libtorch/paper_cnn_forward/2048", "dlib/paper_cnn_forward/2048"))
    out.append(("composition", "autoencoder train step", "N=256", "BM_autoencoder_train_step/256",
                "libtorch/autoencoder_train_step/256", "dlib/autoencoder_train_step/256"))
    out.append(("composition", "AE-NN train step", "N=100", "BM_ae_nn_train_step/100",
                "libtorch/ae_nn_train_step/100", "dlib/ae_nn_train_step/100"))
    return out


def blas_env():
    """The environment of every run: one BLAS thread and scripts/blas-env.sh's kernels."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    if "OPENBLAS_CORETYPE" not in env:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
        if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= set(flags):
            env["OPENBLAS_CORETYPE"] = "SkylakeX"
        elif {"avx2", "fma"} <= set(flags):
            env["OPENBLAS_CORETYPE"] = "Haswell"
    return env


def exact(names):
    """A --benchmark_filter matching exactly these run names (they hold no regex characters)."""
    return "^(" + "|".join(names) + ")$"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="build directory (with the peer benchmarks)")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--level", default="avx2", help="knit's SIMD level (see --benchmark_list_tests)")
    parser.add_argument("--clock", choices=("real", "cpu"), default="real")
    args = parser.parse_args()
    if args.repetitions < 2:
        parser.error("--repetitions must be at least 2 (Google Benchmark reports no median for one)")

    knit_bins = {"lstm": "bench_lstm", "cnn": "bench_conv", "composition": "bench_composition"}
    # peer -> (binary, its column in rows())
    peers = {"libtorch": (os.path.join(args.build, "bench", "compare", "libtorch_models"), 4),
             "dlib": (os.path.join(args.build, "bench", "compare", "dlib_models"), 5)}
    for peer, (path, _) in list(peers.items()):
        if not os.access(path, os.X_OK):
            print(f"peers.py: {path} not built (-DKNIT_BUILD_PEER_BENCH=ON); no {peer} column", file=sys.stderr)
            del peers[peer]
    env = blas_env()
    table = rows(args.level)
    medians, versions = {}, {}
    for group, binary in knit_bins.items():
        wanted = [r for r in table if r[0] == group]
        runs = [(os.path.join(args.build, "bench", binary), [r[3] for r in wanted])]
        runs += [(path, [r[column] for r in wanted if r[column]]) for path, column in peers.values()]
        for path, names in runs:
            if not names:
                continue
            data = run_benchmark(path, exact(names), args.repetitions, env)
            for b in data["benchmarks"]:
                if b.get("error_occurred"):
                    print(f"peers.py: {b['run_name']}: {b.get('error_message')}", file=sys.stderr)
            medians.update(benchmark_medians(data, args.clock))
            for key in ("libtorch", "dlib"):
                if key in data["context"]:
                    versions[key] = data["context"][key]

    print(f"{args.clock} time, median of {args.repetitions} repetitions, one thread, float32; knit at "
          f"simd:{args.level}; OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE', '(unset)')}; "
          + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{'model':<24}{'shape':<22}{'knit ms':>10}{'libtorch ms':>13}{'dlib ms':>10}"
          f"{'libtorch/knit':>15}{'dlib/knit':>11}")

    def ms(name):
        return medians.get(name) if name else None

    for _, model, shape, k_name, t_name, d_name in table:
        k, t, d = ms(k_name), ms(t_name), ms(d_name)
        cell = lambda v: f"{v / 1e6:.3f}" if v else "-"
        ratio = lambda v: f"{v / k:.2f}x" if v and k else "-"
        print(f"{model:<24}{shape:<22}{cell(k):>10}{cell(t):>13}{cell(d):>10}{ratio(t):>15}{ratio(d):>11}")


if __name__ == "__main__":
    main()
