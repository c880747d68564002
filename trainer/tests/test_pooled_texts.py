"""Pooled fine-tuning: spec.texts as a list of texts.arrow files, read and checked one by one
(errors name the file) and pooled train with train, valid with valid, in the spec's order."""
import json
import os

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from labor_trainer.data import read_pooled_texts, read_texts
from labor_trainer.errors import InvalidInput
from labor_trainer.spec import resolve_spec
from labor_trainer.train import main, run_job

from conftest import read_json, tiny_spec, write_job, write_texts


@pytest.fixture(scope="module")
def two_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("pooled")
    survey = write_texts(str(root / "survey.arrow"), n_train=60, n_valid=10, n_test=5, seed=1)
    later = write_texts(str(root / "later.arrow"), n_train=90, n_valid=20, n_test=5, seed=2)
    return survey, later


def test_pools_train_with_train_and_valid_with_valid_in_order(two_files):
    survey, later = two_files
    pooled, counts, problems = read_pooled_texts([survey, later])
    assert problems == []
    a, b = read_texts(survey), read_texts(later)
    assert pooled["train"] == a["train"] + b["train"] and len(pooled["train"]) == 150
    assert pooled["valid"] == a["valid"] + b["valid"] and len(pooled["valid"]) == 30
    assert counts == [{"texts": survey, "train_texts": 60, "valid_texts": 10},
                      {"texts": later, "train_texts": 90, "valid_texts": 20}]
    # The other order pools the other way round: the order is the spec's, not the files'.
    assert read_pooled_texts([later, survey])[0]["train"] == b["train"] + a["train"]


def test_one_path_reads_as_before(two_files):
    survey, _ = two_files
    pooled, counts, problems = read_pooled_texts(survey)
    assert problems == [] and pooled == read_texts(survey)
    assert counts == [{"texts": survey, "train_texts": 60, "valid_texts": 10}]


def test_spec_texts_path_or_list(tmp_path, two_files):
    survey, later = two_files
    base = {"init": {"hidden": 32, "heads": 2}}
    assert resolve_spec({"texts": survey, "base": base})["texts"] == survey
    assert resolve_spec({"texts": ["a.arrow", later], "base": base}, job_dir=str(tmp_path))["texts"] == [
        str(tmp_path / "a.arrow"), later]
    for bad in ([], [survey, ""], [survey, 3], {"path": survey}):
        with pytest.raises(InvalidInput, match=r"spec\.texts: expected a path to texts\.arrow or a non-empty list"):
            resolve_spec({"texts": bad, "base": base})
    with pytest.raises(InvalidInput, match=r"spec\.texts\[2\]: .*survey\.arrow is also spec\.texts\[0\]; list each file once"):
        resolve_spec({"texts": [survey, later, survey], "base": base})


def test_a_bad_second_file_is_named(tmp_path, two_files):
    survey, _ = two_files
    bad = str(tmp_path / "no-split.arrow")
    table = pa.table({"person_id": ["p0"], "text": ["Person: x\n2000 (BA): Cashiers\n<END>"]})
    with ipc.new_file(bad, table.schema) as w:
        w.write_table(table)
    valid_only = write_texts(str(tmp_path / "valid-only.arrow"), n_train=0, n_valid=5, n_test=0)
    missing = str(tmp_path / "missing.arrow")
    job = write_job(tmp_path / "job", tiny_spec([survey, bad, valid_only, missing], max_steps=2))
    assert run_job(job, echo=False) == 2
    msg = read_json(os.path.join(job, "error.json"))["message"]
    # Every bad file at once, each by its key and path; the good first file is not blamed.
    assert f"spec.texts[1]: {bad} does not follow the texts.arrow contract" in msg
    assert "column 'split' is missing" in msg
    assert f"spec.texts[2]: {valid_only} has no rows with split 'train'" in msg
    assert f"spec.texts[3]: file not found: {missing}" in msg
    assert "spec.texts[0]" not in msg
    assert not os.path.exists(os.path.join(job, "checkpoints"))


def test_dry_run_and_training_see_the_pooled_texts(tmp_path, two_files, capsys):
    survey, later = two_files
    job = write_job(tmp_path / "job", tiny_spec([survey, later], max_steps=2, eval_every=2, checkpoint_every=2,
                                                 export="none"))
    assert main(["--job-dir", job, "--dry-run"]) == 0
    inputs = json.loads(capsys.readouterr().out)["inputs"]
    assert inputs["train_texts"] == 150 and inputs["valid_texts"] == 30
    assert [f["train_texts"] for f in inputs["texts_files"]] == [60, 90]

    assert run_job(job, echo=False) == 0
    metrics = read_json(os.path.join(job, "metrics.json"))
    assert metrics["steps"] == 2
    assert metrics["texts_files"] == [{"texts": survey, "train_texts": 60, "valid_texts": 10},
                                      {"texts": later, "train_texts": 90, "valid_texts": 20}]
    log = open(os.path.join(job, "train.log")).read()
    assert "tokenized 150 train texts" in log and "30 valid texts" in log
