"""Model construction: a fresh Llama from `base.init`, or a model folder from `base.path`,
both with PyTorch's scaled_dot_product_attention; LoRA through peft; activation checkpointing."""
from __future__ import annotations

import torch
from torch import nn

ATTENTION = "sdpa"  # fused kernels on CUDA; also the path that reads packed sequences from position_ids
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model",
                   "vocab.json", "merges.txt")


def llama_config(init: dict, vocab_size: int, special_id: int):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=init["hidden"],
        intermediate_size=init["intermediate"],
        num_hidden_layers=init["layers"],
        num_attention_heads=init["heads"],
        num_key_value_heads=init["heads"],
        max_position_embeddings=init["max_positions"],
        bos_token_id=special_id,
        eos_token_id=special_id,
        pad_token_id=special_id,
        tie_word_embeddings=False,
    )


def meta_model(config) -> nn.Module:
    """The architecture without memory (module names, parameter counts) for validation."""
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


def lora_candidate_names(model: nn.Module) -> list[str]:
    """Leaf names of the layers LoRA can wrap (Linear, Embedding, Conv1D), sorted."""
    names = set()
    for full, mod in model.named_modules():
        if not full:
            continue
        if isinstance(mod, (nn.Linear, nn.Embedding, nn.Conv1d)) or type(mod).__name__ == "Conv1D":
            names.add(full.rsplit(".", 1)[-1])
    return sorted(names)


def missing_lora_targets(model: nn.Module, targets: list[str]) -> list[str]:
    full_names = [n for n, _ in model.named_modules() if n]
    return [t for t in targets if not any(n == t or n.endswith("." + t) for n in full_names)]


def build_init_model(config, seed: int) -> nn.Module:
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)  # the initial weights depend only on the seed (resume rebuilds them)
    return AutoModelForCausalLM.from_config(config, dtype=torch.float32, attn_implementation=ATTENTION)


def load_base_model(path: str, dtype: torch.dtype) -> nn.Module:
    """A base folder's model: full weights, or an earlier LoRA step's adapters merged into their base."""
    from .model_folder import load_causal_lm

    return load_causal_lm(path, dtype, attn_implementation=ATTENTION)


def enable_gradient_checkpointing(model: nn.Module) -> None:
    """Recompute each decoder layer's activations in the backward pass (less memory, about a
    third more compute). Non-reentrant checkpointing: works with frozen weights (LoRA) and keeps
    dropout's random state, so the gradients equal those without it. Call before apply_lora."""
    model.activation_checkpointing_enable({"use_reentrant": False})


def apply_lora(model: nn.Module, lora: dict, seed: int) -> nn.Module:
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed + 1)  # adapter init independent of how the base was made
    cfg = LoraConfig(
        r=lora["r"],
        lora_alpha=lora["alpha"],
        lora_dropout=lora["dropout"],
        target_modules=list(lora["target_modules"]),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, cfg)


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Parameters that training changes (all for full, adapters for LoRA), contiguous copies on
    CPU so safetensors can write them (tied weights appear once)."""
    return {n: p.detach().to("cpu").contiguous().clone() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    missing = [n for n, p in params.items() if p.requires_grad and n not in state]
    unknown = [n for n in state if n not in params]
    if missing or unknown:
        raise RuntimeError(
            f"checkpoint does not match the model: {len(missing)} missing (e.g. {missing[:3]}), "
            f"{len(unknown)} unexpected (e.g. {unknown[:3]})"
        )
    with torch.no_grad():
        for n, t in state.items():
            params[n].copy_(t.to(params[n].device, params[n].dtype))


def count_params(model: nn.Module) -> tuple[int, int]:
    seen, total, trainable = set(), 0, 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        if p.requires_grad:
            trainable += p.numel()
    return total, trainable
