"""Shared fixtures: synthetic resume-like texts (a Markov chain over a few titles, so there is
something to learn) written as texts.arrow, and helpers to write spec.json and run jobs."""
from __future__ import annotations

import json
import os
import random
import sys

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINER not in sys.path:
    sys.path.insert(0, TRAINER)

import torch  # noqa: E402

torch.set_num_threads(1)

TITLES = ["Software developers", "Cashiers", "Registered nurses", "Truck drivers", "Teachers",
          "Unemployed", "Not in labor force", "Janitors"]
EDU = ["high school", "some college", "BA"]


def make_text(rng: random.Random) -> str:
    gender = rng.choice(["female", "male"])
    born = rng.randint(1950, 1990)
    year = rng.randint(2000, 2010)
    lines = [f"Person: {gender}, born {born}, region {rng.choice(['South', 'West', 'Northeast'])}"]
    job = rng.randrange(len(TITLES))
    for _ in range(rng.randint(3, 6)):
        if rng.random() < 0.3:
            job = (job + 1) % len(TITLES)  # mostly stay, sometimes move to the "next" title
        lines.append(f"{year} ({rng.choice(EDU)}): {TITLES[job]}")
        year += rng.choice([1, 2])
    return "\n".join(lines) + "\n<END>"


def write_texts(path: str, n_train=240, n_valid=40, n_test=20, seed=0) -> str:
    rng = random.Random(seed)
    rows = [(f"p{i}", s) for i, s in enumerate(["train"] * n_train + ["valid"] * n_valid + ["test"] * n_test)]
    table = pa.table({
        "person_id": [r[0] for r in rows],
        "split": [r[1] for r in rows],
        "text": [make_text(rng) for _ in rows],
    })
    with ipc.new_file(path, table.schema) as w:
        w.write_table(table)
    return path


def tiny_spec(texts: str, **over) -> dict:
    spec = {
        "texts": texts,
        "base": {"init": {"architecture": "llama", "layers": 2, "hidden": 32, "heads": 2,
                          "intermediate": 64, "vocab_size": 300, "max_positions": 256}},
        "method": "full",
        "epochs": 2,
        "learning_rate": 3e-3,
        "schedule": {"warmup_steps": 5, "decay": "cosine"},
        "batch_size": 16,
        "max_seq_len": 256,
        "seed": 0,
        "eval_every": 10,
        "checkpoint_every": 10,
        "threads": 1,
    }
    spec.update(over)
    return spec


def write_job(job_dir, spec: dict) -> str:
    os.makedirs(job_dir, exist_ok=True)
    with open(os.path.join(job_dir, "spec.json"), "w") as f:
        json.dump(spec, f)
    return str(job_dir)


def read_json(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def texts_path(tmp_path_factory) -> str:
    return write_texts(str(tmp_path_factory.mktemp("data") / "texts.arrow"))
