"""Benchmark of the logit baseline job: simulated careers over 535 occupations plus the three
special states (538 states), cut to N training transitions (default 100,000), fitted by
``python -m labor_baselines.logit`` in a fresh process. The last line printed is one JSON object:
fit_s (L-BFGS time over the penalty grid), wall_s (the whole job), cpu_s and peak_rss_mb (the
job process), n_transitions (training points), n_states, and more.

    PYTHONPATH=baselines:trainer .venv/bin/python baselines/bench_logit.py [--transitions N] [--penalties 1e-3,1e-4]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))

from simulate import simulate, write_inputs, write_job  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transitions", type=int, default=100_000, help="training transitions (points of split train)")
    ap.add_argument("--occupations", type=int, default=535)
    ap.add_argument("--penalties", default="1e-3,1e-4", help="comma-separated L2 grid")
    ap.add_argument("--max-iter", type=int, default=100)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()

    t0 = time.perf_counter()
    # About 7 points per person and 70% of persons in train: simulate a little more than needed.
    features, tax = simulate(int(args.transitions / 7 / 0.7 * 1.15) + 10, n_occupations=args.occupations, seed=0)
    train = np.cumsum(np.array(features.column("split").to_pylist()) == "train")
    if train[-1] < args.transitions:
        sys.exit(f"simulated only {train[-1]} training transitions, fewer than {args.transitions}")
    features = features.slice(0, int(np.searchsorted(train, args.transitions)) + 1)
    sim_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory(prefix="bench-logit-") as tmp:
        feat, taxp = write_inputs(os.path.join(tmp, "in"), features, tax)
        spec = {"features": feat, "taxonomy": taxp, "penalties": [float(x) for x in args.penalties.split(",")],
                "max_iter": args.max_iter, "threads": args.threads}
        job = write_job(os.path.join(tmp, "job"), spec)
        t1 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "labor_baselines.logit", "--job-dir", job],
                              env={**os.environ, "PYTHONPATH": os.pathsep.join((HERE, os.path.join(os.path.dirname(HERE), "trainer")))}, stderr=subprocess.PIPE, text=True)
        wall_s = time.perf_counter() - t1
        if proc.returncode != 0:
            sys.exit(f"logit job failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        with open(os.path.join(job, "metrics.json")) as f:
            m = json.load(f)

    for r in m["penalties"]:
        print(f"penalty {r['penalty']:g}: {r['iterations']} iterations, {r['evaluations']} evaluations, "
              f"{r['fit_s']:.1f}s, train_nll {r['train_nll']:.4f}, val_nll {r['val_nll']:.4f}")
    print(json.dumps({
        "fit_s": round(m["fit_s"], 2), "wall_s": round(wall_s, 2), "cpu_s": round(m["cpu_s"], 1), "peak_rss_mb": round(m["peak_rss_mb"], 1),
        "n_transitions": m["n_points"]["train"], "n_valid": m["n_points"]["valid"], "n_test": m["n_points"]["test"],
        "n_states": m["n_states"], "n_params": m["n_params"], "penalties": spec["penalties"],
        "best_penalty": m["best_penalty"], "val_perplexity": round(m["val_perplexity"], 3),
        "iterations": sum(r["iterations"] for r in m["penalties"]), "simulate_s": round(sim_s, 2),
    }))


if __name__ == "__main__":
    main()
