"""The model folders the trainer writes, and how to load them.

A full fine-tune writes full weights (config.json, model.safetensors, tokenizer files). A LoRA
fine-tune writes only its adapters (adapter_config.json, adapter_model.safetensors: megabytes
where a 7B model's weights are 13 GB) beside config.json and the tokenizer, and base.json names
the folder of the weights they adapt. Loading an adapter folder loads that base (itself possibly
an adapter folder) and merges the adapters into it in memory, so every reader (the next
fine-tune, the torch scorer) sees one plain model. `python -m labor_trainer.merge` writes the
merged weights to a folder of their own, on request.
"""
from __future__ import annotations

import json
import os

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
BASE_REF = "base.json"
WEIGHT_FILES = (
    "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
)
MAX_CHAIN = 16  # adapters on adapters on ...: a loop in base.json files ends here


class ModelFolderError(ValueError):
    """A model folder that cannot be loaded; the message names the file and what is wrong."""


def is_adapter_folder(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, ADAPTER_CONFIG))


def has_full_weights(folder: str) -> bool:
    return any(os.path.exists(os.path.join(folder, f)) for f in WEIGHT_FILES) or any(
        f.endswith(".safetensors") and f != ADAPTER_WEIGHTS for f in os.listdir(folder)
    )


def write_base_ref(folder: str, base_path: str) -> None:
    with open(os.path.join(folder, BASE_REF), "w", encoding="utf-8") as f:
        json.dump({"path": os.path.abspath(base_path)}, f, indent=2)
        f.write("\n")


def base_of(folder: str) -> str:
    """The base folder an adapter folder's base.json names (checked to exist)."""
    ref = os.path.join(folder, BASE_REF)
    try:
        with open(ref, encoding="utf-8") as f:
            path = json.load(f).get("path")
    except FileNotFoundError:
        raise ModelFolderError(f"{ref}: missing; an adapter folder names the model it adapts in base.json")
    except (OSError, ValueError, AttributeError) as e:
        raise ModelFolderError(f"{ref}: expected a JSON object with a 'path', found unreadable JSON ({e})")
    if not isinstance(path, str) or not path:
        raise ModelFolderError(f"{ref}: expected 'path' to name the base model folder, found {path!r}")
    if not os.path.isdir(path):
        raise ModelFolderError(f"{ref}: the base model folder {path} does not exist (moved or deleted?)")
    return path


def adapter_chain(folder: str) -> tuple[list[str], str]:
    """The adapter folders from `folder` down (none for full weights) and the full-weights folder
    at the end of their base.json files."""
    chain = []
    while is_adapter_folder(folder):
        if len(chain) >= MAX_CHAIN:
            raise ModelFolderError(f"{chain[0]}: more than {MAX_CHAIN} adapter folders in a chain of base.json files (a loop?)")
        if not os.path.isfile(os.path.join(folder, ADAPTER_WEIGHTS)):
            raise ModelFolderError(f"{folder} has {ADAPTER_CONFIG} but no {ADAPTER_WEIGHTS}")
        chain.append(folder)
        folder = base_of(folder)
    return chain, folder


def weights_problem(folder: str) -> str | None:
    """Why the folder's weights cannot be loaded (following base.json), or None."""
    try:
        _, weights = adapter_chain(folder)
    except ModelFolderError as e:
        return str(e)
    if not has_full_weights(weights):
        return f"{weights} has no weights (expected model.safetensors or pytorch_model.bin, or LoRA adapters)"
    return None


def load_causal_lm(folder: str, dtype, attn_implementation: str = "sdpa"):
    """The model in a folder: its full weights, or its base with its LoRA adapters merged in."""
    from transformers import AutoModelForCausalLM

    chain, weights = adapter_chain(folder)
    model = AutoModelForCausalLM.from_pretrained(weights, local_files_only=True, dtype=dtype,
                                                 attn_implementation=attn_implementation)
    for adapters in reversed(chain):
        model = merge_adapters(model, adapters)
    return model


def merge_adapters(model, adapters: str):
    from peft import PeftModel

    return PeftModel.from_pretrained(model, adapters, is_trainable=False).merge_and_unload()
