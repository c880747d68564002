"""Job folder layout and atomic writes (the same conventions as the trainer's job folder:
spec.json in; status.json, metrics.json, error.json out; a flock while running)."""
from __future__ import annotations

import datetime as _dt
import fcntl
import json
import math
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass

from .errors import JobDirBusy


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
    def write(tmp):
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
    """Swaps a fully written folder into place (the old one removed after the rename)."""
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

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    @property
    def spec(self) -> str: return self.path("spec.json")
    @property
    def status(self) -> str: return self.path("status.json")
    @property
    def log(self) -> str: return self.path("fit.log")
    @property
    def metrics(self) -> str: return self.path("metrics.json")
    @property
    def error(self) -> str: return self.path("error.json")
    @property
    def checkpoints(self) -> str: return self.path("checkpoints")
    @property
    def output(self) -> str: return self.path("output")
    @property
    def lock(self) -> str: return self.path(".lock")

    def acquire_lock(self):
        """Holds an exclusive flock for the life of the process (released by the OS on exit,
        kill -9 included), so two fitters never write the same job dir."""
        f = open(self.lock, "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "?"
            f.close()
            raise JobDirBusy(f"job dir {self.root} is in use by another process (pid {holder})")
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
            print(line, file=sys.stderr, flush=True)


class Status:
    """status.json, rewritten whole on each update (the provider polls it)."""

    def __init__(self, path: str):
        self.path = path
        self.fields: dict = {"state": "running", "phase": "validating", "pid": os.getpid()}

    def update(self, **fields) -> None:
        self.fields.update(fields, updated_at=utc_now())
        write_json_atomic(self.path, self.fields)
