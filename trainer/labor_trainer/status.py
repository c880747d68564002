"""status.json: the job's progress as providers see it, rewritten atomically.

`updated_at` moves only when the job makes progress: a training step, an evaluation batch, a
phase change, or, during a long phase that cannot count steps (tokenizing, loading a model,
exporting), a keep-alive thread. The workflow treats a job whose progress stands still for its
`stallTimeout` as lost, kills it and resumes it from its checkpoint.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time

from .jobdir import utc_now, write_json_atomic

STATUS_EVERY_S = 1.0  # rewritten at most this often while training
KEEPALIVE_S = 30.0  # refresh period during phases that report no steps


class Status:
    """The fields are the job providers' contract (trainer/README.md)."""

    def __init__(self, path: str, total_steps: int | None = None):
        self.path = path
        self.fields = {
            "state": "running", "phase": "starting", "step": 0, "total_steps": total_steps, "epoch": 0.0,
            "loss": None, "val_loss": None, "best_val_loss": None, "tokens_per_s": None, "eta_s": None,
            "pid": os.getpid(), "updated_at": utc_now(),
        }
        self._last = 0.0
        self._lock = threading.Lock()  # the keep-alive thread writes too

    def update(self, force: bool = True, **kw) -> None:
        with self._lock:
            self.fields.update(kw)
            now = time.monotonic()
            if not force and now - self._last < STATUS_EVERY_S:
                return
            self._last = now
            self.fields["updated_at"] = utc_now()
            write_json_atomic(self.path, self.fields)

    @contextlib.contextmanager
    def keepalive(self, every_s: float = KEEPALIVE_S):
        """Refreshes `updated_at` every `every_s` seconds while the block runs."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every_s):
                self.update()

        thread = threading.Thread(target=beat, name="status-keepalive", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
