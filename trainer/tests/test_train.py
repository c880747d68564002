"""End-to-end training jobs on a tiny Llama (seconds each on one CPU thread)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from safetensors.torch import load_file

from labor_trainer.train import run_job

from conftest import TRAINER, read_json, tiny_spec, write_job


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, texts_path):
    """One full training run reused by several tests (and the reference for resume)."""
    job = write_job(tmp_path_factory.mktemp("baseline"), tiny_spec(texts_path))
    assert run_job(job, echo=False) == 0
    return job


def test_validation_loss_falls_and_outputs(baseline):
    m = read_json(os.path.join(baseline, "metrics.json"))
    for key in ("train_loss", "val_loss_initial", "best_val_loss", "steps", "tokens_per_s", "peak_rss_mb",
                "export_max_abs_diff", "device", "params"):
        assert key in m, key
    assert m["best_val_loss"] < m["val_loss_initial"] - 1.0, m
    assert m["steps"] == m["total_steps"] == 2 * 15  # 240 texts / batch 16 = 15 steps per epoch, 2 epochs
    assert m["device"] == "cpu" and m["params"] > 0 and m["tokens_per_s"] > 0
    st = read_json(os.path.join(baseline, "status.json"))
    assert st["state"] == "succeeded" and st["step"] == st["total_steps"] == 30
    assert st["best_val_loss"] == m["best_val_loss"] and st["pid"] == os.getpid()
    for key in ("loss", "val_loss", "epoch", "tokens_per_s", "eta_s", "updated_at"):
        assert key in st
    assert not os.path.exists(os.path.join(baseline, "error.json"))
    best = read_json(os.path.join(baseline, "best", "state.json"))
    assert best["val_loss"] == m["best_val_loss"]
    log = open(os.path.join(baseline, "train.log")).read()
    assert "initial val_loss" in log and "succeeded" in log


def test_export_folder(baseline):
    out = os.path.join(baseline, "output")
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx", "model.safetensors"):
        assert os.path.isfile(os.path.join(out, f)), f
    m = read_json(os.path.join(baseline, "metrics.json"))
    assert m["export_max_abs_diff"] < 1e-3
    # the tokenizer files are the trained ones, byte for byte
    for f in ("tokenizer.json", "tokenizer_config.json"):
        assert open(os.path.join(out, f)).read() == open(os.path.join(baseline, "tokenizer", f)).read()
    # ONNX logits = the HF weights' logits (the output folder is also a valid base model)
    import numpy as np
    import onnxruntime as ort
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    ids = tok("Person: female, born 1970\n2001 (BA): Cashiers\n")["input_ids"]
    with torch.no_grad():
        ref = model(input_ids=torch.tensor([ids])).logits[0].numpy()
    sess = ort.InferenceSession(os.path.join(out, "onnx", "model.onnx"), providers=["CPUExecutionProvider"])
    cfg = model.config
    feeds = {"input_ids": np.array([ids]), "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
             "position_ids": np.arange(len(ids))[None]}
    for i in range(cfg.num_hidden_layers):
        for kv in ("key", "value"):
            feeds[f"past_key_values.{i}.{kv}"] = np.zeros((1, cfg.num_key_value_heads, 0, cfg.head_dim), np.float32)
    got = sess.run(["logits"], feeds)[0][0]
    assert np.abs(got - ref).max() < 1e-3


def test_deterministic_for_a_seed(tmp_path, texts_path):
    spec = tiny_spec(texts_path, max_steps=6, eval_every=3, checkpoint_every=None, schedule={"warmup_steps": 2})
    a = write_job(tmp_path / "a", spec)
    b = write_job(tmp_path / "b", spec)
    c = write_job(tmp_path / "c", {**spec, "seed": 1})
    assert run_job(a, echo=False) == 0 and run_job(b, echo=False) == 0 and run_job(c, echo=False) == 0
    ma, mb, mc = (read_json(os.path.join(d, "metrics.json")) for d in (a, b, c))
    assert ma["steps"] == 6
    assert (ma["train_loss"], ma["best_val_loss"]) == (mb["train_loss"], mb["best_val_loss"])
    assert ma["best_val_loss"] != mc["best_val_loss"]
    wa, wb = (load_file(os.path.join(d, "best", "trainable.safetensors")) for d in (a, b))
    assert all((wa[k] == wb[k]).all() for k in wa)


def _cli(job):
    env = {**os.environ, "PYTHONPATH": TRAINER}
    return subprocess.Popen([sys.executable, "-m", "labor_trainer.train", "--job-dir", job], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_killed_training_resumes_from_checkpoint(tmp_path, texts_path, baseline):
    """kill -9 after the first checkpoint; the rerun resumes there and ends where an
    uninterrupted run ends (same weights, same losses)."""
    job = write_job(tmp_path / "job", tiny_spec(texts_path))
    state = os.path.join(job, "checkpoints", "state.json")
    proc = _cli(job)
    deadline = time.monotonic() + 120
    while not os.path.exists(state):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = read_json(state)["step"]
    assert 0 < killed_at < 30 and not read_json(state)["done"]
    assert read_json(os.path.join(job, "status.json"))["state"] == "running"  # a dead pid tells the provider

    proc = _cli(job)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    log = open(os.path.join(job, "train.log")).read()
    assert f"resumed from checkpoint at step {killed_at}" in log
    m, ref = read_json(os.path.join(job, "metrics.json")), read_json(os.path.join(baseline, "metrics.json"))
    assert read_json(os.path.join(job, "status.json"))["state"] == "succeeded"
    assert m["steps"] == 30
    assert m["best_val_loss"] == ref["best_val_loss"] and m["train_loss"] == ref["train_loss"]
    w, wref = (load_file(os.path.join(d, "best", "trainable.safetensors")) for d in (job, baseline))
    assert all((w[k] == wref[k]).all() for k in w)

    # a rerun of a finished job does nothing and succeeds
    proc = _cli(job)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "already finished" in open(os.path.join(job, "train.log")).read()


def _wait_for_checkpoint(proc, job) -> str:
    state = os.path.join(job, "checkpoints", "state.json")
    deadline = time.monotonic() + 120
    while not os.path.exists(state):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    return state


def test_sigterm_checkpoints_and_exits_retryable(tmp_path, texts_path, baseline):
    """SIGTERM (Slurm preemption or time limit, a reboot) finishes the step, checkpoints, and
    exits 75 with status preempted and no error.json; the rerun resumes and ends where an
    uninterrupted run ends."""
    job = write_job(tmp_path / "job", tiny_spec(texts_path, checkpoint_every=5))
    proc = _cli(job)
    state = _wait_for_checkpoint(proc, job)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 75, err
    assert not os.path.exists(os.path.join(job, "error.json"))
    status = read_json(os.path.join(job, "status.json"))
    assert status["state"] == "preempted" and status["phase"] == "preempted"
    stopped_at = read_json(state)["step"]
    assert 0 < stopped_at < 30 and not read_json(state)["done"]
    log = open(os.path.join(job, "train.log")).read()
    assert f"checkpoint saved at step {stopped_at}; stopping: interrupted by SIGTERM" in log

    proc = _cli(job)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert f"resumed from checkpoint at step {stopped_at}" in open(os.path.join(job, "train.log")).read()
    m, ref = read_json(os.path.join(job, "metrics.json")), read_json(os.path.join(baseline, "metrics.json"))
    assert (m["steps"], m["best_val_loss"], m["train_loss"]) == (30, ref["best_val_loss"], ref["train_loss"])


def test_cancel_request_file_stops_the_trainer(tmp_path, texts_path):
    """A provider on another host cannot signal the trainer: it writes DIR/cancelled, which the
    trainer polls between steps; it checkpoints, says cancelled and exits 3. Started again with
    the request still there, it does not train at all."""
    job = write_job(tmp_path / "job", tiny_spec(texts_path, epochs=20, checkpoint_every=5))
    proc = _cli(job)
    state = _wait_for_checkpoint(proc, job)
    with open(os.path.join(job, "cancelled"), "w") as f:
        json.dump({"at": "now", "host": "elsewhere"}, f)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    status = read_json(os.path.join(job, "status.json"))
    assert status["state"] == "cancelled" and status["step"] == read_json(state)["step"] < 300
    assert not os.path.exists(os.path.join(job, "error.json"))
    assert "stopping: cancel requested" in open(os.path.join(job, "train.log")).read()

    proc = _cli(job)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert read_json(os.path.join(job, "status.json"))["step"] == 0  # stopped before loading anything


def test_status_keeps_moving_during_a_long_phase(tmp_path):
    """A phase without steps (model loading, export) refreshes updated_at from a thread, so the
    workflow's stall timeout does not take a slow export for a hung job."""
    from labor_trainer.status import Status

    path = str(tmp_path / "status.json")
    status = Status(path)
    status.update(phase="exporting")
    first = read_json(path)["updated_at"]
    with status.keepalive(every_s=0.05):
        time.sleep(0.3)
    assert read_json(path)["updated_at"] > first and read_json(path)["phase"] == "exporting"


