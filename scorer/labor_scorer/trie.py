"""A token trie over the candidates' ids, numbered in depth-first preorder (as lib/lm/trie.ts):
node 0 is the root (the context's last position), every subtree is one contiguous range of
node numbers, a node's log-probability is read from its parent's output row, and only inner
nodes (with children) have to be fed to the model."""
from __future__ import annotations

from typing import Sequence

import torch


class TokenTrie:
    def __init__(self, sequences: Sequence[Sequence[int]]):
        root: dict = {"token": -1, "kids": {}}
        ends = []
        for seq in sequences:
            if not seq:
                raise ValueError("TokenTrie: empty sequence")
            node = root
            for t in seq:
                node = node["kids"].setdefault(int(t), {"token": int(t), "kids": {}})
            ends.append(node)
        token, parent, depth = [], [], []
        stack = [(root, -1, 0)]
        while stack:
            n, p, d = stack.pop()
            n["id"] = len(token)
            token.append(n["token"])
            parent.append(p)
            depth.append(d)
            stack.extend((k, n["id"], d + 1) for k in reversed(list(n["kids"].values())))
        size = len(token)
        self.token = torch.tensor(token, dtype=torch.long)
        self.parent = torch.tensor(parent, dtype=torch.long)
        self.depth = torch.tensor(depth, dtype=torch.long)
        self.terminal = torch.tensor([e["id"] for e in ends], dtype=torch.long)
        has_kids = [False] * size
        for p in parent[1:]:
            has_kids[p] = True
        end = list(range(size))
        for i in range(size - 1, 0, -1):  # children come after their parent in preorder
            end[parent[i]] = max(end[parent[i]], end[i])
        self.subtree_end = torch.tensor(end, dtype=torch.long)
        self.inner = torch.tensor([i for i in range(size) if has_kids[i]], dtype=torch.long)
        # Candidate c's path: the nodes 1..terminal[c] on the way down, as (candidate, node) pairs.
        cand, nodes = [], []
        for c, e in enumerate(ends):
            n = e["id"]
            while n > 0:
                cand.append(c)
                nodes.append(n)
                n = parent[n]
        self.path_candidate = torch.tensor(cand, dtype=torch.long)
        self.path_node = torch.tensor(nodes, dtype=torch.long)

    @property
    def size(self) -> int:
        return int(self.token.numel())

    def ancestors(self, n: int) -> list[int]:
        """Ancestors of node n, root first, n excluded."""
        out = []
        p = int(self.parent[n])
        while p >= 0:
            out.append(p)
            p = int(self.parent[p])
        return out[::-1]

    def path_sums(self, node_logprob: torch.Tensor) -> torch.Tensor:
        """Per candidate, the sum of its nodes' log-probabilities (float64 in, float64 out)."""
        out = torch.zeros(self.terminal.numel(), dtype=torch.float64)
        return out.index_add_(0, self.path_candidate, node_logprob[self.path_node])
