"""The conditional logit over the K valid states, in torch.

Utility of candidate state k at point i:
    u_ik = sum_j x_ij * weights[j, k]                                   (state-specific terms)
         + [k == prev_i] * (stay + stay_x_log_tenure * log tenure_i + stay_x_gap * (gap_i - 1)
                            + stay_x_age * age_std_i)
         + [k == last occupation before the current non-employment spell] * return_to_last_occupation
         + [k held before, k != prev_i] * held_before
         + [k in prev_i's occupation group, k != prev_i] * same_group          (with groups only)
and P(k | i) = softmax_k(u_i). x_i is a sparse row: a constant 1 (the intercept row, which
starts at the log training marginal), one 1 per categorical covariate (its level's row) and the
numeric covariates, so the state-specific part is one sparse x dense product [m, P] @ [P, K].
The candidate-specific terms are added at (point, state) index pairs. All [points x K] tensors
exist one chunk at a time, so memory is bounded by chunk_size x K.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .data import NUMERIC, Design

CANDIDATE_TERMS = ("stay", "stay_x_log_tenure", "stay_x_gap", "stay_x_age", "return_to_last_occupation",
                   "held_before", "same_group")


@dataclass
class Chunk:
    """The torch tensors of one chunk of points (rows renumbered from 0)."""

    m: int
    x: torch.Tensor  # sparse COO [m, P]
    rows: torch.Tensor  # arange(m)
    y: torch.Tensor
    prev: torch.Tensor
    w: torch.Tensor
    log_tenure: torch.Tensor
    gap_m1: torch.Tensor
    age_std: torch.Tensor
    has_group: torch.Tensor
    group_prev: torch.Tensor
    last_rows: torch.Tensor
    last_cols: torch.Tensor
    held_rows: torch.Tensor
    held_cols: torch.Tensor


def layout(d: Design) -> list[tuple[str, int, int]]:
    """(block name, first row, rows) of the weights matrix: intercept, categoricals, numerics."""
    blocks = [("intercept", 1)] + [(k, len(v)) for k, v in d.meta["levels"].items()] + [("numeric", len(NUMERIC))]
    out, at = [], 0
    for name, size in blocks:
        out.append((name, at, size))
        at += size
    return out


def _design_rows(d: Design, a: int, b: int) -> torch.Tensor:
    m = b - a
    cols, vals = [np.zeros((m, 1), np.int64)], [np.ones((m, 1), np.float32)]
    for name, first, _ in layout(d)[1:-1]:
        cols.append(first + d.categorical[name][a:b, None])
        vals.append(np.ones((m, 1), np.float32))
    first = layout(d)[-1][1]
    cols.append(np.broadcast_to(first + np.arange(len(NUMERIC)), (m, len(NUMERIC))))
    vals.append(d.numeric[a:b])
    c, v = np.concatenate(cols, axis=1), np.concatenate(vals, axis=1)
    r = np.repeat(np.arange(m), c.shape[1])
    P = layout(d)[-1][1] + len(NUMERIC)
    idx = torch.from_numpy(np.stack([r, c.reshape(-1)]))
    return torch.sparse_coo_tensor(idx, torch.from_numpy(v.reshape(-1).copy()), (m, P),
                                   check_invariants=True).coalesce()


def make_chunks(d: Design, chunk_size: int) -> list[Chunk]:
    n_groups = len(d.meta["group_names"])
    starts = np.searchsorted(d.held_rows, np.arange(0, d.n + chunk_size, chunk_size))
    out = []
    for c, a in enumerate(range(0, d.n, chunk_size)):
        b = min(a + chunk_size, d.n)
        t = lambda x: torch.from_numpy(np.ascontiguousarray(x[a:b]))  # noqa: E731
        last = d.last_occ[a:b]
        lr = np.flatnonzero(last >= 0)
        h0, h1 = starts[c], starts[c + 1]
        out.append(Chunk(
            m=b - a, x=_design_rows(d, a, b), rows=torch.arange(b - a), y=t(d.y), prev=t(d.prev), w=t(d.weight),
            log_tenure=t(d.log_tenure), gap_m1=t(d.gap_m1), age_std=t(d.age_std),
            has_group=t((d.group_prev < n_groups).astype(np.float32)), group_prev=t(d.group_prev),
            last_rows=torch.from_numpy(lr), last_cols=torch.from_numpy(last[lr]),
            held_rows=torch.from_numpy(d.held_rows[h0:h1] - a), held_cols=torch.from_numpy(d.held_cols[h0:h1]),
        ))
    return out


class LogitModel:
    def __init__(self, d: Design, log_prior: np.ndarray):
        K = d.K
        self.K = K
        self.layout = layout(d)
        P = self.layout[-1][1] + self.layout[-1][2]
        # The penalty pulls the intercept toward the log marginal (add-0.5 smoothed), so a state
        # never seen in training keeps a small probability instead of going to minus infinity.
        self.center = torch.zeros(P, K)
        self.center[0] = torch.from_numpy(log_prior)
        self.groups = len(d.meta["group_names"]) > 0
        # One-hot of each state's group; the extra last row (no group) is all zeros.
        g = torch.zeros(len(d.meta["group_names"]) + 1, K)
        g[torch.from_numpy(d.meta["state_group"]), torch.arange(K)] = 1.0
        g[-1] = 0.0
        self.group_onehot = g
        self.terms = CANDIDATE_TERMS if self.groups else CANDIDATE_TERMS[:-1]
        self.params: dict[str, torch.Tensor] = {"weights": self.center.clone(), "candidate": torch.zeros(len(self.terms))}
        for p in self.params.values():
            p.requires_grad_(True)

    def parameters(self) -> list[torch.Tensor]:
        return list(self.params.values())

    def n_params(self) -> int:
        return sum(p.numel() for p in self.params.values())

    def load(self, params: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for k, p in self.params.items():
                p.copy_(params[k])

    def snapshot(self) -> dict[str, torch.Tensor]:
        return {k: p.detach().clone() for k, p in self.params.items()}

    def block(self, name: str) -> torch.Tensor:
        """The weight rows of one block of the layout (detached)."""
        _, first, size = next(b for b in self.layout if b[0] == name)
        return self.params["weights"].detach()[first:first + size]

    def utilities(self, c: Chunk) -> torch.Tensor:
        u = torch.sparse.mm(c.x, self.params["weights"])
        beta = self.params["candidate"]
        stay = beta[0] + beta[1] * c.log_tenure + beta[2] * c.gap_m1 + beta[3] * c.age_std
        if self.groups:
            # The group term also hits the previous state itself: take it back there.
            stay = stay - beta[6] * c.has_group
            u = u.add_(self.group_onehot[c.group_prev] * beta[6])
        # In place: the sparse product does not keep its output for the backward pass.
        u = u.index_put_((c.rows, c.prev), stay, accumulate=True)
        if len(c.last_rows):
            u = u.index_put_((c.last_rows, c.last_cols), beta[4].expand(len(c.last_rows)), accumulate=True)
        if len(c.held_rows):
            u = u.index_put_((c.held_rows, c.held_cols), beta[5].expand(len(c.held_rows)), accumulate=True)
        return u

    def nll_sum(self, c: Chunk) -> torch.Tensor:
        """Weighted sum of -log P(true state) over the chunk."""
        return (F.cross_entropy(self.utilities(c), c.y, reduction="none") * c.w).sum()

    def penalty(self, lam: float) -> torch.Tensor:
        diff = self.params["weights"] - self.center
        beta = self.params["candidate"]
        return 0.5 * lam * ((diff * diff).sum() + (beta * beta).sum())

    @torch.no_grad()
    def mean_nll(self, chunks: list[Chunk]) -> float:
        total = sum(float(self.nll_sum(c)) for c in chunks)
        weight = sum(float(c.w.sum()) for c in chunks)
        return total / weight if weight > 0 else float("nan")

    @torch.no_grad()
    def probabilities(self, chunks: list[Chunk]) -> np.ndarray:
        return np.concatenate([torch.softmax(self.utilities(c), dim=1).numpy() for c in chunks]) if chunks \
            else np.zeros((0, self.K), np.float32)


def fit_penalty(model: LogitModel, chunks: list[Chunk], lam: float, max_iter: int, history_size: int,
                tolerance: float, on_evaluation=None) -> dict:
    """Minimises mean weighted NLL + lam/2 * |params|^2 over the training chunks with torch's
    L-BFGS (strong Wolfe line search), starting from the model's current parameters.
    `on_evaluation(count, objective)` is called after each evaluation (progress reports)."""
    weight = sum(float(c.w.sum()) for c in chunks)
    opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=max_iter, max_eval=max_iter * 2,
                            history_size=history_size, tolerance_grad=tolerance, tolerance_change=1e-12,
                            line_search_fn="strong_wolfe")
    last = {"loss": float("nan")}

    def closure():
        opt.zero_grad()
        total = 0.0
        for c in chunks:  # gradients accumulate chunk by chunk: only one chunk's [m, K] lives at a time
            loss = model.nll_sum(c) / weight
            loss.backward()
            total += loss.item()
        if lam > 0:
            pen = model.penalty(lam)
            pen.backward()
            total += pen.item()
        last["loss"] = total
        last["evaluations"] = last.get("evaluations", 0) + 1
        if on_evaluation is not None:
            on_evaluation(last["evaluations"], total)
        return torch.tensor(total, dtype=torch.float64)

    t0 = time.perf_counter()
    opt.step(closure)
    st = opt.state[opt._params[0]]
    return {
        "objective": last["loss"], "iterations": int(st.get("n_iter", 0)), "evaluations": int(st.get("func_evals", 0)),
        "converged": int(st.get("n_iter", 0)) < max_iter, "fit_s": time.perf_counter() - t0,
    }
