"""Puts the package and the simulator on the path; one torch thread (the machine is shared and a
fixed thread count keeps fits bit-for-bit reproducible)."""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINES = os.path.dirname(HERE)
for p in (BASELINES, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)

import torch  # noqa: E402

torch.set_num_threads(1)
