"""Failure types of a training job. Each maps to error.json's "type" and an exit code:
2 for InvalidInput (fix the spec or inputs; retrying will not help), 1 for the rest."""
from __future__ import annotations


class JobError(Exception):
    type = "Internal"
    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)
        self.message = message


class InvalidInput(JobError):
    type = "InvalidInput"
    exit_code = 2


class TrainingFailed(JobError):
    type = "TrainingFailed"


class OutOfMemory(JobError):
    type = "OutOfMemory"


class Internal(JobError):
    type = "Internal"


class JobDirBusy(Exception):
    """Another trainer process holds the job dir; we must not touch its files."""


def classify(e: BaseException, *, gpu_hint: str, host_hint: str) -> JobError:
    """Any exception as the job error error.json records: its own, out of (GPU or host) memory
    with what to lower (`gpu_hint`, `host_hint`), an interrupt, or Internal."""
    if isinstance(e, JobError):
        return e
    try:
        import torch

        if isinstance(e, torch.OutOfMemoryError):
            return OutOfMemory(f"out of GPU memory: {str(e).splitlines()[0]}; {gpu_hint}")
    except ImportError:
        pass
    if isinstance(e, MemoryError):
        return OutOfMemory(f"out of host memory (MemoryError); {host_hint}")
    if isinstance(e, KeyboardInterrupt):
        return TrainingFailed("interrupted (KeyboardInterrupt)")
    return Internal(f"{type(e).__name__}: {e}")
