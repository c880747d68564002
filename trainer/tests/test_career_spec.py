"""The CAREER-style job's refusals: spec.json problems (all at once, with a did-you-mean) and
inputs that do not form careers, each exiting 2 with error.json naming the key, file, row or
person, and nothing written to output/."""
from __future__ import annotations

import os

import pyarrow as pa
import pytest

from career_data import simulate, taxonomy_table, transition_matrix, write_arrow, write_job
from conftest import read_json
from labor_trainer.career.job import run_job
from labor_trainer.career.spec import DEFAULTS, resolve_spec
from labor_trainer.errors import InvalidInput


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    table = simulate(40, transition_matrix(5, seed=0), seed=1)
    return table, write_arrow(str(d / "pf.arrow"), table), write_arrow(str(d / "tax.arrow"), taxonomy_table(2))


def _fail(job_dir, spec) -> str:
    job = write_job(job_dir, spec)
    assert run_job(job, echo=False) == 2
    error = read_json(os.path.join(job, "error.json"))
    assert error["type"] == "InvalidInput"
    assert read_json(os.path.join(job, "status.json"))["state"] == "failed"
    assert not os.path.exists(os.path.join(job, "output"))
    return error["message"]


def test_defaults_and_relative_paths(tmp_path):
    spec = resolve_spec({"features": "in/pf.arrow", "taxonomy": "/abs/tax.arrow"}, str(tmp_path))
    assert spec["features"] == str(tmp_path / "in" / "pf.arrow") and spec["taxonomy"] == "/abs/tax.arrow"
    assert spec["predict_splits"] == ["valid", "test"] and spec["pretrain_features"] is None
    assert set(spec) == set(DEFAULTS)


def test_every_spec_problem_is_reported_at_once(tmp_path, inputs):
    _, feat, tax = inputs
    msg = _fail(tmp_path / "job", {"features": feat, "taxonomy": tax, "hiden": 32, "layers": 0, "heads": 3,
                                   "dropout": 1.5, "predict_splits": ["tset"], "device": "tpu", "learning_rate": 0,
                                   "epochs": 0})
    for expected in (
        "spec.hiden: unknown key (did you mean 'hidden'?)",
        "spec.layers: expected an integer >= 1, found 0",
        "spec.hidden: must be divisible by heads (3), found 64",
        "spec.dropout: expected a number in [0, 1), found 1.5",
        'spec.predict_splits: expected a non-empty list of distinct splits from train, valid, test, found ["tset"]',
        "spec.device: expected one of 'cpu', 'cuda', found \"tpu\"",
        "spec.learning_rate: expected a number in (0, 1), found 0",
        "spec.epochs: 0 fine-tuning epochs needs pretrain_features",
    ):
        assert expected in msg, (expected, msg)
    assert "8 problem(s)" in msg


def test_required_keys_and_missing_files(tmp_path, inputs):
    with pytest.raises(InvalidInput) as e:
        resolve_spec({"taxonomy": 3})
    assert "spec.features: required, expected a file path, found null" in e.value.message
    assert "spec.taxonomy: required, expected a file path, found 3" in e.value.message
    _, feat, tax = inputs
    msg = _fail(tmp_path / "job", {"features": feat, "taxonomy": tax, "pretrain_features": "nope.arrow"})
    assert "spec.pretrain_features: file not found" in msg and "nope.arrow" in msg


def _with(table: pa.Table, col: str, values) -> pa.Table:
    return table.set_column(table.column_names.index(col), col, pa.array(values, table.schema.field(col).type))


def test_inputs_that_do_not_form_careers(tmp_path, inputs):
    table, _, tax = inputs
    split = table.column("split").to_pylist()
    pid = table.column("person_id").to_pylist()
    # The first person's first point moved to another split.
    two_splits = _with(table, "split", ["test" if i == 0 else s for i, s in enumerate(split)])
    # The first person's second point does not continue from the first one's true state.
    prev = table.column("prev_state").to_pylist()
    true = table.column("true_state").to_pylist()
    broken = _with(table, "prev_state", [("0001" if true[0] != "0001" else "0000") if i == 1 else p
                                         for i, p in enumerate(prev)])
    cases = {
        "splits": (two_splits, "person 'p0': points in several splits (train, test); a person belongs to one split"),
        "chain": (broken, "person 'p0': row 2 (year"),
        "unknown": (_with(table, "true_state", ["9999" if i == 2 else c for i, c in enumerate(true)]),
                    "column 'true_state': 1 row(s) not in the taxonomy; first: row 3 '9999'"),
        "missing": (table.drop_columns(["education"]), "column 'education' missing (expected string)"),
        "no valid": (table.filter(pa.array([s != "valid" for s in split])), "no point of split 'valid'"),
    }
    assert pid[0] == pid[1] == "p0"  # the first person has two points
    for name, (t, expected) in cases.items():
        feat = write_arrow(str(tmp_path / f"{name}.arrow"), t)
        msg = _fail(tmp_path / name, {"features": feat, "taxonomy": tax, "threads": 1})
        assert expected in msg, (name, msg)
