"""The ONNX export: a tiny model of each architecture exports, onnxruntime matches torch, the
folder has the contract's files, the tree attention mask works, and a failed check writes nothing."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from labor_trainer.onnx_export import ExportError, export_model
from labor_trainer.random_model import build_random_model, resume_texts
from labor_trainer.tokenizer import train_bpe_tokenizer

FILES = ["config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"]


def _session(out):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(os.path.join(out, "onnx", "model.onnx"), opts, providers=["CPUExecutionProvider"])


def _feeds(session, ids, mask, positions, kv_heads, head_dim):
    feeds = {"input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.array([mask], dtype=np.int64),
             "position_ids": np.array([positions], dtype=np.int64)}
    for inp in session.get_inputs():
        if inp.name.startswith("past_key_values."):
            feeds[inp.name] = np.zeros((1, kv_heads, 0, head_dim), dtype=np.float32)
    return feeds


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_export_matches_torch(tmp_path, arch):
    out = str(tmp_path / "model")
    result = build_random_model(out, layers=2, hidden=32, heads=4, kv_heads=2 if arch == "llama" else None,
                                max_positions=64, vocab_size=400, arch=arch, seed=1, init_range=0.2)
    assert result["max_abs_diff"] < 1e-3
    assert result["opset"] == 17 and result["num_layers"] == 2 and result["model_type"] == arch
    for f in FILES:
        assert os.path.isfile(os.path.join(out, f)), f
    config = json.load(open(os.path.join(out, "config.json")))
    assert config["model_type"] == arch and config["vocab_size"] == 400

    s = _session(out)
    names = [i.name for i in s.get_inputs()]
    assert names[:3] == ["input_ids", "attention_mask", "position_ids"]
    assert "past_key_values.1.value" in names
    assert [o.name for o in s.get_outputs()][:3] == ["logits", "logsumexp", "present.0.key"]

    # Tree mask: mask value 2 + i hides a key from queries after index i.
    kv = result["num_kv_heads"]
    hd = result["head_dim"]
    ids = [5, 6, 7]
    tree = s.run(["logits"], _feeds(s, ids, [2 + 0, 1, 1], [0, 1, 2], kv, hd))[0][0]
    alone = s.run(["logits"], _feeds(s, ids[1:], [1, 1], [1, 2], kv, hd))[0][0]
    full = s.run(["logits", "logsumexp"], _feeds(s, ids, [1, 1, 1], [0, 1, 2], kv, hd))
    np.testing.assert_allclose(tree[1:], alone, atol=1e-5)
    np.testing.assert_allclose(tree[0], full[0][0][0], atol=1e-5)  # token 0 itself still sees itself
    assert np.abs(full[0][0][1:] - alone).max() > 1e-4  # and hiding it mattered
    lse = torch.logsumexp(torch.from_numpy(full[0][0]), dim=-1).numpy()
    np.testing.assert_allclose(full[1][0], lse, atol=1e-5)


def test_plain_export_has_no_extensions(tmp_path):
    out = str(tmp_path / "plain")
    result = build_random_model(out, layers=1, hidden=32, heads=2, max_positions=32, vocab_size=300, plain=True)
    assert result["max_abs_diff"] < 1e-3
    s = _session(out)
    assert "logsumexp" not in [o.name for o in s.get_outputs()]
    ids = [5, 6]
    two = s.run(["logits"], _feeds(s, ids, [2, 1], [0, 1], result["num_kv_heads"], result["head_dim"]))[0][0]
    ones = s.run(["logits"], _feeds(s, ids, [1, 1], [0, 1], result["num_kv_heads"], result["head_dim"]))[0][0]
    np.testing.assert_allclose(two, ones, atol=1e-6)  # any non-zero value just attends


def test_failed_check_writes_nothing(tmp_path):
    from transformers import LlamaConfig, AutoModelForCausalLM

    texts = resume_texts(["Cook", "Cooks"], 20, 0)
    tok_dir = str(tmp_path / "tok")
    tok = train_bpe_tokenizer(texts, 300, tok_dir)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(LlamaConfig(
        vocab_size=300, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        max_position_embeddings=64))
    out = tmp_path / "never"
    with pytest.raises(ExportError, match="differs from torch"):
        export_model(model, tok, str(out), texts[:1], tolerance=-1.0, tokenizer_dir=tok_dir)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".never")] == []  # staging removed
    with pytest.raises(ValueError, match="tokenizer has"):
        small = AutoModelForCausalLM.from_config(LlamaConfig(
            vocab_size=100, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2))
        export_model(small, tok, str(out), texts[:1])
