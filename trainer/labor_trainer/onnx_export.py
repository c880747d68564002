"""Export a causal LM to the project's model folder (design.md section 3b) and check it.

Folder layout (what @huggingface/transformers loads offline, and what lib/lm reads):

    config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx (fp32)

Graph contract:
    inputs   input_ids [B, S] int64, attention_mask [B, past+S] int64, position_ids [B, S] int64,
             past_key_values.{i}.key|value [B, kv_heads, past, head_dim] float32
    outputs  logits [B, S, V], present.{i}.key|value [B, kv_heads, past+S, head_dim]

Two extensions that callers who do not know them never notice:
    output `logsumexp` [B, S]: logsumexp(logits) per position, so a scorer gets
        log P(token) = logits[token] - logsumexp without a pass over the vocabulary in JS.
    attention_mask values >= 2 (0 = padding and 1 = attend, as usual, behave as in any export):
        a key whose mask value is v >= 2 is seen only by queries at key/value index <= v - 2
        (indices count the past, then the new tokens). With the tokens of a token trie fed in
        depth-first order, v - 2 = the index of the last token of the key's subtree makes every
        token see the context and its own ancestors only: all candidates of a trie in one
        sequence, none seeing another (tree attention; lib/lm/fast-scorer.ts). The Node
        runtime passes only declared inputs, so this rides on an input every caller feeds.

Export: torch.onnx.export(dynamo=False) through a wrapper that rebuilds a transformers
DynamicCache from the flat past tensors and passes the model a ready 4D additive mask (eager
attention, so the graph is plain MatMul/Softmax that onnxruntime runs everywhere).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

OPSET = 17
# Larger graphs than this go to an external data file (protobuf's limit is 2 GiB).
EXTERNAL_DATA_THRESHOLD = 1_800_000_000
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


class ExportError(RuntimeError):
    """The exported graph does not reproduce the torch model."""


def model_dims(config) -> dict:
    """Layers, key/value heads, head size and positions of a Llama- or GPT-2-style config."""
    text = config.get_text_config(decoder=True) if hasattr(config, "get_text_config") else config
    layers = getattr(text, "num_hidden_layers", None) or getattr(text, "n_layer")
    heads = getattr(text, "num_attention_heads", None) or getattr(text, "n_head")
    kv_heads = getattr(text, "num_key_value_heads", None) or heads
    hidden = getattr(text, "hidden_size", None) or getattr(text, "n_embd")
    head_dim = getattr(text, "head_dim", None) or hidden // heads
    positions = getattr(text, "max_position_embeddings", None) or getattr(text, "n_positions", None)
    return {"num_layers": int(layers), "num_kv_heads": int(kv_heads), "head_dim": int(head_dim),
            "max_positions": int(positions) if positions else None, "vocab_size": int(text.vocab_size)}


class _CacheWrapper(nn.Module):
    """Flat tensors in, flat tensors out: what the ONNX graph's signature needs."""

    def __init__(self, model: nn.Module, num_layers: int, plain: bool = False):
        super().__init__()
        self.model = model
        self.num_layers = num_layers
        self.plain = plain

    def forward(self, input_ids, attention_mask, position_ids, *past):
        from transformers import DynamicCache

        cache = DynamicCache(
            ddp_cache_data=[(past[2 * i], past[2 * i + 1]) for i in range(self.num_layers)],
            config=self.model.config,
        )
        seq = input_ids.shape[1]
        total = attention_mask.shape[1]
        past_len = total - seq
        # Causal + padding (+ tree) mask built here, not by transformers: [B, 1, S, past+S].
        q_idx = (torch.arange(seq, device=input_ids.device) + past_len).view(1, -1, 1)
        k_idx = torch.arange(total, device=input_ids.device).view(1, 1, -1)
        m = attention_mask.unsqueeze(1)
        visible = (m != 0) if self.plain else (m == 1) | ((m >= 2) & (q_idx <= m - 2))
        allowed = (k_idx <= q_idx) & visible
        minimum = torch.finfo(torch.float32).min
        mask = torch.where(allowed, torch.tensor(0.0), torch.tensor(minimum)).unsqueeze(1)
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
            return_dict=True,
        )
        logits = out.logits
        presents = []
        for layer in out.past_key_values.layers:
            presents += [layer.keys, layer.values]
        if self.plain:
            return (logits, *presents)
        return (logits, torch.logsumexp(logits, dim=-1), *presents)


