#!/usr/bin/python3
"""Prints the markdown table of docs/results.md from `knit-grn evaluate --json` or
`knit-grn baselines --json` output: per method, AUROC / AUPR per network, the means and
the DREAM overall score (mean of -mean log10 p(AUPR) and -mean log10 p(AUROC)) when every
network has p-values.

    scripts/dream-table.py RESULT.json [RESULT.json ...] [--label SUFFIX]
"""
import json
import math
import sys


def main():
    args = sys.argv[1:]
    label = ""
    if "--label" in args:
        i = args.index("--label")
        label, args = " " + args[i + 1], args[:i] + args[i + 2:]
    if not args:
        sys.exit(__doc__)
    methods, networks = {}, []
    for path in args:
        with open(path) as f:
            for r in json.load(f)["results"]:
                methods.setdefault(r["method"], {})[r["network"]] = r
                if r["network"] not in networks:
                    networks.append(r["network"])
    head = "| method | " + " | ".join(f"{n} AUROC / AUPR" for n in networks) + " | mean AUROC | mean AUPR | overall |"
    print(head)
    print("|---" * (len(networks) + 4) + "|")
    for method, rows in methods.items():
        cells, rocs, prs, logs = [], [], [], []
        for n in networks:
            r = rows.get(n)
            if r is None:
                cells.append("–")
                continue
            cells.append(f"{r['auroc']:.3f} / {r['aupr']:.3f}")
            rocs.append(r["auroc"])
            prs.append(r["aupr"])
            if r["p_auroc"] is not None and r["p_aupr"] is not None:
                logs.append((math.log10(max(r["p_aupr"], 1e-300)), math.log10(max(r["p_auroc"], 1e-300))))
        overall = "–"
        if len(logs) == len(networks) and logs:
            overall = f"{0.5 * (-sum(a for a, _ in logs) / len(logs) - sum(b for _, b in logs) / len(logs)):.2f}"
        print(f"| {method}{label} | " + " | ".join(cells) +
              f" | {sum(rocs) / len(rocs):.3f} | {sum(prs) / len(prs):.3f} | {overall} |")


if __name__ == "__main__":
    main()
