"""The logit job end to end on simulated careers with planted effects: coefficient signs,
distributions, kill and resume, reruns, and bad input."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.ipc as ipc
import pytest
import torch

# No conftest.py here: the trainer's tests import theirs by name, and both run in one pytest.
BASELINES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The fit uses the project's job-folder plumbing from the trainer's package.
TRAINER = os.path.join(os.path.dirname(BASELINES), "trainer")
for path in (TRAINER, BASELINES):
    if path not in sys.path:
        sys.path.insert(0, path)
# One thread: the machine is shared, and a fixed thread count keeps fits bit-for-bit reproducible.
torch.set_num_threads(1)

from labor_baselines.jobdir import read_json  # noqa: E402
from labor_baselines.logit import run_job  # noqa: E402
from simulate import PLANTED, simulate, write_arrow, write_inputs, write_job  # noqa: E402

FLIPPED = {"stay": 0.5, "stay_x_log_tenure": -1.0, "stay_x_gap": 0.8, "stay_x_age": 0.0,
           "return_to_last_occupation": -1.0, "held_before": -1.5}
SIGNED = ("stay_x_log_tenure", "stay_x_gap", "return_to_last_occupation", "held_before")


def _cli(job: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((BASELINES, TRAINER))}
    return subprocess.Popen([sys.executable, "-m", "labor_baselines.logit", "--job-dir", job], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _read_arrow(path: str):
    with open(path, "rb") as f:
        return ipc.open_file(f).read_all()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    features, tax = simulate(1500, seed=1)
    return write_inputs(str(tmp_path_factory.mktemp("in")), features, tax)


@pytest.mark.parametrize("effects", [PLANTED, FLIPPED], ids=["planted", "flipped"])
def test_fitted_signs_recover_the_planted_effects(tmp_path, effects):
    features, tax = simulate(1500, seed=2, effects=effects)
    feat, taxp = write_inputs(str(tmp_path / "in"), features, tax)
    job = write_job(tmp_path / "job", {"features": feat, "taxonomy": taxp, "penalties": [1e-3], "threads": 1})
    assert run_job(job, echo=False) == 0
    got = read_json(os.path.join(job, "output", "coefficients.json"))["candidate"]
    for term in SIGNED:
        assert np.sign(got[term]) == np.sign(effects[term]), (term, got)
    assert "same_group" not in got  # no groups given


def test_same_group_term_with_groups(tmp_path):
    groups = {f"{i:04d}": f"g{i // 4}" for i in range(8)}
    features, tax = simulate(1500, seed=3, effects={**PLANTED, "same_group": 1.2}, groups=groups)
    feat, taxp = write_inputs(str(tmp_path / "in"), features, tax)
    job = write_job(tmp_path / "job", {"features": feat, "taxonomy": taxp, "penalties": [1e-3], "groups": groups,
                                       "threads": 1})
    assert run_job(job, echo=False) == 0
    coef = read_json(os.path.join(job, "output", "coefficients.json"))
    assert coef["groups"] == ["g0", "g1"]
    assert coef["candidate"]["same_group"] > 0.5 and coef["candidate"]["held_before"] > 0

    # The same groups as the taxonomy's optional `group` column give the same fit.
    with_column = tax.append_column("group", [[groups.get(c) for c in tax.column("code").to_pylist()]])
    feat2, taxp2 = write_inputs(str(tmp_path / "in2"), features, with_column)
    job2 = write_job(tmp_path / "job2", {"features": feat2, "taxonomy": taxp2, "penalties": [1e-3], "threads": 1})
    assert run_job(job2, echo=False) == 0
    assert read_json(os.path.join(job2, "output", "coefficients.json"))["candidate"] == coef["candidate"]


def test_distributions_cover_every_point_and_sum_to_one(tmp_path, inputs):
    feat, taxp = inputs
    job = write_job(tmp_path / "job", {"features": feat, "taxonomy": taxp, "penalties": [1e-2, 1e-3],
                                       "predict_splits": ["valid", "test"], "threads": 1})
    assert run_job(job, echo=False) == 0
    d = _read_arrow(os.path.join(job, "output", "distributions.arrow"))
    f = _read_arrow(feat)
    K = _read_arrow(taxp).num_rows
    expected = [(p, s, y, t) for p, s, y, t in zip(*(f.column(c).to_pylist() for c in
                                                     ("person_id", "split", "year", "true_state")))
                if s in ("valid", "test")]
    expected.sort(key=lambda r: r[1] != "valid")  # valid points first, each split in file order
    got = list(zip(*(d.column(c).to_pylist() for c in ("person_id", "split", "year", "true_state"))))
    assert got == expected
    probs = np.array(d.column("probs").to_pylist(), dtype=np.float64)
    assert probs.shape == (len(expected), K)
    assert (probs > 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    m = read_json(os.path.join(job, "metrics.json"))
    assert [x["penalty"] for x in m["penalties"]] == [1e-2, 1e-3]
    assert m["best_penalty"] == min(m["penalties"], key=lambda x: x["val_nll"])["penalty"]
    # The metrics' validation log-loss is the one of the written distributions (weighted).
    valid = np.array([s == "valid" for _, s, _, _ in got])
    codes = _read_arrow(taxp).column("code").to_pylist()
    w = np.array([wt for wt, s in zip(f.column("weight").to_pylist(), f.column("split").to_pylist()) if s == "valid"])
    p_true = probs[valid, [codes.index(t) for (_, s, _, t) in got if s == "valid"]]
    assert abs(-(np.log(p_true) * w).sum() / w.sum() - m["val_nll"]) < 1e-4
    assert m["val_nll"] < np.log(K)  # better than uniform


def test_killed_fit_resumes_and_equals_an_uninterrupted_one(tmp_path, inputs):
    feat, taxp = inputs
    spec = {"features": feat, "taxonomy": taxp, "penalties": [1e-1, 1e-2, 1e-3, 1e-4], "threads": 1}
    ref = write_job(tmp_path / "ref", spec)
    assert run_job(ref, echo=False) == 0

    job = write_job(tmp_path / "job", spec)
    first = os.path.join(job, "checkpoints", "penalty-00.pt")
    proc = _cli(job)
    deadline = time.monotonic() + 300
    while not os.path.exists(first):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not os.path.exists(os.path.join(job, "metrics.json"))
    assert not os.path.exists(os.path.join(job, "checkpoints", "penalty-03.pt"))
    assert read_json(os.path.join(job, "status.json"))["state"] == "running"  # a dead pid tells the provider

    proc = _cli(job)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "resumed from checkpoint" in open(os.path.join(job, "fit.log")).read()
    for name in ("coefficients.json", "distributions.arrow"):
        with open(os.path.join(job, "output", name), "rb") as a, open(os.path.join(ref, "output", name), "rb") as b:
            assert a.read() == b.read(), name
    m, mref = read_json(os.path.join(job, "metrics.json")), read_json(os.path.join(ref, "metrics.json"))
    assert [x["val_nll"] for x in m["penalties"]] == [x["val_nll"] for x in mref["penalties"]]

    # A finished job reruns as a no-op; a changed spec refuses the old checkpoints.
    proc = _cli(job)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "already finished" in open(os.path.join(job, "fit.log")).read()
    write_job(job, {**spec, "max_iter": 5})
    proc = _cli(job)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "checkpoint of a different spec" in read_json(os.path.join(job, "error.json"))["message"]


def _bad(tmp_path, spec) -> tuple[int, dict, str]:
    job = write_job(tmp_path / "job", spec)
    proc = _cli(job)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, read_json(os.path.join(job, "error.json")), err


def test_bad_spec_exits_2_naming_every_problem(tmp_path, inputs):
    feat, taxp = inputs
    rc, error, err = _bad(tmp_path, {"features": feat, "taxonomy": taxp, "penalty": [1], "max_iter": 0,
                                     "predict_splits": ["tset"]})
    assert rc == 2 and error["type"] == "InvalidInput"
    msg = error["message"]
    assert "penalty: unknown key (did you mean 'penalties'?)" in msg
    assert "max_iter: expected an integer >= 1, found 0" in msg
    assert 'predict_splits: expected a non-empty list of distinct splits from train, valid, test, found ["tset"]' in msg
    assert "InvalidInput" in err and not os.path.exists(os.path.join(tmp_path, "job", "output"))


def test_missing_file_and_bad_table_exit_2(tmp_path, inputs):
    feat, taxp = inputs
    rc, error, _ = _bad(tmp_path / "a", {"features": str(tmp_path / "nope.arrow"), "taxonomy": taxp})
    assert rc == 2 and "features: file not found" in error["message"] and "nope.arrow" in error["message"]

    f = _read_arrow(feat)
    codes = f.column("true_state").to_pylist()
    unknown = f.set_column(f.column_names.index("true_state"), "true_state", [["9999" if i == 2 else c for i, c in
                                                                                 enumerate(codes)]])
    cases = {
        "missing": (f.drop_columns(["tenure"]), "column 'tenure' missing (expected int)"),
        "unknown": (unknown, "column 'true_state': 1 row(s) not in the taxonomy; first: row 3 '9999'"),
    }
    for name, (table, expected) in cases.items():
        job = write_job(tmp_path / name, {"features": write_arrow(str(tmp_path / f"{name}.arrow"), table),
                                          "taxonomy": taxp})
        assert run_job(job, echo=False) == 2, name
        error = read_json(os.path.join(job, "error.json"))
        assert error["type"] == "InvalidInput" and expected in error["message"], error
