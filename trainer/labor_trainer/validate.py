"""Checks of everything a spec points at, before any training: texts file, base model folder,
tokenizer, LoRA targets, sequence length, device. Collects all problems, then raises."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .data import read_pooled_texts
from .errors import InvalidInput
from .model_folder import weights_problem
from .modeling import llama_config, lora_candidate_names, meta_model, missing_lora_targets


@dataclass
class Inputs:
    texts: dict[str, list[str]] = field(default_factory=dict)  # pooled over the spec's texts files
    text_counts: list[dict] = field(default_factory=list)  # per file: texts, train_texts, valid_texts
    base_config: object | None = None  # transformers config for base.path
    tokenizer: object | None = None  # loaded tokenizer for base.path
    max_positions: int | None = None
    architecture: str | None = None
    lora_available: list[str] = field(default_factory=list)


def check_inputs(spec: dict) -> Inputs:
    problems: list[str] = []
    inp = Inputs()

    inp.texts, inp.text_counts, text_problems = read_pooled_texts(spec["texts"])
    problems.extend(text_problems)

    model_for_names = None
    if "path" in spec["base"]:
        path = spec["base"]["path"]
        model_for_names = _check_base_folder(path, problems, inp)
    else:
        init = spec["base"]["init"]
        inp.max_positions = init["max_positions"]
        inp.architecture = init["architecture"]
        model_for_names = meta_model(llama_config(init, init["vocab_size"], 0))

    if inp.max_positions is not None and spec["max_seq_len"] > inp.max_positions:
        where = "spec.base.init.max_positions" if "init" in spec["base"] else f"{spec['base'].get('path')}/config.json"
        problems.append(f"spec.max_seq_len: {spec['max_seq_len']} exceeds the model's max_position_embeddings "
                        f"({inp.max_positions}, from {where})")

    if model_for_names is not None:
        inp.lora_available = lora_candidate_names(model_for_names)
        if spec["method"] == "lora":
            missing = missing_lora_targets(model_for_names, spec["lora"]["target_modules"])
            if missing:
                problems.append(f"spec.lora.target_modules: {', '.join(missing)} not found in the model; "
                                f"module names that exist: {', '.join(inp.lora_available)}")

    if spec["device"] == "cuda":
        import torch

        if not torch.cuda.is_available():
            problems.append(f"spec.device: 'cuda' requested but no CUDA device is usable here "
                            f"(torch {torch.__version__}, torch.cuda.is_available() is False)")
        elif spec["precision"] == "bf16" and not torch.cuda.is_bf16_supported():
            problems.append("spec.precision: 'bf16' is not supported by this GPU; use 'fp16' or 'fp32'")

    if problems:
        raise InvalidInput(f"invalid training job: {len(problems)} problem(s)", problems)
    return inp


def _check_base_folder(path: str, problems: list[str], inp: Inputs):
    if not os.path.isdir(path):
        problems.append(f"spec.base.path: model folder not found: {path}")
        return None
    if not os.path.exists(os.path.join(path, "config.json")):
        problems.append(f"spec.base.path: {path} is not a Hugging Face model folder (no config.json)")
        return None
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True)
    except Exception as e:  # unknown model_type, malformed json...
        problems.append(f"spec.base.path: {path}/config.json cannot be read as a model config: {e}")
        return None
    mt = getattr(config, "model_type", None)
    if mt not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        problems.append(f"spec.base.path: {path} holds a '{mt}' model, which is not a causal language model "
                        f"(AutoModelForCausalLM does not support it)")
        return None
    inp.base_config = config
    inp.architecture = mt
    inp.max_positions = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    problem = weights_problem(path)
    if problem:
        problems.append(f"spec.base.path: {problem}")
    inp.tokenizer = _check_tokenizer(path, problems)
    return meta_model(config)


def _check_tokenizer(path: str, problems: list[str]):
    if not os.path.exists(os.path.join(path, "tokenizer.json")):
        problems.append(f"spec.base.path: {path} has no tokenizer.json (the exported model needs one for "
                        f"@huggingface/transformers; save the tokenizer with a fast tokenizer)")
        return None
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except Exception as e:
        problems.append(f"spec.base.path: the tokenizer in {path} cannot be loaded: {e}")
        return None
    if tok.eos_token_id is None:
        problems.append(f"spec.base.path: the tokenizer in {path} has no eos_token (each training text ends with it); "
                        f"set eos_token in {path}/tokenizer_config.json")
    return tok


def describe(spec: dict, inp: Inputs) -> dict:
    """What --dry-run prints next to the resolved spec."""
    return {
        "spec": spec,
        "inputs": {
            "train_texts": len(inp.texts.get("train", [])),
            "valid_texts": len(inp.texts.get("valid", [])),
            "texts_files": inp.text_counts,
            "architecture": inp.architecture,
            "max_position_embeddings": inp.max_positions,
            "lora_module_names": inp.lora_available,
        },
    }


def dumps(obj) -> str:
    return json.dumps(obj, indent=2, sort_keys=False)
