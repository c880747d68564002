"""The CAREER-style job: ``python -m labor_trainer.career --job-dir DIR``.

Reads DIR/spec.json, builds careers from point_features.arrow, trains a small causal transformer
(optionally pretrained on another population first), keeps the best validation weights and
writes DIR/output/distributions.arrow (one distribution over the taxonomy per point of the
predicted splits, the logit baseline's columns) and DIR/metrics.json. DIR/checkpoints/latest.pt
is saved every checkpoint_every steps, at phase ends and on SIGTERM, so rerunning the same
command resumes and ends exactly where an uninterrupted run ends. Exit codes: 0 done (or already
done), 1 failure (or a busy job folder), 2 invalid input, 3 cancelled (DIR/cancelled), 75
interrupted by a signal (checkpoint saved: rerun to resume). See trainer/README.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os

from ..errors import InvalidInput, classify
from ..jobdir import JobDir, Logger, open_job, read_json, write_json_atomic
from ..status import Status
from ..stop import StopRequests, end_early, run_stoppable
from .spec import PATHS, load_spec

LOG_NAME = "train.log"


def career_job_dir(root: str) -> JobDir:
    return JobDir(os.path.abspath(root), log_name=LOG_NAME, owner="career")


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fit_key(spec: dict) -> str:
    """What the result depends on: the spec without its paths and threads, the inputs' contents."""
    from .output import VERSION

    content = {k: v for k, v in spec.items() if k not in (*PATHS, "threads")}
    content.update(version=VERSION, **{f"{k}_sha256": file_sha256(spec[k]) for k in PATHS if spec[k]})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _already_done(job: JobDir, key: str) -> dict | None:
    try:
        m = read_json(job.metrics)
        ok = m.get("fit_key") == key and os.path.exists(os.path.join(job.output, "distributions.arrow"))
        return m if ok else None
    except (OSError, ValueError):
        return None


def configure_torch(spec: dict):
    if spec["device"] == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # before CUDA starts: deterministic cuBLAS
    import torch

    if spec["threads"]:
        torch.set_num_threads(spec["threads"])
    torch.use_deterministic_algorithms(True, warn_only=spec["device"] == "cuda")
    if spec["device"] == "cuda" and not torch.cuda.is_available():
        raise InvalidInput("spec.device: 'cuda' but no CUDA device is usable here (use 'cpu')")
    torch.manual_seed(spec["seed"])
    return torch.device(spec["device"])


def run_job(job_dir: str, echo: bool = True, stops: StopRequests | None = None) -> int:
    """Runs (or resumes) the job in `job_dir`; returns the exit code. The caller holds the lock."""
    job = career_job_dir(job_dir)
    log = Logger(job.log, echo=echo)
    status = Status(job.status)
    stops = stops or StopRequests(job.cancel_request)
    if os.path.exists(job.error):
        os.unlink(job.error)
    try:
        status.update(phase="validating")
        spec = load_spec(job.spec)
        for k in PATHS:
            if spec[k] and not os.path.isfile(spec[k]):
                raise InvalidInput(f"{job.spec}: spec.{k}: file not found: {spec[k]}")
        key = fit_key(spec)
        done = _already_done(job, key)
        if done is not None:
            log("job already finished (metrics.json and output/ match this spec and inputs); nothing to do")
            status.update(state="succeeded", phase="done", step=done["steps"], total_steps=done["total_steps"],
                          val_loss=done["val_nll"], best_val_loss=done["val_nll"])
            return 0
        if (stop := stops.check(force=True)) is not None:  # cancelled while queued: do not start
            raise stop
        log(f"job {job.root} pid {os.getpid()}: spec {json.dumps(spec, sort_keys=True)}")
        device = configure_torch(spec)
        from .setup import build

        status.update(phase="loading")
        with status.keepalive():
            fit, data = build(spec, key, job, log, status, stops, device)
        stops.defer_signals = True  # from here a signal stops the job at the next step boundary
        fit.resume()
        fit.run()
        stops.defer_signals = False
        if (stop := stops.check(force=True)) is not None:
            raise stop
        metrics = data.finish(fit)
        write_json_atomic(job.metrics, metrics)
        status.update(state="succeeded", phase="done", step=fit.st["step"], val_loss=metrics["val_nll"],
                      best_val_loss=metrics["val_nll"])
        log(f"succeeded: {json.dumps({k: metrics[k] for k in ('val_nll', 'val_perplexity', 'predicted_nll', 'steps', 'n_params', 'fit_s', 'peak_rss_mb')})}")
        return 0
    except BaseException as e:  # noqa: BLE001 - every failure must leave error.json behind
        hint = "lower batch_size or max_len"
        return end_early(job, log, status, e, classify(e, gpu_hint=hint, host_hint=hint))
    finally:
        stops.defer_signals = False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m labor_trainer.career", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--job-dir", required=True, help="folder holding spec.json; outputs are written there")
    args = ap.parse_args(argv)
    job = career_job_dir(args.job_dir)
    lock, code = open_job(job)  # the lock is held while this frame lives: until exit
    if lock is None:
        return code
    return run_stoppable(job.cancel_request, lambda stops: run_job(job.root, stops=stops))
