"""Benchmark of the CAREER-style job: careers from a random first-order Markov chain over 535
occupations plus the three special states (538 states), N training transitions (default
20,000), fitted by ``python -m labor_trainer.career`` with its default model in a fresh process.
The last line printed is one JSON object: fit_s (training time), wall_s (the whole job), cpu_s
and peak_rss_mb (the job process), steps, n_params, n_transitions, n_states, val_perplexity.

    PYTHONPATH=trainer .venv/bin/python trainer/bench_career.py [--transitions N] [--epochs E] [--threads T]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import pyarrow.compute as pc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))

from career_data import simulate, taxonomy_table, transition_matrix, write_arrow, write_job  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transitions", type=int, default=20_000, help="training transitions (points of split train)")
    ap.add_argument("--occupations", type=int, default=535)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()

    K = args.occupations + 3
    # 6 points per person on average and 70% of persons in train.
    table = simulate(int(args.transitions / 6 / 0.7 * 1.05) + 10, transition_matrix(K, seed=0), seed=0)
    n_train = int(pc.sum(pc.equal(table.column("split"), "train")).as_py())
    with tempfile.TemporaryDirectory(prefix="bench-career-") as d:
        spec = {"features": write_arrow(os.path.join(d, "pf.arrow"), table),
                "taxonomy": write_arrow(os.path.join(d, "tax.arrow"), taxonomy_table(args.occupations)),
                "epochs": args.epochs, "threads": args.threads, "device": args.device}
        job = write_job(os.path.join(d, "job"), spec)
        env = {**os.environ, "PYTHONPATH": HERE}
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "labor_trainer.career", "--job-dir", job], env=env,
                              stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"job failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        with open(os.path.join(job, "metrics.json")) as f:
            m = json.load(f)
    print(f"{n_train} training transitions, {K} states: {m['steps']} steps, fit {m['fit_s']:.1f}s, "
          f"wall {wall:.1f}s, peak RSS {m['peak_rss_mb']:.0f} MB", file=sys.stderr)
    print(json.dumps({"fit_s": round(m["fit_s"], 2), "wall_s": round(wall, 2), "cpu_s": round(m["cpu_s"], 2),
                      "peak_rss_mb": round(m["peak_rss_mb"], 1), "steps": m["steps"], "n_params": m["n_params"],
                      "n_transitions": n_train, "n_states": K, "epochs": args.epochs, "threads": args.threads,
                      "val_perplexity": round(m["val_perplexity"], 2)}))


if __name__ == "__main__":
    main()
