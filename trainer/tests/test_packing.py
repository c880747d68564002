"""Sequence packing, activation checkpointing and bf16 autocast in the trainer's own loss
(labor_trainer.loop.target_nll), on a tiny Llama with SDPA attention."""
import os
import random

import pytest
import torch

from labor_trainer.batches import pack_rows, packed_batch, padded_batch
from labor_trainer.loop import target_nll
from labor_trainer.modeling import apply_lora, build_init_model, enable_gradient_checkpointing, llama_config
from labor_trainer.train import run_job

from conftest import read_json, tiny_spec, write_job

VOCAB, PAD, CAPACITY = 300, 0, 64
INIT = {"layers": 2, "hidden": 32, "heads": 2, "intermediate": 64, "max_positions": 128}


def tiny_model(seed=0):
    model = build_init_model(llama_config({**INIT, "vocab_size": VOCAB}, VOCAB, PAD), seed)
    assert model.config._attn_implementation == "sdpa"
    return model


def sequences(seed=0):
    rng = random.Random(seed)
    lengths = [2, CAPACITY, 5, 17, 40, 23, 9, 31, 12, 3, 60, 7]
    return [[rng.randrange(1, VOCAB) for _ in range(n)] for n in lengths]


def per_text(nll: torch.Tensor, batch, n_texts: int) -> torch.Tensor:
    """Mean loss of each text from the target-level losses."""
    which = batch.text[:, :-1][batch.targets]
    total = torch.zeros(n_texts, dtype=nll.dtype).index_add_(0, which, nll)
    count = torch.zeros(n_texts, dtype=nll.dtype).index_add_(0, which, torch.ones_like(nll))
    return total / count


def test_pack_rows_best_fit_decreasing():
    lengths = [5, 3, 8, 2, 6, 1, 7, 4]
    rows = pack_rows(lengths, 10)
    assert sorted(i for r in rows for i in r) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in r) <= 10 for r in rows)
    assert len(rows) == 4 == -(-sum(lengths) // 10)  # 36 tokens in the fewest possible rows
    assert rows == pack_rows(lengths, 10)
    with pytest.raises(ValueError, match="sequence 0 has 11 tokens"):
        pack_rows([11], 10)


def test_packed_batch_layout():
    seqs = [[11, 12, 13], [21, 22], [31, 32, 33, 34]]
    b = packed_batch(seqs, PAD, 6)
    assert b.attention_mask is None and b.ids.shape == (2, 6)  # best fit: 4 + 2 tokens, then 3
    assert b.ids.tolist() == [[31, 32, 33, 34, 21, 22], [11, 12, 13, PAD, PAD, PAD]]
    assert b.position_ids.tolist() == [[0, 1, 2, 3, 0, 1], [0, 1, 2, 0, 1, 2]]
    assert b.text.tolist() == [[2, 2, 2, 2, 1, 1], [0, 0, 0, -1, -1, -1]]
    assert b.targets.tolist() == [[True, True, True, False, True], [True, True, False, False, False]]
    assert (b.n_tokens, b.n_targets) == (9, 6)
    p = padded_batch(seqs, PAD)
    assert p.position_ids is None and p.ids.shape == (3, 4) and (p.n_tokens, p.n_targets) == (9, 6)


@pytest.mark.parametrize("method", ["full", "lora"])
def test_packed_equals_padded_per_text(method):
    """fp32: every text's loss and the gradients are the same packed (several texts per row,
    attention kept inside each text) as padded (one text per row), within 1e-5."""
    model = tiny_model()
    if method == "lora":
        model = apply_lora(model, {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}, 0)
    seqs = sequences()
    padded, packed = padded_batch(seqs, PAD), packed_batch(seqs, PAD, CAPACITY)
    assert packed.ids.shape[0] < len(seqs) - 3  # it packs: many rows hold several texts

    def run(batch):
        model.zero_grad(set_to_none=True)
        nll = target_nll(model, batch, None)
        nll.sum().backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}
        return per_text(nll.detach(), batch, len(seqs)), grads

    loss_pad, grad_pad = run(padded)
    loss_pack, grad_pack = run(packed)
    assert torch.allclose(loss_pack, loss_pad, rtol=0, atol=1e-5), (loss_pack - loss_pad).abs().max()
    for n in grad_pad:
        assert torch.allclose(grad_pack[n], grad_pad[n], rtol=1e-4, atol=1e-5), n

    # The control: the same rows with one position sequence per row (plain causal attention
    # across texts) give different losses, so the equality above is the block-diagonal mask's.
    leaky = packed_batch(seqs, PAD, CAPACITY)
    leaky.position_ids = None
    loss_leaky = per_text(target_nll(model, leaky, None).detach(), leaky, len(seqs))
    assert (loss_leaky - loss_pad).abs().max() > 1e-3


