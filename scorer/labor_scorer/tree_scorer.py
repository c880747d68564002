"""Shared-prefix scoring with torch: log P(" " + title + "\\n" | context) for every candidate.

Per context:
1. One pass over the context (prefix + tokens, truncated as lib/lm/truncation.ts), keeping its
   key/value cache and the last position's distribution (the trie's root row) only.
2. The trie's inner nodes (trie.py; shared prefixes once, leaves never fed) in chunks, each one
   sequence over the context's cache: a DynamicCache built on the context's own tensors (never
   copied per candidate; each chunk's pass concatenates the chunk's keys/values to them once)
   and a boolean tree mask for PyTorch SDPA [1, 1, S, C + S]: every context position is
   visible to every trie token, a trie token sees itself and its ancestors only. A chunk is a
   run of inner nodes in preorder, preceded by the ancestors of its first node that earlier
   chunks fed (their rows are not read), so every node's ancestors are in its sequence.
   Position of a node = C - 1 + its depth (the root is the context's last token).
3. Each node's log-probability = logit - logsumexp of its parent's row (fp32), summed along each
   candidate's path in float64 (the "\\n" included).
Chunks are as long as the memory budget allows (estimate_bytes), so with enough memory all
candidates go in one pass. fp32 on CPU (equal to the ONNX scorer within 1e-4), bf16 on CUDA.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch

from .errors import InvalidConfig, InvalidData, InvalidModel
from .tokenize import candidate_ids, check_boundary, continuation_text, encoder_of, special_prefix
from .trie import TokenTrie
from .truncation import HeaderLines, truncate_context

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
DEFAULT_CPU_BUDGET_MB = 1024
DEFAULT_CPU_MAX_CHUNK = 256


@dataclass
class Chunk:
    """One pass: `tokens` fed at depths `depth`; `tree` [S, S] who sees whom among them; the
    children read from rows `read_rows` (of the kept logits) are `read_nodes` / `read_tokens`."""
    tokens: torch.Tensor
    depth: torch.Tensor
    tree: torch.Tensor
    extra: int
    read_rows: torch.Tensor
    read_nodes: torch.Tensor
    read_tokens: torch.Tensor


@dataclass
class Stats:
    requests: int = 0
    truncated_contexts: int = 0
    dropped_lines: int = 0
    dropped_tokens: int = 0
    context_tokens: int = 0
    model_runs: int = 0
    tokens_run: int = 0


def model_sizes(config) -> dict:
    text = config.get_text_config(decoder=True) if hasattr(config, "get_text_config") else config
    heads = getattr(text, "num_attention_heads", None) or getattr(text, "n_head")
    hidden = getattr(text, "hidden_size", None) or getattr(text, "n_embd")
    return {
        "layers": int(getattr(text, "num_hidden_layers", None) or getattr(text, "n_layer")),
        "heads": int(heads),
        "kv_heads": int(getattr(text, "num_key_value_heads", None) or heads),
        "head_dim": int(getattr(text, "head_dim", None) or hidden // heads),
        "hidden": int(hidden),
        "intermediate": int(getattr(text, "intermediate_size", None) or getattr(text, "n_inner", None) or 4 * hidden),
        "vocab": int(text.vocab_size),
        "max_positions": int(getattr(text, "max_position_embeddings", None) or getattr(text, "n_positions")),
    }


def resolve_device(device: str) -> torch.device:
    if device not in ("cpu", "cuda"):
        raise InvalidConfig(f"device must be cpu or cuda, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise InvalidConfig("device cuda asked for, but torch sees no usable GPU (torch.cuda.is_available() is False)")
    return torch.device(device)


def default_dtype(device: str) -> str:
    return "bf16" if device == "cuda" else "fp32"


def load_model_folder(model_dir: str, device: str = "cpu", dtype: str | None = None):
    """(model, tokenizer) from a model folder (config.json, tokenizer files, and HF weights or a
    LoRA step's adapters with base.json: labor_trainer/model_folder.py), local only."""
    from transformers import AutoTokenizer
    # The trainer's reader of its own folders (on PYTHONPATH beside labor_scorer).
    from labor_trainer.model_folder import ModelFolderError, load_causal_lm, weights_problem

    dtype = dtype or default_dtype(device)
    if dtype not in DTYPES:
        raise InvalidConfig(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    dev = resolve_device(device)
    folder = Path(model_dir).resolve()
    if not folder.is_dir():
        raise InvalidModel(f"model folder not found: {folder}")
    problems = [f"missing {n}" for n in ("config.json", "tokenizer.json", "tokenizer_config.json") if not (folder / n).is_file()]
    weights = weights_problem(str(folder))
    if weights:
        problems.append(weights)
    if problems:
        raise InvalidModel(f"model folder {folder}: cannot load it with transformers", problems)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = load_causal_lm(str(folder), DTYPES[dtype], attn_implementation="sdpa")
    except (OSError, ValueError, KeyError, ModelFolderError) as e:
        raise InvalidModel(f"model folder {folder}: transformers cannot load it: {e}") from e
    return model.to(dev).eval(), tokenizer


class TreeScorer:
    """Scores every candidate for each context; see the module comment."""

    def __init__(self, model, tokenizer, candidates: Sequence[str], *, header_lines: HeaderLines = "auto",
                 memory_budget_mb: float | None = None, max_chunk_tokens: int | None = None):
        self.model = model
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        self.sizes = model_sizes(model.config)
        self.candidates = list(candidates)
        self.encode = encoder_of(tokenizer)
        self.prefix = special_prefix(tokenizer)
        self.ids, self.checked_encodings = candidate_ids(self.encode, self.candidates)
        self.longest = max(len(x) for x in self.ids)
        self.max_context_tokens = self.sizes["max_positions"] - self.longest
        if self.max_context_tokens < 1:
            raise InvalidData(f"the longest candidate continuation has {self.longest} tokens, leaving no room for a "
                              f"context in the model's {self.sizes['max_positions']} positions")
        if header_lines != "auto" and not (isinstance(header_lines, int) and header_lines >= 0):
            raise InvalidConfig(f"header_lines must be 'auto' or a non-negative integer, got {header_lines!r}")
        self.header_lines = header_lines
        self.trie = TokenTrie(self.ids)
        self.memory_budget_bytes = self._budget(memory_budget_mb)
        cap = max_chunk_tokens or (DEFAULT_CPU_MAX_CHUNK if self.device.type == "cpu" else 1 << 16)
        if not (isinstance(cap, int) and cap >= 1):
            raise InvalidConfig(f"max_chunk_tokens must be a positive integer, got {max_chunk_tokens!r}")
        self.max_chunk_tokens = cap
        self.chunks = self._plan()
        self._path_candidate = self.trie.path_candidate.to(self.device)
        self._path_node = self.trie.path_node.to(self.device)
        root_kids = (self.trie.parent == 0).nonzero().flatten()
        self._root_nodes = root_kids.to(self.device)
        self._root_tokens = self.trie.token[root_kids].to(self.device)
        self.stats = Stats()

    def _budget(self, memory_budget_mb: float | None) -> int:
        if memory_budget_mb is not None:
            if not memory_budget_mb > 0:
                raise InvalidConfig(f"memory_budget_mb must be positive, got {memory_budget_mb}")
            return int(memory_budget_mb * 2**20)
        if self.device.type == "cuda":
            free, _ = torch.cuda.mem_get_info(self.device)
            return int(free * 0.6)
        return DEFAULT_CPU_BUDGET_MB * 2**20

    def estimate_bytes(self, seq: int, past: int) -> int:
        """Peak bytes of one chunk pass: logits (model dtype, fp32 copy, logsumexp temporaries),
        the concatenated key/values of all layers, one layer's attention scores, activations."""
        s, elt = self.sizes, torch.finfo(self.dtype).bits // 8
        kv = s["layers"] * 2 * (past + seq) * s["kv_heads"] * s["head_dim"] * elt
        return (seq * s["vocab"] * (elt + 8) + kv + s["heads"] * seq * (past + seq) * 4 * 2
                + seq * (s["hidden"] * 6 + s["intermediate"] * 3) * elt)

    def _plan(self) -> list[Chunk]:
        t = self.trie
        inner = t.inner.tolist()[1:]  # the root's row comes from the context pass
        is_inner = torch.zeros(t.size, dtype=torch.bool)
        is_inner[t.inner] = True
        children: list[list[int]] = [[] for _ in range(t.size)]
        for n in range(1, t.size):
            children[int(t.parent[n])].append(n)
        max_depth = int(t.depth.max())
        chunks, a = [], 0
        while a < len(inner):
            room = self.max_chunk_tokens
            while room > 1 and self.estimate_bytes(room + max_depth, self.max_context_tokens) > self.memory_budget_bytes:
                room = max(1, room // 2) if room > 64 else room - 1
            b = min(len(inner), a + room)
            extras = t.ancestors(inner[a])[1:]
            nodes = extras + inner[a:b]
            idx = torch.tensor(nodes, dtype=torch.long)
            end = t.subtree_end[idx]
            tree = (idx[None, :] <= idx[:, None]) & (idx[:, None] <= end[None, :])
            rows, kids = [], []
            for r, n in enumerate(inner[a:b]):
                rows += [r] * len(children[n])
                kids += children[n]
            kid_t = torch.tensor(kids, dtype=torch.long)
            dev = self.device
            chunks.append(Chunk(t.token[idx].to(dev), t.depth[idx].to(dev), tree.to(dev), len(extras),
                                torch.tensor(rows, dtype=torch.long, device=dev), kid_t.to(dev), t.token[kid_t].to(dev)))
            a = b
        return chunks

    def context_ids(self, context: str, where: str) -> list[int]:
        if not isinstance(context, str):
            raise InvalidData(f"{where}: context must be a string, got {type(context).__name__}")
        tr = truncate_context(context, self.encode, self.prefix, self.max_context_tokens, self.header_lines)
        if not tr.ids:
            raise InvalidData(f"{where}: empty context (no tokens, and the tokenizer adds no BOS): nothing to condition on")
        text_ids = self.encode(tr.text) if tr.dropped_tokens else tr.ids[len(self.prefix):]
        check_boundary(self.encode, tr.text, text_ids, continuation_text(self.candidates[0]), self.ids[0], where)
        st = self.stats
        st.requests += 1
        st.context_tokens += len(tr.ids)
        if tr.truncated:
            st.truncated_contexts += 1
            st.dropped_lines += tr.dropped_lines
            st.dropped_tokens += tr.dropped_tokens
        return tr.ids

    @torch.inference_mode()
    def score_ids(self, ctx: list[int]) -> torch.Tensor:
        """float64 [candidates] on the CPU."""
        from transformers import DynamicCache

        C = len(ctx)
        dev = self.device
        out = self.model(input_ids=torch.tensor([ctx], device=dev), use_cache=True, logits_to_keep=1)
        self.stats.model_runs += 1
        self.stats.tokens_run += C
        layers = [(layer.keys, layer.values) for layer in out.past_key_values.layers]
        node_lp = torch.zeros(self.trie.size, dtype=torch.float64, device=dev)
        root = out.logits[0, -1].float().log_softmax(-1)
        node_lp[self._root_nodes] = root[self._root_tokens].double()
        del out
        for ch in self.chunks:
            S = ch.tokens.numel()
            mask = torch.ones(1, 1, S, C + S, dtype=torch.bool, device=dev)
            mask[0, 0, :, C:] = ch.tree
            cache = DynamicCache(ddp_cache_data=layers, config=self.model.config)
            logits = self.model(
                input_ids=ch.tokens[None], position_ids=(C - 1 + ch.depth)[None], attention_mask=mask,
                past_key_values=cache, use_cache=True, logits_to_keep=S - ch.extra,
            ).logits[0].float()
            lse = torch.logsumexp(logits, dim=-1)
            node_lp[ch.read_nodes] = (logits[ch.read_rows, ch.read_tokens] - lse[ch.read_rows]).double()
            self.stats.model_runs += 1
            self.stats.tokens_run += S
            del cache, logits
        out = torch.zeros(len(self.candidates), dtype=torch.float64, device=dev)
        return out.index_add_(0, self._path_candidate, node_lp[self._path_node]).cpu()

    def score(self, contexts: Sequence[str]) -> list[torch.Tensor]:
        return [self.score_ids(self.context_ids(c, f"request {i}")) for i, c in enumerate(contexts)]

    def describe(self) -> dict:
        return {
            "backend": "torch", "device": self.device.type, "dtype": str(self.dtype).removeprefix("torch."),
            "candidates": len(self.candidates), "chunks": len(self.chunks),
            "trie": {"nodes": self.trie.size, "inner": int(self.trie.inner.numel()),
                     "candidate_tokens": sum(len(x) for x in self.ids)},
            "tokenization": {"continuation": json.dumps(continuation_text("TITLE")), "context_prefix": self.prefix,
                             "rule": "joint-tail", "checked_encodings": self.checked_encodings},
            "truncation": {"max_context_tokens": self.max_context_tokens, "header_lines": self.header_lines},
            "memory_budget_mb": self.memory_budget_bytes / 2**20, "max_chunk_tokens": self.max_chunk_tokens,
        }


@torch.inference_mode()
def naive_scores(model, ctx: list[int], candidates: Sequence[Sequence[int]]) -> torch.Tensor:
    """The reference: one full pass over context + candidate per candidate, no cache, no sharing."""
    dev = next(model.parameters()).device
    out = torch.zeros(len(candidates), dtype=torch.float64)
    C = len(ctx)
    for i, cand in enumerate(candidates):
        ids = torch.tensor([list(ctx) + list(cand[:-1])], device=dev)
        lp = model(input_ids=ids, use_cache=False).logits[0, C - 1:].float().log_softmax(-1)
        out[i] = lp[torch.arange(len(cand), device=dev), torch.tensor(cand, device=dev)].double().sum().cpu()
    return out


def set_threads(threads: int | None) -> None:
    if threads:
        torch.set_num_threads(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