def _names(num_layers: int, plain: bool = False):
    past = [f"past_key_values.{i}.{kv}" for i in range(num_layers) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(num_layers) for kv in ("key", "value")]
    inputs = ["input_ids", "attention_mask", "position_ids", *past]
    outputs = ["logits", *([] if plain else ["logsumexp"]), *present]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        "logsumexp": {0: "batch_size", 1: "sequence_length"},
    }
    for name in past:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    return inputs, outputs, past, axes


def _export_graph(model: nn.Module, dims: dict, onnx_path: Path, plain: bool) -> None:
    L, H, D = dims["num_layers"], dims["num_kv_heads"], dims["head_dim"]
    batch, seq, past_len = 2, 3, 4
    dummy_ids = torch.randint(0, dims["vocab_size"], (batch, seq))
    dummy_mask = torch.ones(batch, past_len + seq, dtype=torch.int64)
    dummy_pos = torch.arange(past_len, past_len + seq).unsqueeze(0).expand(batch, -1).contiguous()
    dummy_past = [torch.randn(batch, H, past_len, D) * 0.1 for _ in range(2 * L)]
    inputs, outputs, _, axes = _names(L, plain)
    wrapper = _CacheWrapper(model, L, plain).eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python values are expected here
        torch.onnx.export(
            wrapper,
            (dummy_ids, dummy_mask, dummy_pos, *dummy_past),
            str(onnx_path),
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _torch_run(model, ids: list[int], past=None, past_len: int = 0):
    """Reference forward pass: logits [S, V] and the cache, through transformers itself."""
    input_ids = torch.tensor([ids])
    positions = torch.arange(past_len, past_len + len(ids)).unsqueeze(0)
    mask = torch.ones(1, past_len + len(ids), dtype=torch.int64)
    with torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                    past_key_values=past, use_cache=True, return_dict=True)
    return out.logits[0].numpy(), out.past_key_values


def _cache_arrays(cache) -> list[np.ndarray]:
    arrays = []
    for layer in cache.layers:
        arrays += [layer.keys.numpy().copy(), layer.values.numpy().copy()]
    return arrays


def check_export(model, tokenizer, onnx_path: str, check_texts: list[str], plain: bool = False) -> float:
    """Largest |ORT - torch| over logits, logsumexp and present, with and without a past cache,
    and (unless `plain`) for a tree mask against the same token without its hidden neighbour."""
    import onnxruntime as ort
    from transformers import DynamicCache

    dims = model_dims(model.config)
    L, H, D = dims["num_layers"], dims["num_kv_heads"], dims["head_dim"]
    _, output_names, past_names, _ = _names(L, plain)
    present_names = [n for n in output_names if n.startswith("present.")]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])

    def ort_run(ids, past_arrays, past_len):
        feeds = {
            "input_ids": np.array([ids], dtype=np.int64),
            "attention_mask": np.ones((1, past_len + len(ids)), dtype=np.int64),
            "position_ids": np.arange(past_len, past_len + len(ids), dtype=np.int64)[None],
        }
        for name, arr in zip(past_names, past_arrays):
            feeds[name] = arr
        return dict(zip(output_names, session.run(output_names, feeds)))

    worst = 0.0
    checked = 0
    for text in check_texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"][: dims["max_positions"] or None]
        if len(ids) < 2:
            continue
        checked += 1
        empty = [np.zeros((1, H, 0, D), dtype=np.float32) for _ in range(2 * L)]
        # Whole text, empty cache.
        ref_logits, ref_cache = _torch_run(model, ids, DynamicCache(config=model.config))
        got = ort_run(ids, empty, 0)
        worst = max(worst, float(np.abs(got["logits"][0] - ref_logits).max()))
        if not plain:
            lse = torch.logsumexp(torch.from_numpy(ref_logits), dim=-1).numpy()
            worst = max(worst, float(np.abs(got["logsumexp"][0] - lse).max()))
        for name, b in zip(present_names, _cache_arrays(ref_cache)):
            worst = max(worst, float(np.abs(got[name] - b).max()))
        # Split: the first part's cache (from ORT) feeds the second part.
        cut = len(ids) // 2
        first = ort_run(ids[:cut], empty, 0)
        _, torch_cache = _torch_run(model, ids[:cut], DynamicCache(config=model.config))
        ref_logits2, _ = _torch_run(model, ids[cut:], torch_cache, past_len=cut)
        second = ort_run(ids[cut:], [first[n] for n in present_names], cut)
        worst = max(worst, float(np.abs(second["logits"][0] - ref_logits2).max()))
    if checked == 0:
        raise ValueError("check_texts: need at least one text of two or more tokens to check the export")
    # Tree mask: key 0 with mask value 2 is hidden from query 1, so token 1 must score as if
    # token 0 were absent (same position).
    ids = tokenizer(check_texts[0], add_special_tokens=False)["input_ids"][:2]
    if len(ids) == 2 and not plain:
        empty = {n: np.zeros((1, H, 0, D), dtype=np.float32) for n in past_names}
        tree = session.run(["logits"], {
            "input_ids": np.array([ids], dtype=np.int64), "attention_mask": np.array([[2, 1]], dtype=np.int64),
            "position_ids": np.array([[0, 1]], dtype=np.int64), **empty})[0][0, 1]
        alone = session.run(["logits"], {
            "input_ids": np.array([ids[1:]], dtype=np.int64), "attention_mask": np.array([[1]], dtype=np.int64),
            "position_ids": np.array([[1]], dtype=np.int64), **empty})[0][0, 0]
        worst = max(worst, float(np.abs(tree - alone).max()))
    return worst


