"""Failures with the same types as lib/errors.ts; the CLI maps them to exit codes."""
from __future__ import annotations


class ScorerError(Exception):
    type = "Internal"
    exit_code = 1

    def __init__(self, message: str, details: list[str] | None = None):
        self.details = list(details or [])
        super().__init__(message + "".join(f"\n  - {d}" for d in self.details))


class InvalidData(ScorerError):
    type = "InvalidData"
    exit_code = 2


class InvalidModel(ScorerError):
    type = "InvalidModel"
    exit_code = 2


class InvalidConfig(ScorerError):
    type = "InvalidConfig"
    exit_code = 2