def test_lora_trains_and_merges(tmp_path, texts_path):
    spec = tiny_spec(texts_path, method="lora", learning_rate=1e-2, epochs=1, eval_every=5,
                     lora={"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj", "o_proj"]})
    job = write_job(tmp_path / "lora", spec)
    assert run_job(job, echo=False) == 0
    m = read_json(os.path.join(job, "metrics.json"))
    assert m["best_val_loss"] < m["val_loss_initial"]
    assert m["trainable_params"] < m["params"] / 4
    assert m["export_max_abs_diff"] < 1e-3
    w = load_file(os.path.join(job, "output", "model.safetensors"))
    assert not any("lora" in k for k in w)  # merged: a plain Llama again
    assert m["params"] == sum(t.numel() for t in w.values())


def test_fine_tune_from_base_folder(tmp_path, texts_path, baseline):
    """The output of one job is the base of the next (foundation model -> survey fine-tune)."""
    base = os.path.join(baseline, "output")
    spec = tiny_spec(texts_path, base={"path": base}, method="lora", max_steps=4, eval_every=2,
                     learning_rate=1e-3)
    job = write_job(tmp_path / "ft", spec)
    assert run_job(job, echo=False) == 0
    m = read_json(os.path.join(job, "metrics.json"))
    base_best = read_json(os.path.join(baseline, "metrics.json"))["best_val_loss"]
    assert abs(m["val_loss_initial"] - base_best) < 1e-4  # starts from the trained weights
    assert m["best_val_loss"] <= m["val_loss_initial"]
    assert open(os.path.join(job, "output", "tokenizer.json")).read() == open(os.path.join(base, "tokenizer.json")).read()


