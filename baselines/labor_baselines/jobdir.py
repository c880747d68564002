"""The job folder of a baseline fit: the project's job-folder plumbing (labor_trainer.jobdir:
spec.json in; status.json, metrics.json, error.json out; atomic writes; a flock while running),
with the fit's own log file and status fields."""
from __future__ import annotations

import os

from labor_trainer.jobdir import JobDir, Logger, open_job, read_json, record_failure, replace_dir, utc_now, write_atomic, write_json_atomic


def fit_job_dir(root: str) -> JobDir:
    """A fit's job folder: its log is fit.log, and its lock names a fit."""
    return JobDir(os.path.abspath(root), log_name="fit.log", owner="fit")


class Status:
    """status.json, rewritten whole on each update (the provider polls it)."""

    def __init__(self, path: str):
        self.path = path
        self.fields: dict = {"state": "running", "phase": "validating", "pid": os.getpid()}

    def update(self, **fields) -> None:
        self.fields.update(fields, updated_at=utc_now())
        write_json_atomic(self.path, self.fields)


__all__ = ["JobDir", "fit_job_dir", "Logger", "Status", "open_job", "read_json", "record_failure", "replace_dir", "write_atomic", "write_json_atomic"]
