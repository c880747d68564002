"""Merges a LoRA step's adapters into their base and writes the result as a plain model folder
(config.json, model.safetensors, tokenizer files): for tools that cannot follow base.json.

    python -m labor_trainer.merge ADAPTER_FOLDER OUT_FOLDER [--dtype fp32|bf16]

The folder is written beside OUT_FOLDER first and moved in whole, so a failed merge leaves
nothing half-written. Exit codes: 0 merged, 2 bad input (the message names the file).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

from .model_folder import ModelFolderError, is_adapter_folder, load_causal_lm, weights_problem
from .modeling import TOKENIZER_FILES

DTYPES = ("fp32", "bf16")


def merge_folder(adapters: str, out: str, dtype: str = "fp32") -> None:
    import torch

    if not is_adapter_folder(adapters):
        raise ModelFolderError(f"{adapters}: not a LoRA adapter folder (no adapter_config.json)")
    problem = weights_problem(adapters)
    if problem:
        raise ModelFolderError(problem)
    if os.path.exists(out):
        raise ModelFolderError(f"{out}: already exists; name a new folder")
    model = load_causal_lm(adapters, torch.bfloat16 if dtype == "bf16" else torch.float32)
    tmp = f"{out.rstrip(os.sep)}.tmp-merge"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp)
        for name in TOKENIZER_FILES:
            if os.path.isfile(os.path.join(adapters, name)):
                shutil.copyfile(os.path.join(adapters, name), os.path.join(tmp, name))
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m labor_trainer.merge", description=__doc__.split("\n\n")[0])
    ap.add_argument("adapters", help="a LoRA step's model folder (adapter_config.json, base.json)")
    ap.add_argument("out", help="the merged model folder to write (must not exist)")
    ap.add_argument("--dtype", choices=DTYPES, default="fp32")
    args = ap.parse_args(argv)
    try:
        merge_folder(args.adapters, args.out, args.dtype)
    except ModelFolderError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"merged {args.adapters} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
