"""The logit baseline job: ``python -m labor_baselines.logit --job-dir DIR``.

Reads DIR/spec.json, fits the conditional logit of model.py for each L2 penalty of the grid
(strongest first, each warm-started from the previous one), keeps the penalty with the lowest
validation log-loss, and writes DIR/output/ (distributions.arrow: one distribution over the
taxonomy per point of the predicted splits; coefficients.json) and DIR/metrics.json.
DIR/checkpoints/penalty-NN.pt is written after each penalty, so a killed job rerun with the same
command resumes after the last finished penalty and ends exactly where an uninterrupted run ends.
DIR/status.json is rewritten as the fit goes; on failure DIR/error.json says why.
Exit codes: 0 done (or already done), 2 invalid input, 1 any other failure.
See baselines/README.md for the full contract.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import signal
import sys
import time

from .errors import FitFailed, Internal, InvalidInput, JobError, OutOfMemory
from .jobdir import JobDir, Logger, fit_job_dir, Status, open_job, read_json, record_failure, replace_dir, write_atomic, write_json_atomic
from .spec import SPLITS, load_spec

MODEL = "logit"
VERSION = 1


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fit_key(spec: dict) -> str:
    """What the fit depends on: the spec without its paths, the inputs' contents, the version."""
    content = {k: v for k, v in spec.items() if k not in ("features", "taxonomy")}
    content.update(version=VERSION, features_sha256=file_sha256(spec["features"]),
                   taxonomy_sha256=file_sha256(spec["taxonomy"]))
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process (user + system): on a shared machine, steadier than wall time."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _already_done(job: JobDir, key: str) -> bool:
    try:
        return (read_json(job.metrics).get("fit_key") == key
                and os.path.exists(os.path.join(job.output, "distributions.arrow"))
                and os.path.exists(os.path.join(job.output, "coefficients.json")))
    except (OSError, ValueError):
        return False