def _prepare(model):
    model = model.float().eval()
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation("eager")
    else:  # older transformers
        model.config._attn_implementation = "eager"
    model.config.use_cache = True
    return model


def export_model(model, tokenizer, out_dir: str, check_texts: list[str], tolerance: float = 1e-3,
                 tokenizer_dir: str | None = None, plain: bool = False) -> dict:
    """Exports `model` (Llama or GPT-2 architecture) and `tokenizer` to `out_dir`, checks the graph
    against torch on `check_texts`, and returns {max_abs_diff, opset, num_layers, ...}.

    Files are written to a temporary sibling folder first and moved in only after the check
    passes, so a failed export leaves `out_dir` as it was. Raises ExportError if onnxruntime
    differs from torch by more than `tolerance`. The tokenizer files are copied from
    `tokenizer_dir` when given (as written by labor_trainer.tokenizer), otherwise written by
    `tokenizer.save_pretrained`. `plain=True` leaves out both extensions (no `logsumexp`
    output; attention_mask is 0/1 only, any non-zero value attends), as other exporters' graphs
    are: for testing the scorers' fallbacks. The model is put in eval mode, fp32, eager
    attention (in place).
    """
    model = _prepare(model)
    dims = model_dims(model.config)
    if len(tokenizer) > dims["vocab_size"]:
        raise ValueError(f"tokenizer has {len(tokenizer)} tokens but the model's vocab_size is {dims['vocab_size']}")
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    try:
        (staging / "onnx").mkdir()
        onnx_path = staging / "onnx" / "model.onnx"
        _export_graph(model, dims, onnx_path, plain)
        if onnx_path.stat().st_size > EXTERNAL_DATA_THRESHOLD or len(list(onnx_path.parent.iterdir())) > 1:
            _to_external_data(onnx_path)
        diff = check_export(model, tokenizer, str(onnx_path), check_texts, plain)
        if not diff <= tolerance:
            raise ExportError(f"ONNX export differs from torch by {diff:.3g} (tolerance {tolerance:g})")
        model.config.save_pretrained(str(staging))
        if tokenizer_dir:
            for name in TOKENIZER_FILES:
                if (Path(tokenizer_dir) / name).is_file():
                    shutil.copyfile(Path(tokenizer_dir) / name, staging / name)
        else:
            tokenizer.save_pretrained(str(staging))
        missing = [n for n in ("config.json", "tokenizer.json", "tokenizer_config.json") if not (staging / n).is_file()]
        if missing:
            raise ExportError(f"export wrote no {', '.join(missing)} (tokenizer_dir={tokenizer_dir!r})")
        out.mkdir(parents=True, exist_ok=True)
        (out / "onnx").mkdir(exist_ok=True)
        for src in staging.rglob("*"):
            if src.is_file():
                os.replace(src, out / src.relative_to(staging))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {
        "max_abs_diff": diff,
        "tolerance": tolerance,
        "opset": OPSET,
        "num_layers": dims["num_layers"],
        "num_kv_heads": dims["num_kv_heads"],
        "head_dim": dims["head_dim"],
        "vocab_size": dims["vocab_size"],
        "max_positions": dims["max_positions"],
        "model_type": model.config.model_type,
        "outputs": ["logits", *([] if plain else ["logsumexp"]), "present.{i}.key|value"],
        "attention_mask_values": "0 pad, non-zero attend" if plain
        else "0 pad, 1 attend, v>=2 attend from key/value index <= v-2 (tree)",
        "check_texts": len(check_texts),
    }


def _to_external_data(path: Path) -> None:
    import onnx

    model = onnx.load(str(path))
    for stale in path.parent.iterdir():
        if stale != path:
            stale.unlink()
    onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location="model.onnx_data", size_threshold=1024)
