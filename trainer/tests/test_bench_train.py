"""bench_train.py drives the trainer's own Trainer.step; its last line is the JSON the lead reads."""
import json
import os
import subprocess
import sys
from argparse import Namespace

from conftest import TRAINER

import bench_train


def test_bench_runs_the_trainer_loop_and_reports_mfu():
    """A very short run, LoRA + bf16 autocast + activation checkpointing on CPU (the GPU run's
    combination, minus the device)."""
    cmd = [sys.executable, os.path.join(TRAINER, "bench_train.py"), "--method", "lora", "--precision", "bf16",
           "--gradient-checkpointing", "--steps", "1", "--warmup", "1", "--batch-size", "4", "--seq-len", "128",
           "--threads", "1", "--peak-tflops", "0.5", "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["tokens_per_s"] > 0 and out["tokens_per_step"] > 0 and out["steps"] == 1
    assert out["packing"] and out["gradient_checkpointing"] and out["attention"] == "sdpa"
    assert out["precision"] == "bf16" and 0 < out["trainable_params"] < out["params"] / 4 and out["peak_rss_mb"] > 0
    assert abs(out["mfu"] - 6 * out["params"] * out["tokens_per_s"] / 0.5e12) < 1e-9
    assert abs(out["mfu_lora_4n"] - 4 * out["params"] * out["tokens_per_s"] / 0.5e12) < 1e-9


def test_peak_flops_by_device():
    def peak(device, precision, name):
        return bench_train.peak_tflops(Namespace(peak_tflops=None, device=device, precision=precision), name)

    assert peak("cuda", "bf16", "NVIDIA H200")[0] == 989.4
    assert peak("cuda", "bf16", "NVIDIA H100 PCIe")[0] == 756.0
    assert peak("cuda", "fp16", "NVIDIA A100-SXM4-80GB")[0] == 312.0
    for args in (("cpu", "fp32", "cpu x2 threads"), ("cuda", "fp32", "NVIDIA H200"), ("cuda", "bf16", "Tesla T4")):
        tf, why = peak(*args)
        assert tf is None and "pass --peak-tflops" in why
