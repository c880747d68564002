"""The CAREER-style model: a small causal pre-norm transformer over a career's positions. Each
position's input is the sum of embeddings of its input state, that state's kind (occupation or
a special state), its covariates (unknown levels: index 0, a fixed zero vector) and its
learned position; the output is a softmax over the taxonomy's states, in taxonomy order."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Block(nn.Module):
    def __init__(self, hidden: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.norm1, self.norm2 = nn.LayerNorm(hidden), nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(), nn.Linear(4 * hidden, hidden))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, H = x.shape
        q, k, v = self.qkv(self.norm1(x)).view(B, T, 3, self.heads, H // self.heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0)
        x = x + self.drop(self.proj(a.transpose(1, 2).reshape(B, T, H)))
        return x + self.drop(self.mlp(self.norm2(x)))


class CareerModel(nn.Module):
    def __init__(self, n_states: int, n_kinds: int, covariate_sizes: list[int], layers: int, hidden: int, heads: int,
                 dropout: float, max_len: int):
        super().__init__()
        self.state = nn.Embedding(n_states, hidden)
        self.kind = nn.Embedding(n_kinds, hidden)
        self.covariates = nn.ModuleList(nn.Embedding(n, hidden, padding_idx=0) for n in covariate_sizes)
        self.position = nn.Embedding(max_len, hidden)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(hidden, heads, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, n_states)
        self.apply(_init)
        for e in self.covariates:  # padding_idx rows stay zero: an unknown level adds nothing
            with torch.no_grad():
                e.weight[0].zero_()

    def forward(self, state: torch.Tensor, kind: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
        """Logits [B, T, n_states] for inputs [B, T] (state, kind) and [B, T, C] (covariates)."""
        T = state.shape[1]
        x = self.state(state) + self.kind(kind) + self.position(torch.arange(T, device=state.device))
        for j, e in enumerate(self.covariates):
            x = x + e(cov[..., j])
        x = self.drop(x)
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def param_groups(self, weight_decay: float) -> list[dict]:
        """Weight decay on the linear layers' matrices only (not biases, norms or embeddings)."""
        decay = {id(m.weight) for m in self.modules() if isinstance(m, nn.Linear)}
        params = list(self.parameters())
        return [{"params": [p for p in params if id(p) in decay], "weight_decay": weight_decay},
                {"params": [p for p in params if id(p) not in decay], "weight_decay": 0.0}]


def _init(m: nn.Module) -> None:
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, std=0.02)
    if isinstance(m, nn.Linear) and m.bias is not None:
        nn.init.zeros_(m.bias)