def test_gradient_checkpointing_same_gradients():
    seqs = sequences(1)
    batch = packed_batch(seqs, PAD, CAPACITY)
    grads = []
    for checkpointing in (False, True):
        model = tiny_model().train()
        if checkpointing:
            enable_gradient_checkpointing(model)
            assert model.is_activation_checkpointing
        target_nll(model, batch, None).sum().backward()
        grads.append({n: p.grad for n, p in model.named_parameters()})
    for n in grads[0]:
        assert torch.allclose(grads[0][n], grads[1][n], rtol=1e-5, atol=1e-6), n


def test_bf16_autocast_on_cpu_keeps_fp32_weights():
    model = tiny_model()
    batch = packed_batch(sequences(2), PAD, CAPACITY)
    ref = target_nll(model, batch, None)
    got = target_nll(model, batch, torch.bfloat16)
    assert got.dtype == torch.float32
    assert 0 < (got - ref).abs().max() < 0.1  # bf16 matmuls: close, and not the fp32 result
    got.sum().backward()
    assert all(p.dtype == torch.float32 and p.grad.dtype == torch.float32 for p in model.parameters())


def test_jobs_packed_unpacked_bf16_checkpointed(tmp_path, texts_path):
    """Whole jobs: packing on and off train the same (same batches, same losses within float
    error); bf16 with activation checkpointing trains on CPU too; fp16 on CPU is refused clearly."""
    spec = tiny_spec(texts_path, max_steps=3, eval_every=3, checkpoint_every=None, schedule={"warmup_steps": 1})
    metrics = {}
    for name, over in {"packed": {}, "padded": {"packing": False},
                       "bf16": {"precision": "bf16", "gradient_checkpointing": True}}.items():
        job = write_job(tmp_path / name, {**spec, **over})
        assert run_job(job, echo=False) == 0, open(os.path.join(job, "train.log")).read()
        metrics[name] = read_json(os.path.join(job, "metrics.json"))
    packed, padded, bf16 = metrics["packed"], metrics["padded"], metrics["bf16"]
    assert abs(packed["val_loss_initial"] - padded["val_loss_initial"]) < 1e-5
    assert abs(packed["best_val_loss"] - padded["best_val_loss"]) < 1e-4
    assert abs(packed["train_loss"] - padded["train_loss"]) < 1e-4
    assert packed["train_tokens"] == padded["train_tokens"]
    assert bf16["precision"] == "bf16" and bf16["best_val_loss"] < bf16["val_loss_initial"]
    assert abs(bf16["val_loss_initial"] - packed["val_loss_initial"]) < 0.05
    log = open(os.path.join(tmp_path / "bf16", "train.log")).read()
    assert "attention sdpa, packing True, gradient checkpointing True" in log
    # bf16 training saves bf16 weights (half the folder); the ONNX export still matches them.
    assert (packed["saved_dtype"], bf16["saved_dtype"]) == ("float32", "bfloat16")
    assert {saved_dtypes(tmp_path / "packed"), saved_dtypes(tmp_path / "bf16")} == {("F32",), ("BF16",)}
    assert bf16["export"]["max_abs_diff"] < 1e-3

    job = write_job(tmp_path / "fp16", {**spec, "precision": "fp16", "packing": "yes"})
    assert run_job(job, echo=False) == 2
    err = read_json(os.path.join(job, "error.json"))["message"]
    assert "spec.precision: 'fp16' needs device 'cuda'" in err and 'spec.packing: expected true or false, found "yes"' in err


def saved_dtypes(job) -> tuple:
    """The dtypes in a job's output/model.safetensors, from its header."""
    import json as _json
    import struct
    with open(os.path.join(job, "output", "model.safetensors"), "rb") as f:
        header = _json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    return tuple(sorted({v["dtype"] for k, v in header.items() if k != "__metadata__"}))