class Fit:
    """One job's fit: the grid of penalties with a checkpoint after each."""

    def __init__(self, spec: dict, key: str, job: JobDir, log: Logger, status: Status):
        import numpy as np
        import torch

        from .data import log_prior, read_design, read_taxonomy
        from .model import LogitModel, make_chunks

        self.spec, self.key, self.job, self.log, self.status = spec, key, job, log, status
        if spec["threads"]:
            torch.set_num_threads(spec["threads"])
        torch.use_deterministic_algorithms(True)
        self.taxonomy = read_taxonomy(spec["taxonomy"], spec["groups"])
        d = read_design(spec["features"], self.taxonomy, spec["use_weights"])
        self.design = d
        self.grid = sorted(spec["penalties"], reverse=True)
        rows = {s: np.flatnonzero(d.split == i) for i, s in enumerate(SPLITS)}
        if len(self.grid) > 1 and len(rows["valid"]) == 0:
            raise InvalidInput(f"{spec['features']}: no point of split 'valid', needed to choose among "
                               f"{len(self.grid)} penalties (give one penalty, or validation points)")
        self.counts = {s: int(len(r)) for s, r in rows.items()}
        self.model = LogitModel(d, log_prior(d, rows["train"]))
        self.subsets = {s: d.subset(r) for s, r in rows.items()}
        self.chunks = {s: make_chunks(self.subsets[s], spec["chunk_size"]) for s in ("train", "valid")}
        log(f"{d.n} points ({', '.join(f'{s} {c}' for s, c in self.counts.items())}), {d.K} states, "
            f"{self.model.n_params()} parameters, {len(d.held_rows)} held-before pairs, "
            f"{len(d.meta['group_names'])} occupation groups")

    def checkpoint_path(self, i: int) -> str:
        return os.path.join(self.job.checkpoints, f"penalty-{i:02d}.pt")

    def load_checkpoint(self, i: int):
        import torch

        path = self.checkpoint_path(i)
        if not os.path.exists(path):
            return None
        ck = torch.load(path, weights_only=True)
        if ck.get("fit_key") != self.key:
            raise InvalidInput(f"{path}: checkpoint of a different spec or input files; delete "
                               f"{self.job.checkpoints} to start over")
        return ck

    def progress(self, i: int):
        """Reports L-BFGS evaluations as the job's steps (at most once a second): the provider shows
        step/total_steps and watches the step for stalls. total_steps bounds them (max_iter x 2 per penalty)."""
        per_penalty = 2 * self.spec["max_iter"]
        last = [0.0]

        def report(count: int, objective: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 1.0:
                last[0] = now
                self.status.update(step=i * per_penalty + count, total_steps=len(self.grid) * per_penalty, loss=objective)
        return report

    def run(self) -> list[dict]:
        import torch

        from .model import fit_penalty

        results = []
        for i, lam in enumerate(self.grid):
            self.status.update(phase="fitting", penalty_index=i, n_penalties=len(self.grid), penalty=lam)
            ck = self.load_checkpoint(i)
            if ck is not None:
                self.model.load(ck["params"])
                results.append(ck["result"])
                self.log(f"penalty {i + 1}/{len(self.grid)} ({lam:g}): resumed from checkpoint "
                         f"(val_nll {ck['result']['val_nll']:.6f})")
                continue
            r = fit_penalty(self.model, self.chunks["train"], lam, self.spec["max_iter"], self.spec["history_size"],
                            self.spec["tolerance"], self.progress(i))
            if not all(map(lambda p: bool(torch.isfinite(p).all()), self.model.parameters())):
                raise FitFailed(f"penalty {lam:g}: the fit diverged (non-finite coefficients); try larger penalties")
            r.update(penalty=lam, train_nll=self.model.mean_nll(self.chunks["train"]),
                     val_nll=self.model.mean_nll(self.chunks["valid"]))
            ck = {"fit_key": self.key, "penalty_index": i, "params": self.model.snapshot(), "result": r}
            write_atomic(self.checkpoint_path(i), lambda tmp: torch.save(ck, tmp))
            results.append(r)
            self.log(f"penalty {i + 1}/{len(self.grid)} ({lam:g}): train_nll {r['train_nll']:.6f} val_nll "
                     f"{r['val_nll']:.6f}, {r['iterations']} iterations, {r['fit_s']:.1f}s")
        return results

    def best_index(self, results: list[dict]) -> int:
        if len(results) == 1:
            return 0
        return min(range(len(results)), key=lambda i: (results[i]["val_nll"], i))

    def write_outputs(self, results: list[dict], best: int) -> dict:
        import math

        import numpy as np
        import pyarrow as pa
        import pyarrow.ipc as ipc

        from .model import make_chunks

        self.status.update(phase="predicting")
        self.model.load(self.load_checkpoint(best)["params"])
        tmp = self.job.output + f".tmp-{os.getpid()}"
        os.makedirs(tmp, exist_ok=True)
        parts = []
        for s in self.spec["predict_splits"]:
            sub = self.subsets[s]
            probs = self.model.probabilities(make_chunks(sub, self.spec["chunk_size"]))
            parts.append((s, sub, probs))
        K = self.design.K
        flat = np.concatenate([p.reshape(-1) for _, _, p in parts]).astype(np.float32)
        n = sum(sub.n for _, sub, _ in parts)
        codes = self.taxonomy.codes
        table = pa.table({
            "person_id": pa.array([pid for _, sub, _ in parts for pid in sub.person_id], pa.string()),
            "split": pa.array([s for s, sub, _ in parts for _ in range(sub.n)], pa.string()),
            "year": pa.array(np.concatenate([sub.year for _, sub, _ in parts] or [[]]).astype(np.int32), pa.int32()),
            "true_state": pa.array([codes[k] for _, sub, _ in parts for k in sub.y], pa.string()),
            "probs": pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * K),
                                              pa.array(flat, pa.float32())),
        })
        with ipc.new_file(os.path.join(tmp, "distributions.arrow"), table.schema) as w:
            w.write_table(table)
        coefficients = self.coefficients(results[best]["penalty"])
        write_json_atomic(os.path.join(tmp, "coefficients.json"), coefficients, indent=None)
        replace_dir(tmp, self.job.output)

        test_nll = {}
        for s, sub, probs in parts:
            if sub.n:
                p_true = probs[np.arange(sub.n), sub.y].astype(np.float64)
                test_nll[s] = float(-(np.log(np.maximum(p_true, 1e-45)) * sub.weight).sum() / sub.weight.sum())
        r = results[best]
        return {
            "model": MODEL, "version": VERSION, "fit_key": self.key, "weighted": self.spec["use_weights"],
            "best_penalty": r["penalty"], "val_nll": r["val_nll"],
            "val_perplexity": math.exp(r["val_nll"]) if math.isfinite(r["val_nll"]) else None,
            "train_nll": r["train_nll"], "predicted_nll": test_nll,
            "penalties": [{**x, "val_perplexity": math.exp(x["val_nll"]) if math.isfinite(x["val_nll"]) else None}
                          for x in results],
            "n_points": {s: c for s, c in self.counts.items()}, "n_states": K, "n_params": self.model.n_params(),
            "fit_s": sum(x["fit_s"] for x in results), "cpu_s": cpu_s(), "peak_rss_mb": peak_rss_mb(),
            "candidate_coefficients": coefficients["candidate"],
        }

    def coefficients(self, lam: float) -> dict:
        from .data import NUMERIC

        m = self.model
        rnd = lambda a: [float(f"{x:.7g}") for x in a.tolist()]  # noqa: E731 - float32 precision is all there is
        levels = self.design.meta["levels"]
        numeric = m.block("numeric")
        return {
            "model": MODEL, "penalty": lam, "states": self.taxonomy.codes,
            "utility": "intercept[k] + sum of state_specific terms + candidate terms (labor_baselines/model.py)",
            "candidate": dict(zip(m.terms, rnd(m.params["candidate"].detach()))),
            "intercept": rnd(m.block("intercept")[0]),
            "state_specific": {
                **{name: {"levels": lv, "values": [rnd(row) for row in m.block(name)]} for name, lv in levels.items()},
                **{name: rnd(numeric[j]) for j, name in enumerate(NUMERIC)},
            },
            "standardisation": self.design.meta["standardisation"],
            "groups": self.design.meta["group_names"],
        }


