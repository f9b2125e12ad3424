#!/usr/bin/python3
"""Chooses evidence-mlp's feature families, architecture and training settings on
simulated networks only (no DREAM4 file is read), and writes the log.

    scripts/select-evidence-mlp.py [--knit-grn PATH] [--work DIR] [--out docs]

Three suites of five simulated 100-gene networks (knit-grn simulate), each with another
experiment design, so the choice does not lean on DREAM4's: A is DREAM4-like (10 series of
21 points over t = 0..1000, every steady-state kind), B has 4 series of 13 points over
t = 0..600, more noise and 50 multifactorial rows, C has no knockdowns and no
multifactorial data (time series, wild type and knockouts). Every candidate runs
`knit-grn evaluate --model evidence-mlp --model-option ...` (leave-one-network-out, DREAM
metric) on each suite. The winner is the candidate with the highest mean AUPR over the 15
networks; a candidate within 0.003 of it that comes earlier in the list (the simpler one,
or the current default) is preferred.

Writes OUT/selection.tsv (one row per candidate and suite) and OUT/selection.md (the
table, the winner, the commit and the commands).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

SUITES = [
    ("A", 201, []),
    ("B", 202, ["--time-series", "4", "--time-points", "13", "--duration", "600", "--noise", "0.08",
                "--multifactorial", "50"]),
    ("C", 203, ["--kinds", "timeseries,wildtype,knockouts"]),
]

# (name, --model-option values). The first is the current default; earlier wins ties.
CANDIDATES = [
    ("default", []),
    ("hidden=32", ["hidden=32"]),
    ("hidden=128,64", ["hidden=128,64"]),
    ("hidden=64,32,16", ["hidden=64,32,16"]),
    ("no family dropout", ["family_dropout=0", "copies=0"]),
    ("family_dropout=0.5 copies=2", ["family_dropout=0.5", "copies=2"]),
    ("ensemble=5", ["ensemble=5"]),
    ("lr=3e-3", ["lr=0.003"]),
    ("no multifactorial/pooled families", ["families=knockout,knockdown,agreement,timeseries"]),
    ("steady-state families only", ["families=knockout,knockdown,agreement,multifactorial,steady-pooled"]),
]
TIE = 0.003


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"select-evidence-mlp: {' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--knit-grn", default=os.path.join(root, "build/release/src/cli/knit-grn"))
    p.add_argument("--work", default=os.path.join(root, "build/selection"))
    p.add_argument("--out", default=os.path.join(root, "docs"))
    a = p.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    commit = run(["git", "-C", root, "rev-parse", "--short", "HEAD"]).strip()
    os.makedirs(a.work, exist_ok=True)

    rows = []  # (candidate, suite, network, auroc, aupr)
    baselines = {}  # suite -> (auroc, aupr) of knockout-z
    for suite, seed, design in SUITES:
        folder = os.path.join(a.work, suite)
        run([a.knit_grn, "simulate", "--out", folder, "--genes", "100", "--networks", "5", "--seed", str(seed),
             "--force", "--json"] + design)
        ko = json.loads(run([a.knit_grn, "baselines", "--data", folder, "--size", "100", "--json"]))
        kz = [r for r in ko["results"] if r["method"] == "knockout-z"]
        baselines[suite] = (statistics.mean(r["auroc"] for r in kz), statistics.mean(r["aupr"] for r in kz))
        for name, options in CANDIDATES:
            cmd = [a.knit_grn, "evaluate", "--data", folder, "--size", "100", "--model", "evidence-mlp",
                   "--no-baselines", "--json", "--seed", "1"]
            if options:
                cmd += ["--model-option"] + options
            result = json.loads(run(cmd))
            for r in result["results"]:
                rows.append((name, suite, r["network"], r["auroc"], r["aupr"]))
            mine = [r for r in rows if r[0] == name and r[1] == suite]
            print(f"suite {suite} {name}: AUROC {statistics.mean(r[3] for r in mine):.3f} "
                  f"AUPR {statistics.mean(r[4] for r in mine):.3f}", file=sys.stderr, flush=True)

    def mean_of(name, suite=None, column=4):
        return statistics.mean(r[column] for r in rows if r[0] == name and (suite is None or r[1] == suite))

    best = max(mean_of(n) for n, _ in CANDIDATES)
    winner = next(n for n, _ in CANDIDATES if mean_of(n) >= best - TIE)
    winner_options = dict(CANDIDATES)[winner]

    tsv = "candidate\tsuite\tnetwork\tauroc\taupr\n" + "".join(
        f"{c}\t{s}\t{n}\t{roc:.4f}\t{pr:.4f}\n" for c, s, n, roc, pr in rows)
    write_atomically(os.path.join(a.out, "selection.tsv"), tsv)

    suites = [s for s, _, _ in SUITES]
    md = ["# evidence-mlp: selection on simulated networks", "",
          f"Written by `scripts/select-evidence-mlp.py` at commit `{commit}`; no DREAM4 file was read.",
          "Leave-one-network-out on three suites of five simulated 100-gene networks, DREAM metric",
          "(all 9,900 ordered pairs), mean over each suite's five networks. Suites:", ""]
    for s, seed, design in SUITES:
        extra = (" " + " ".join(design)) if design else ""
        md.append(f"* {s}: `knit-grn simulate --genes 100 --networks 5 --seed {seed}{extra}`")
    md += ["", "| candidate (`--model-option`) | " + " | ".join(f"{s} AUROC | {s} AUPR" for s in suites) +
           " | mean AUPR |", "|---|" + "---|---|" * len(suites) + "---|"]
    md.append("| knockout-z (baseline) | " + " | ".join(
        f"{baselines[s][0]:.3f} | {baselines[s][1]:.3f}" for s in suites) + " | " +
        f"{statistics.mean(baselines[s][1] for s in suites):.3f} |")
    for name, _ in CANDIDATES:
        cells = " | ".join(f"{mean_of(name, s, 3):.3f} | {mean_of(name, s):.3f}" for s in suites)
        mark = " **(chosen)**" if name == winner else ""
        md.append(f"| {name}{mark} | {cells} | {mean_of(name):.3f} |")
    md += ["", f"Rule: the highest mean AUPR over the 15 networks ({best:.3f}); an earlier candidate within "
           f"{TIE} of it wins. Chosen: **{winner}** (`--model-option {' '.join(winner_options) or '(none)'}`).",
           "", "Per network: `docs/selection.tsv`. Regenerate: `scripts/select-evidence-mlp.py`.", ""]
    write_atomically(os.path.join(a.out, "selection.md"), "\n".join(md))
    print(f"chosen: {winner} {' '.join(winner_options)}")


if __name__ == "__main__":
    main()
