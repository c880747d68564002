"""Job directory layout and atomic writes (status.json is polled by the job provider). Shared by
every Python job of the project: the trainer and the baseline fits (baselines/)."""
from __future__ import annotations

import datetime as _dt
import fcntl
import json
import math
import os
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass

from .errors import Internal, JobDirBusy, JobError


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clean(v):
    # JSON has no NaN/inf: write them as null so every reader can parse the file.
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def write_atomic(path: str, write) -> None:
    """Calls write(tmp_path) on a sibling temporary file, then renames it over path."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path), dir=d)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path: str, obj, indent: int | None = 2) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(_clean(obj), f, indent=indent, allow_nan=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())

    write_atomic(path, write)


def read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def replace_dir(tmp_dir: str, final_dir: str) -> None:
    """Swaps a fully written folder into place (old one removed after the rename)."""
    old = None
    if os.path.exists(final_dir):
        old = final_dir + ".old"
        if os.path.exists(old):
            shutil.rmtree(old)
        os.replace(final_dir, old)
    os.replace(tmp_dir, final_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class JobDir:
    root: str
    log_name: str = "train.log"
    #: Who writes the folder, as its lock's message names it.
    owner: str = "trainer"

    @property
    def spec(self) -> str: return os.path.join(self.root, "spec.json")
    @property
    def status(self) -> str: return os.path.join(self.root, "status.json")
    @property
    def log(self) -> str: return os.path.join(self.root, self.log_name)
    @property
    def metrics(self) -> str: return os.path.join(self.root, "metrics.json")
    @property
    def error(self) -> str: return os.path.join(self.root, "error.json")
    @property
    def checkpoints(self) -> str: return os.path.join(self.root, "checkpoints")
    @property
    def best(self) -> str: return os.path.join(self.root, "best")
    @property
    def output(self) -> str: return os.path.join(self.root, "output")
    @property
    def tokenizer(self) -> str: return os.path.join(self.root, "tokenizer")
    @property
    def lock(self) -> str: return os.path.join(self.root, ".lock")
    @property
    def cancel_request(self) -> str:
        """Written by a provider's cancel (from any host): the trainer stops at the next step."""
        return os.path.join(self.root, "cancelled")

    def acquire_lock(self):
        """Holds an exclusive flock for the life of the process (released by the OS on exit,
        kill -9 included), so two processes never write the same job dir."""
        f = open(self.lock, "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "?"
            f.close()
            raise JobDirBusy(f"job dir {self.root} is in use by another {self.owner} process (pid {holder})")
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        return f


class Logger:
    """Appends human-readable lines to the job's log (and echoes them to stderr)."""

    def __init__(self, path: str | None, echo: bool = True):
        self.path = path
        self.echo = echo

    def __call__(self, msg: str) -> None:
        line = f"{utc_now()} {msg}"
        if self.path:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        if self.echo:
            import sys

            print(line, file=sys.stderr, flush=True)


def record_failure(job: JobDir, log, status, err, cause: BaseException) -> int:
    """What every job does when it fails: the error in its log (with the traceback where the
    cause is not one of its own expected errors), error.json for the provider, status failed.
    Returns the exit code of `err` (a JobError)."""
    log(f"failed: {err.type}: {err.message}")
    if not isinstance(cause, JobError) or isinstance(cause, Internal):
        log(traceback.format_exc().rstrip())
    write_json_atomic(job.error, {"type": err.type, "message": err.message})
    status.update(state="failed", phase="failed")
    return err.exit_code


def open_job(job: JobDir):
    """What every job's entry point checks before it runs: the folder exists, and no other
    process holds it. Returns (lock, None), the lock to keep until exit, or (None, exit code)
    after saying why on stderr: 2 for a missing folder, 1 for a busy one."""
    if not os.path.isdir(job.root):
        print(f"InvalidInput: --job-dir {job.root} is not a folder", file=sys.stderr)
        return None, 2
    try:
        return job.acquire_lock(), None
    except JobDirBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return None, 1
