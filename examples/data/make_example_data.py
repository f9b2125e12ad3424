#!/usr/bin/env python3
"""Makes the example data of examples/infer_grn.cpp and README's "Your own data" from
knit's simulator: one 30-gene network in a design unlike DREAM4's (4 time series of 13
points over t = 0..600, released at t = 200; a wild type, a knockout of 10 genes, a
knockdown of 10 genes and 12 multifactorial rows), written as the tables a user has:

  timeseries.csv      experiment,time,G1,...   (one row per time point)
  steady_states.csv   condition,G1,...         (wt, KO:<gene>, KD:<gene>, mf<k>)
  regulators.txt      candidate regulators, one per line (every gene with a target,
                      as a transcription-factor list would name them, plus G1..G3)
  gold_standard.tsv   the truth, DREAM format (every ordered pair, 1 = edge)

  examples/data/make_example_data.py KNIT_GRN [OUT]   (OUT default: examples/data)
Values are rounded to 6 significant digits to keep the files small."""
import csv, os, subprocess, sys, tempfile

knit = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))

def rows(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f]

def clean(name):
    return name.strip('"')

def num(text):
    return f"{float(text):.6g}"

with tempfile.TemporaryDirectory() as work:
    subprocess.run([knit, "simulate", "--out", work, "--genes", "30", "--networks", "1", "--seed", "2024",
                    "--time-series", "4", "--time-points", "13", "--duration", "600", "--release", "200",
                    "--multifactorial", "12"], check=True, stdout=subprocess.DEVNULL)
    base = os.path.join(work, "size30", "insilico_size30_1_")
    series = rows(base + "timeseries.tsv")
    genes = [clean(g) for g in series[0][1:]]
    with open(os.path.join(out, "timeseries.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["experiment", "time"] + genes)
        experiment = 0
        for row in series[1:]:
            if not row or row == [""]:
                experiment += 1
                continue
            w.writerow([f"series{experiment}", num(row[0])] + [num(v) for v in row[1:]])
    with open(os.path.join(out, "steady_states.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["condition"] + genes)
        w.writerow(["wt"] + [num(v) for v in rows(base + "wildtype.tsv")[1]])
        for kind, label in (("knockouts", "KO"), ("knockdowns", "KD")):
            table = rows(base + kind + ".tsv")[1:]
            first = 0 if kind == "knockouts" else 10  # KO of G1..G10, KD of G11..G20
            for g in range(first, first + 10):
                w.writerow([f"{label}:{genes[g]}"] + [num(v) for v in table[g]])
        mf = rows(base + "multifactorial.tsv")[1:]
        for k, row in enumerate(mf):
            w.writerow([f"mf{k + 1}"] + [num(v) for v in row])
    gold = rows(os.path.join(work, "size30", "goldstandard", "DREAM4_GoldStandard_InSilico_Size30_1.tsv"))
    with open(os.path.join(out, "gold_standard.tsv"), "w") as f:
        for r, t, y in gold:
            f.write(f"{r}\t{t}\t{y}\n")
    regulators = sorted({r for r, t, y in gold if y == "1"} | {"G1", "G2", "G3"}, key=lambda g: int(g[1:]))
    with open(os.path.join(out, "regulators.txt"), "w") as f:
        f.write("\n".join(regulators) + "\n")
