#!/usr/bin/python3
"""Prints the markdown table of docs/results.md from `knit-grn evaluate --json` or
`knit-grn baselines --json` output: per method, AUROC / AUPR per network, the means and
the DREAM overall score (mean of -mean log10 p(AUPR) and -mean log10 p(AUROC)) when every
network has p-values.

    scripts/dream-table.py RESULT.json [RESULT.json ...] [--label SUFFIX] [--top-three DREAM4_DIR] [--p-values]

--p-values prints p(AUROC) / p(AUPR) per network instead of AUROC / AUPR (no means).

--top-three adds the DREAM4 size-100 top three (their published AUROC and AUPR, REFERENCE
§7, three decimals), with p-values and overall scores from the same official null
densities (DREAM4_DIR/scoring/probability_densities), computed as knit's null_p_value does.
"""
import json
import math
import sys


# DREAM4 size 100, networks 1-5: (AUROC, AUPR) as published (REFERENCE §7).
TOP_THREE = [
    ("DREAM4 winner (Pinna et al. 2010)", [0.914, 0.801, 0.833, 0.842, 0.759], [0.536, 0.377, 0.390, 0.349, 0.213]),
    ("DREAM4 2nd", [0.908, 0.797, 0.829, 0.844, 0.763], [0.512, 0.396, 0.380, 0.372, 0.178]),
    ("DREAM4 3rd", [0.870, 0.773, 0.844, 0.827, 0.758], [0.490, 0.327, 0.326, 0.400, 0.159]),
]


def null_p_value(grid, density, score):
    """The official p-value: sum of density * dx over grid points >= score, dx the first step."""
    dx = grid[1] - grid[0]
    return sum(d * dx for x, d in zip(grid, density) if x >= score)


def top_three_rows(dream4_dir, p_values=False):
    columns = []
    for k in range(1, 6):
        path = f"{dream4_dir}/scoring/probability_densities/pdf_size100_{k}.tsv"
        with open(path) as f:
            head = f.readline().split()
            rows = [list(map(float, line.split())) for line in f if line.strip()]
        col = {name: [r[i] for r in rows] for i, name in enumerate(head)}
        columns.append(col)
    out = []
    for name, rocs, prs in TOP_THREE:
        logs, ps = [], []
        for col, roc, pr in zip(columns, rocs, prs):
            p_roc = null_p_value(col["auroc_X"], col["auroc_Y"], roc)
            p_pr = null_p_value(col["aupr_X"], col["aupr_Y"], pr)
            ps.append((p_roc, p_pr))
            logs.append((math.log10(max(p_pr, 1e-300)), math.log10(max(p_roc, 1e-300))))
        if p_values:
            out.append(f"| {name} | " + " | ".join(f"{a:.1e} / {b:.1e}" for a, b in ps) + " |")
            continue
        overall = 0.5 * (-sum(a for a, _ in logs) / 5 - sum(b for _, b in logs) / 5)
        cells = " | ".join(f"{r:.3f} / {p:.3f}" for r, p in zip(rocs, prs))
        out.append(f"| {name} | {cells} | {sum(rocs) / 5:.3f} | {sum(prs) / 5:.3f} | {overall:.2f} |")
    return out


def main():
    args = sys.argv[1:]
    label, top_three = "", None
    if "--label" in args:
        i = args.index("--label")
        label, args = " " + args[i + 1], args[:i] + args[i + 2:]
    p_values = "--p-values" in args
    args = [a for a in args if a != "--p-values"]
    if "--top-three" in args:
        i = args.index("--top-three")
        top_three, args = args[i + 1], args[:i] + args[i + 2:]
    if not args:
        sys.exit(__doc__)
    methods, networks = {}, []
    for path in args:
        with open(path) as f:
            for r in json.load(f)["results"]:
                methods.setdefault(r["method"], {})[r["network"]] = r
                if r["network"] not in networks:
                    networks.append(r["network"])
    if p_values:
        print("| method | " + " | ".join(f"{n} p(AUROC) / p(AUPR)" for n in networks) + " |")
        print("|---" * (len(networks) + 1) + "|")
        for method, rows in methods.items():
            cells = []
            for n in networks:
                r = rows.get(n)
                ok = r is not None and r["p_auroc"] is not None and r["p_aupr"] is not None
                cells.append(f"{r['p_auroc']:.1e} / {r['p_aupr']:.1e}" if ok else "–")
            print(f"| {method}{label} | " + " | ".join(cells) + " |")
        if top_three:
            for row in top_three_rows(top_three, True):
                print(row)
        return
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
    if top_three:
        for row in top_three_rows(top_three):
            print(row)


if __name__ == "__main__":
    main()
