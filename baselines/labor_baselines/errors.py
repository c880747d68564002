"""Failure types of a baseline job. Each maps to error.json's "type" and an exit code:
2 for InvalidInput (fix the spec or inputs; retrying will not help), 1 for the rest."""
from __future__ import annotations


class BaselineError(Exception):
    type = "Internal"
    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)
        self.message = message


class InvalidInput(BaselineError):
    type = "InvalidInput"
    exit_code = 2


class FitFailed(BaselineError):
    type = "FitFailed"


class OutOfMemory(BaselineError):
    type = "OutOfMemory"


class Internal(BaselineError):
    type = "Internal"


class JobDirBusy(Exception):
    """Another process holds the job dir; we must not touch its files."""
