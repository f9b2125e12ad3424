"""scikit-learn timings for the shapes of bench/bench_metrics.cpp (10^6 scores, about 2%
positives): average_precision_score and roc_auc_score, median of 5 runs.

    /usr/bin/python3 bench/compare/metrics.py

Prints per metric the sklearn median in ms; compare with the bench_metrics medians
(BM_average_precision, BM_roc_auc). There is no Python DREAM scorer to compare against here.
"""
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def median_ms(f, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    rng = np.random.default_rng(42)
    n = 1_000_000
    labels = (rng.random(n) < 0.02).astype(np.int64)
    scores = rng.normal(size=n) + labels
    for name, metric in [("average_precision", average_precision_score), ("roc_auc", roc_auc_score)]:
        print(f"{name:18s} n={n}  sklearn median {median_ms(lambda: metric(labels, scores)):8.1f} ms")


if __name__ == "__main__":
    main()