def test_early_stopping(tmp_path, texts_path, monkeypatch):
    """Validation stops improving after step 4: training stops after `patience` more evaluations
    and the export uses the step-4 weights."""
    from labor_trainer.loop import Trainer

    real = Trainer.evaluate

    def flat_after_4(self):
        v = real(self)
        return v if self.state["step"] <= 4 else v + 10.0

    monkeypatch.setattr(Trainer, "evaluate", flat_after_4)
    spec = tiny_spec(texts_path, eval_every=2, early_stopping_patience=2, epochs=3)
    job = write_job(tmp_path / "es", spec)
    assert run_job(job, echo=False) == 0
    m = read_json(os.path.join(job, "metrics.json"))
    assert m["stopped_early"] and m["steps"] == 8 and m["total_steps"] == 45
    assert m["best_step"] == 4
    assert read_json(os.path.join(job, "best", "state.json"))["step"] == 4
    assert "early stopping" in open(os.path.join(job, "train.log")).read()


def test_nan_loss_is_training_failed(tmp_path, texts_path, monkeypatch):
    import torch

    from labor_trainer.loop import Trainer

    real = Trainer.loss_sum

    def poisoned(self, batch):
        s, k = real(self, batch)
        return (s * float("nan") if self.state["step"] >= 2 and self.model.training else s), k

    monkeypatch.setattr(Trainer, "loss_sum", poisoned)
    job = write_job(tmp_path / "nan", tiny_spec(texts_path, max_steps=5))
    assert run_job(job, echo=False) == 1
    err = read_json(os.path.join(job, "error.json"))
    assert err["type"] == "TrainingFailed" and "loss is nan at step 3" in err["message"]
    assert read_json(os.path.join(job, "status.json"))["state"] == "failed"


def test_export_none_writes_weights_and_tokenizer_without_onnx(tmp_path, texts_path):
    """export: none skips the ONNX graph (a torch scorer reads the HF weights); the folder is still a base for another job."""
    job = write_job(tmp_path / "none", tiny_spec(texts_path, max_steps=2, eval_every=2, export="none"))
    assert run_job(job, echo=False) == 0
    out = os.path.join(job, "output")
    assert sorted(f for f in os.listdir(out)) == sorted(
        f for f in os.listdir(out) if f.endswith((".json", ".safetensors")))
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert os.path.isfile(os.path.join(out, name)), name
    assert not os.path.exists(os.path.join(out, "onnx"))
    m = read_json(os.path.join(job, "metrics.json"))
    assert m["export_max_abs_diff"] is None and m["export"]["skipped"]
