"""knit against scikit-learn on the same data, timed the same way: average precision and
ROC AUC on 10^6 unsorted scores with about 2% positives.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/compare/metrics.py --bench build/release/bench/bench_metrics

The script draws the scores and labels once, in random order, and writes them to one
file together with sklearn's two results. It times sklearn on the arrays in memory
(median of 5 runs, each the mean over repeated calls, wall clock), then runs bench_metrics
with KNIT_METRICS_FILE pointing at that file: knit reads the same numbers, checks it
reproduces sklearn's results to 1e-10, and times its metrics on the arrays in memory the
same way (Google Benchmark, median of 5 repetitions, wall clock). Neither side times the
file; both times include the metric's own sort.
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from common import median_ns


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, help="path to the bench_metrics binary")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--n", type=int, default=1_000_000, help="scores")
    args = parser.parse_args()

    rng = np.random.default_rng(42)
    labels = (rng.random(args.n) < 0.02).astype(np.int64)
    scores = rng.normal(size=args.n) + labels  # random order: nothing is sorted beforehand
    ap = average_precision_score(labels, scores)
    auc = roc_auc_score(labels, scores)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "scores.txt")
        with open(path, "w") as f:
            f.write(f"# sklearn average_precision={ap!r} roc_auc={auc!r}\n")
            f.writelines(f"{s!r} {l}\n" for s, l in zip(scores.tolist(), labels.tolist()))
        env = dict(os.environ, KNIT_METRICS_FILE=path, OPENBLAS_NUM_THREADS="1")
        run = subprocess.run(
            [args.bench, "--benchmark_filter=BM_file_", f"--benchmark_repetitions={args.repetitions}",
             "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
            env=env, check=True, capture_output=True, text=True)
    report = json.loads(run.stdout)
    for b in report["benchmarks"]:
        if b.get("error_occurred"):
            raise SystemExit(f"metrics.py: {b['name']}: {b.get('error_message')}")
    knit_ms = {b["run_name"]: b["real_time"] for b in report["benchmarks"] if b.get("aggregate_name") == "median"}
    assert all(b["time_unit"] == "ms" for b in report["benchmarks"])

    print(f"n = {args.n} unsorted scores, {labels.sum()} positives; AP {ap:.6f}, ROC AUC {auc:.6f} (knit equal to 1e-10)")
    print(f"{'metric':20s} {'knit ms':>10s} {'sklearn ms':>11s} {'sklearn/knit':>13s}")
    for name, metric, knit_name in [("average precision", average_precision_score, "BM_file_average_precision"),
                                    ("ROC AUC", roc_auc_score, "BM_file_roc_auc")]:
        sk_ms = median_ns(lambda: metric(labels, scores), repeats=args.repetitions, min_seconds=2) / 1e6
        k_ms = knit_ms[knit_name]
        print(f"{name:20s} {k_ms:10.1f} {sk_ms:11.1f} {sk_ms / k_ms:12.2f}x")


if __name__ == "__main__":
    main()
