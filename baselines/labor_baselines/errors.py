"""Failure types of a baseline job: the project's job failures (labor_trainer.errors: each maps to
error.json's "type" and an exit code, 2 for InvalidInput, 1 for the rest), plus FitFailed."""
from __future__ import annotations

from labor_trainer.errors import Internal, InvalidInput, JobDirBusy, JobError, OutOfMemory


class FitFailed(JobError):
    type = "FitFailed"


__all__ = ["FitFailed", "Internal", "InvalidInput", "JobDirBusy", "JobError", "OutOfMemory"]
