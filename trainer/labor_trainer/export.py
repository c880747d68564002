"""The end of a job: the best checkpoint exported to output/ (HF weights, or a LoRA step's adapters
with base.json naming their base; the ONNX model folder checked against torch) and the numbers
written to metrics.json."""
from __future__ import annotations

import os
import resource
import shutil
import time

from .checkpoint import load_best
from .errors import Internal
from .jobdir import replace_dir
from .model_folder import write_base_ref
from .modeling import TOKENIZER_FILES, count_params, load_trainable_state

EXPORT_TOLERANCE = 1e-3
CHECK_TEXTS = 3
TRAIN_LOSS_WINDOW = 10  # train_loss: the mean over this many last steps


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def saved_dtype(spec: dict):
    """The dtype of the saved weights: bf16 for bf16 training, fp32 otherwise (fp16 training's
    master weights stay fp32: fp16 has too little range to store them)."""
    import torch
    return torch.bfloat16 if spec["precision"] == "bf16" else torch.float32


def stores_adapters(spec: dict) -> bool:
    """A LoRA job stores its adapters alone unless asked to merge; adapters on a freshly
    initialised base (never saved) are merged, or nothing could load them."""
    return spec["method"] == "lora" and not spec["lora"]["merge"] and "path" in spec["base"]


def export_best(tr) -> dict:
    """Writes output/ from best/ (swapped in whole); returns the exporter's report."""
    tr.status.update(phase="exporting")
    weights, best = load_best(tr.job.best)
    load_trainable_state(tr.model, weights)
    # Saved in the precision it trained in: bf16 halves a large model's folder (a 7B model: 13 GB,
    # not 27). The ONNX export and the scorers then read those same (rounded) weights, in fp32.
    model = tr.model.to("cpu", dtype=saved_dtype(tr.spec)).eval()
    adapters_only = stores_adapters(tr.spec)
    check = (tr.inp.texts["valid"] or tr.inp.texts["train"])[:CHECK_TEXTS]
    tmp = tr.job.output + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.monotonic()
    with tr.status.keepalive():  # an export reports no steps; tell the provider it is alive
        if adapters_only:
            # The adapters alone (megabytes), their base named in base.json (model_folder.py).
            model.save_pretrained(tmp)
            _remove_if_present(os.path.join(tmp, "README.md"))  # peft's model-card template, empty here
            write_base_ref(tmp, tr.spec["base"]["path"])
        if tr.spec["method"] == "lora":
            model = model.merge_and_unload()  # what the ONNX export and the metrics describe
        tr.exported_params = count_params(model)[0]
        if adapters_only:
            model.config.save_pretrained(tmp)  # readers take dimensions from config.json
        else:
            # HF weights too, so the output can be the base of another fine-tune (foundation -> survey).
            model.save_pretrained(tmp)
        model = model.float()
        if tr.spec["export"] == "none":
            _save_tokenizer(tr, tmp)
            result = {"max_abs_diff": None, "skipped": "spec.export is 'none'"}
        else:
            result = _export_onnx(tr, model, tmp, check)
    replace_dir(tmp, tr.job.output)
    what = "no ONNX (export: none)" if result["max_abs_diff"] is None else f"max |onnx - torch| = {result['max_abs_diff']:.2e}"
    stored = "LoRA adapters (base in base.json)" if adapters_only else "weights"
    tr.log(f"exported best checkpoint (step {best['step']}) to {tr.job.output} in {time.monotonic() - t0:.1f}s: {stored}; {what}")
    return result


def _export_onnx(tr, model, out: str, check: list) -> dict:
    try:
        from .onnx_export import export_model
    except ImportError as e:
        raise Internal(f"the ONNX exporter (labor_trainer/onnx_export.py) cannot be imported: {e}")
    try:
        result = export_model(model, tr.tokenizer, out, check, tokenizer_dir=tr.tokenizer_dir)
    except Exception as e:
        raise Internal(f"ONNX export failed: {type(e).__name__}: {e}") from e
    diff = float(result["max_abs_diff"])
    if not diff < EXPORT_TOLERANCE:
        raise Internal(f"ONNX export check failed: max |onnx - torch| = {diff:.3g} >= {EXPORT_TOLERANCE:g}")
    return result


def _remove_if_present(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)


def _save_tokenizer(tr, out: str) -> None:
    """The tokenizer files next to the weights, as the ONNX exporter writes them."""
    if tr.tokenizer_dir:
        for name in TOKENIZER_FILES:
            if os.path.isfile(os.path.join(tr.tokenizer_dir, name)):
                shutil.copyfile(os.path.join(tr.tokenizer_dir, name), os.path.join(out, name))
    else:
        tr.tokenizer.save_pretrained(out)


def training_metrics(tr, export: dict) -> dict:
    """metrics.json (trainer/README.md lists the fields)."""
    import torch

    st = tr.state
    recent = st["recent_losses"][-TRAIN_LOSS_WINDOW:]
    return {
        "train_loss": sum(recent) / len(recent) if recent else None,
        "val_loss_initial": st["val_loss_initial"],
        "best_val_loss": st["best_val_loss"],
        "steps": st["step"],
        "tokens_per_s": st["train_tokens"] / st["train_time_s"] if st["train_time_s"] > 0 else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "export_max_abs_diff": export["max_abs_diff"],
        "device": tr.spec["device"],
        "params": tr.exported_params,
        # extras
        "device_name": (torch.cuda.get_device_name(tr.device) if tr.device.type == "cuda"
                        else f"cpu x{torch.get_num_threads()} threads"),
        "trainable_params": tr.params_trainable,
        "best_step": st["best_step"],
        "total_steps": tr.total_steps,
        "stopped_early": st["stopped_early"],
        "final_val_loss": st["val_loss"],
        "train_tokens": st["train_tokens"],
        "train_time_s": round(st["train_time_s"], 3),
        "method": tr.spec["method"],
        "stored": "adapters" if stores_adapters(tr.spec) else "weights",
        "precision": tr.spec["precision"],
        "saved_dtype": str(saved_dtype(tr.spec)).removeprefix("torch."),
        "peak_gpu_mem_mb": (torch.cuda.max_memory_allocated() / 2**20) if tr.device.type == "cuda" else None,
        "export": export,
        "texts_files": tr.inp.text_counts,  # per texts file (several when pooled): train and valid texts
    }