def run_job(job_dir: str, echo: bool = True) -> int:
    """Runs (or resumes) the job in `job_dir`; returns the exit code. The caller holds the lock."""
    job = fit_job_dir(job_dir)
    log = Logger(job.log, echo=echo)
    status = Status(job.status)
    if os.path.exists(job.error):
        os.unlink(job.error)
    try:
        status.update(phase="validating")
        spec = load_spec(job.spec)
        for k in ("features", "taxonomy"):
            if not os.path.isfile(spec[k]):
                raise InvalidInput(f"{job.spec}: {k}: file not found: {spec[k]}")
        key = fit_key(spec)
        if _already_done(job, key):
            log("job already finished (metrics.json and output/ match this spec and inputs); nothing to do")
            status.update(state="succeeded", phase="done")
            return 0
        log(f"job {job.root} pid {os.getpid()}: spec {json.dumps(spec, sort_keys=True)}")
        status.update(phase="loading")
        fit = Fit(spec, key, job, log, status)
        results = fit.run()
        best = fit.best_index(results)
        metrics = fit.write_outputs(results, best)
        write_json_atomic(job.metrics, metrics)
        status.update(state="succeeded", phase="done", best_penalty=metrics["best_penalty"],
                      val_nll=metrics["val_nll"])
        log(f"succeeded: best penalty {metrics['best_penalty']:g}, val_nll {metrics['val_nll']:.6f}, "
            f"candidate terms {json.dumps(metrics['candidate_coefficients'])}")
        return 0
    except BaseException as e:  # noqa: BLE001 - every failure must leave error.json behind
        code = record_failure(job, log, status, _classify(e), e)
        if isinstance(e, KeyboardInterrupt):
            raise
        return code


def _classify(e: BaseException) -> JobError:
    if isinstance(e, JobError):
        return e
    if isinstance(e, MemoryError):
        return OutOfMemory("out of host memory (MemoryError); lower chunk_size")
    if isinstance(e, KeyboardInterrupt):
        return FitFailed("interrupted (SIGTERM or SIGINT); rerun the same command to resume after the last "
                         "finished penalty")
    return Internal(f"{type(e).__name__}: {e}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m labor_baselines.logit", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--job-dir", required=True, help="folder holding spec.json; outputs are written there")
    args = ap.parse_args(argv)
    job = fit_job_dir(args.job_dir)
    lock, code = open_job(job)  # the lock is held while this frame lives: until exit
    if lock is None:
        return code

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return run_job(job.root)
    except KeyboardInterrupt:
        return 1
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


if __name__ == "__main__":
    sys.exit(main())
