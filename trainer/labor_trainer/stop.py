"""Stopping before the end without failing: a signal (Slurm preemption or time limit, a reboot,
Ctrl-C) or a cancel request, the file `cancelled` that a provider writes into the job folder
(shared storage, so a cancel from any host reaches the trainer). Either way the trainer saves a
checkpoint at the next step boundary, sets status.json's state and exits with its own code;
no error.json is written, because neither is an error of the job.
"""
from __future__ import annotations

import os
import signal
import time

EXIT_CANCELLED = 3
EXIT_PREEMPTED = 75  # EX_TEMPFAIL: rerunning the job resumes it from its checkpoint
CANCEL_POLL_S = 1.0  # the cancel file is looked for at most this often (cheap on NFS)


class Stopped(Exception):
    state = ""
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Preempted(Stopped):
    state = "preempted"
    exit_code = EXIT_PREEMPTED


class Cancelled(Stopped):
    state = "cancelled"
    exit_code = EXIT_CANCELLED


class StopRequests:
    """What asked the job to stop. The signal handler records a signal while `defer_signals` is
    set (the training loop acts on it after the current step) and raises at once otherwise."""

    def __init__(self, cancel_file: str):
        self.cancel_file = cancel_file
        self.signal: int | None = None
        self.defer_signals = False
        self._next_poll = 0.0

    def on_signal(self, signum: int, frame=None) -> None:
        if self.defer_signals and self.signal is None:
            self.signal = signum
            return
        raise self._for_signal(signum, "before a new checkpoint")

    def check(self, force: bool = False) -> Stopped | None:
        """The stop to act on now, if any; the cancel file is polled every CANCEL_POLL_S."""
        if self.signal is not None:
            return self._for_signal(self.signal, "after saving a checkpoint")
        now = time.monotonic()
        if force or now >= self._next_poll:
            self._next_poll = now + CANCEL_POLL_S
            if os.path.exists(self.cancel_file):
                return Cancelled(f"cancel requested ({self.cancel_file} exists); remove it and rerun to resume")
        return None

    def _for_signal(self, signum: int, when: str) -> Stopped:
        name = signal.Signals(signum).name
        if os.path.exists(self.cancel_file):  # a provider's cancel: request file, then SIGTERM
            return Cancelled(f"cancelled by {name} with a cancel request ({self.cancel_file}), {when}")
        return Preempted(f"interrupted by {name}, {when}; rerun with the same --job-dir to resume")


def run_stoppable(cancel_request: str, run) -> int:
    """Runs `run(stops)` with SIGTERM (Slurm preemption or time limit, a reboot) and SIGINT
    (Ctrl-C) turned into resumable stops; a signal before the job could record it exits with
    the stop's own code. The previous handlers are restored after."""
    stops = StopRequests(cancel_request)
    previous = {s: signal.signal(s, stops.on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return run(stops)
    except Stopped as stop:
        return stop.exit_code
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def end_early(job, log, status, e: BaseException, error) -> int:
    """How a job's entry point ends when it does not succeed; returns its exit code. A stop
    (cancel, preemption) is not a failure: no error.json, and a rerun resumes. Anything else is
    recorded as `error` (e classified) in error.json; a KeyboardInterrupt is raised again after."""
    from .jobdir import record_failure

    if isinstance(e, Stopped):
        log(f"{e.state}: {e.message}")
        status.update(state=e.state, phase=e.state)
        return e.exit_code
    code = record_failure(job, log, status, error, e)
    if isinstance(e, KeyboardInterrupt):
        raise e
    return code
