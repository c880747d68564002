"""The model's distributions at prediction points: log-probabilities over the states for every
predicted position of a list of windows (validation loss and the written distributions)."""
from __future__ import annotations

from typing import Callable, Iterator

import torch

from .sequences import Encoded, Window, collate

EVAL_WINDOWS = 256  # windows per forward pass when not training


def window_log_probs(model, enc: Encoded, windows: list[Window], device: torch.device,
                     progress: Callable[[], None] | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(rows [m], log-probabilities [m, K] in float32 on the CPU) per batch of windows."""
    model.eval()
    with torch.no_grad():
        for i in range(0, len(windows), EVAL_WINDOWS):
            b = collate(enc, windows[i:i + EVAL_WINDOWS]).to(device)
            logits = model(b.state, b.kind, b.cov)
            live = b.rows >= 0
            yield b.rows[live].cpu(), torch.log_softmax(logits[live].float(), dim=-1).cpu()
            if progress:
                progress()


def mean_nll(model, enc: Encoded, windows: list[Window], device: torch.device,
             progress: Callable[[], None] | None = None) -> float:
    """Weighted mean negative log-likelihood of the true states at the windows' predicted points."""
    total, weight = 0.0, 0.0
    for rows, logp in window_log_probs(model, enc, windows, device, progress):
        w = enc.weight[rows].double()
        total += float((-logp[torch.arange(len(rows)), enc.target[rows]].double() * w).sum())
        weight += float(w.sum())
    return total / weight
