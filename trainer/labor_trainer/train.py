"""The training job: ``python -m labor_trainer.train --job-dir DIR [--dry-run]``.

Reads DIR/spec.json, trains, keeps DIR/checkpoints/ (latest, for resuming) and DIR/best/
(best validation loss), exports DIR/output/ (HF weights + ONNX model folder) and writes
DIR/metrics.json. DIR/status.json is rewritten atomically as training goes; on failure
DIR/error.json says why. Exit codes: 0 done, 1 failure, 2 invalid input, 3 cancelled (a
DIR/cancelled request), 75 interrupted by a signal (checkpoint saved: rerun to resume).
Rerunning with the same --job-dir resumes from DIR/checkpoints/ (or does nothing if done).
See trainer/README.md for the full contract. The work itself: loop.py (training),
checkpoint.py, export.py, status.py (status.json), stop.py (signals and cancel requests).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys

from .errors import InvalidInput, classify
from .jobdir import JobDir, Logger, open_job, write_json_atomic
from .spec import load_spec
from .status import Status
from .stop import StopRequests, Stopped, end_early, run_stoppable

GPU_MEMORY_HINT = "lower batch_size (raise grad_accum to keep the effective batch) or max_seq_len, or use method lora / precision bf16"


def spec_hash(spec: dict) -> str:
    # threads changes speed, not results; everything else must match to resume.
    keep = {k: v for k, v in spec.items() if k not in ("threads",)}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def texts_sha256(texts: str | list[str]) -> str:
    # One file: its own digest, as before pooling existed (so older checkpoints still resume).
    if isinstance(texts, str):
        return file_sha256(texts)
    return hashlib.sha256("\n".join(file_sha256(p) for p in texts).encode()).hexdigest()


def configure_torch(spec: dict) -> None:
    if spec["device"] == "cuda":
        # cuBLAS needs this, set before CUDA initialises, to be deterministic.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import numpy as np
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # train.log and stderr stay line-oriented
    if spec["threads"]:
        torch.set_num_threads(spec["threads"])
    torch.use_deterministic_algorithms(True, warn_only=spec["device"] == "cuda")
    torch.backends.cudnn.benchmark = False
    random.seed(spec["seed"])
    np.random.seed(spec["seed"])
    torch.manual_seed(spec["seed"])


def _already_done(job: JobDir, h: str) -> bool:
    try:
        with open(os.path.join(job.checkpoints, "state.json"), encoding="utf-8") as f:
            st = json.load(f)
        return (st.get("done") and st.get("spec_hash") == h and os.path.exists(job.metrics)
                and os.path.exists(os.path.join(job.output, "onnx", "model.onnx")))
    except (OSError, ValueError):
        return False


def run_job(job_dir: str, echo: bool = True, stops: StopRequests | None = None) -> int:
    """Runs (or resumes) the job in `job_dir`; returns the exit code. The caller holds the lock."""
    job = JobDir(os.path.abspath(job_dir))
    log = Logger(job.log, echo=echo)
    status = Status(job.status)
    stops = stops or StopRequests(job.cancel_request)
    if os.path.exists(job.error):
        os.unlink(job.error)
    try:
        status.update(phase="validating")
        spec = load_spec(job.spec)
        h = spec_hash(spec)
        if _already_done(job, h):
            log("job already finished (checkpoints/state.json done, output/ and metrics.json present); nothing to do")
            with open(job.metrics, encoding="utf-8") as f:
                m = json.load(f)
            status.update(state="succeeded", phase="done", step=m.get("steps"), total_steps=m.get("total_steps"),
                          best_val_loss=m.get("best_val_loss"), eta_s=0)
            return 0
        _raise_if(stops.check(force=True))  # cancelled while queued: do not start
        log(f"job {job.root} pid {os.getpid()}: spec {json.dumps(spec, sort_keys=True)}")
        configure_torch(spec)
        from .export import export_best, training_metrics
        from .loop import Trainer
        from .checkpoint import resume
        from .validate import check_inputs

        inputs = check_inputs(spec)
        trainer = Trainer(spec, job, log, status, inputs, stops, h, texts_sha256(spec["texts"]))
        stops.defer_signals = True  # from here a signal stops the job at the next step boundary
        trainer.setup()
        resume(trainer)
        trainer.train()
        stops.defer_signals = False
        _raise_if(stops.check(force=True))  # asked during the last step: training is saved, stop now
        export = export_best(trainer)
        metrics = training_metrics(trainer, export)
        write_json_atomic(job.metrics, metrics)
        st = trainer.state
        status.update(state="succeeded", phase="done", step=st["step"], best_val_loss=st["best_val_loss"],
                      val_loss=st["val_loss"], eta_s=0, tokens_per_s=metrics["tokens_per_s"])
        log(f"succeeded: {json.dumps({k: metrics[k] for k in ('train_loss', 'val_loss_initial', 'best_val_loss', 'steps', 'tokens_per_s', 'peak_rss_mb', 'export_max_abs_diff')})}")
        return 0
    except BaseException as e:  # noqa: BLE001 - every failure must leave error.json behind
        return end_early(job, log, status, e, classify(e, gpu_hint=GPU_MEMORY_HINT, host_hint="lower batch_size or max_seq_len"))
    finally:
        stops.defer_signals = False


def _raise_if(stop: Stopped | None) -> None:
    if stop is not None:
        raise stop


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m labor_trainer.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--job-dir", required=True, help="folder holding spec.json; outputs are written there")
    ap.add_argument("--dry-run", action="store_true", help="validate spec.json and its inputs, print the resolved "
                                                            "config as JSON, write nothing")
    args = ap.parse_args(argv)
    job = JobDir(os.path.abspath(args.job_dir))
    if args.dry_run:
        from .validate import check_inputs, describe, dumps

        try:
            spec = load_spec(job.spec)
            print(dumps(describe(spec, check_inputs(spec))))
            return 0
        except InvalidInput as e:
            print(f"InvalidInput: {e.message}", file=sys.stderr)
            return 2
    lock, code = open_job(job)  # the lock is held while this frame lives: until exit
    if lock is None:
        return code

    return run_stoppable(job.cancel_request, lambda stops: run_job(job.root, stops=stops))


if __name__ == "__main__":
    sys.exit(main())
