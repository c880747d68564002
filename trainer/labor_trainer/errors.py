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
