"""checkpoints/latest.pt: everything a rerun needs to continue exactly where the last save left
off (weights, optimizer, RNG, position in the phases, the best weights so far), in one file
written atomically, so a kill at any moment leaves the previous complete checkpoint."""
from __future__ import annotations

import os

import torch

from ..errors import InvalidInput
from ..jobdir import write_atomic

NAME = "latest.pt"


def rng_state() -> dict:
    return {"torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}


def set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    if s.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])


def save(folder: str, content: dict) -> None:
    write_atomic(os.path.join(folder, NAME), lambda tmp: torch.save({**content, "rng": rng_state()}, tmp))


def load(folder: str, key: str) -> dict | None:
    """The saved content, None if there is none; a checkpoint of another job is refused."""
    path = os.path.join(folder, NAME)
    if not os.path.exists(path):
        return None
    ck = torch.load(path, map_location="cpu", weights_only=False)
    if ck.get("fit_key") != key:
        raise InvalidInput(f"{path}: checkpoint of a different spec or input files; delete {folder} to start over")
    return ck
