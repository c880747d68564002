"""Training throughput of the trainer's own loop. The last line printed is one JSON object with
tokens_per_s, peak memory (peak_gpu_mem_mb on CUDA, peak_rss_mb always) and mfu.

The job's code path, minus evaluation and export: the spec is resolved and checked by
labor_trainer (spec.resolve_spec, validate.check_inputs), torch is configured as a job does
(train.configure_torch), and labor_trainer.loop.Trainer sets up the tokenizer, model, optimizer
and batches (packing, autocast, SDPA, activation checkpointing, LoRA) and runs `step`: `--warmup`
untimed steps, then `--steps` timed ones. tokens/s counts real (unpadded) tokens over the timed
steps. Texts are synthetic resume-like lines over the Census 2010 titles (data/taxonomy; a
built-in handful when the repository's data folder is absent). Needs only Python with
trainer/requirements.txt (no Node):

    PYTHONPATH=trainer .venv/bin/python trainer/bench_train.py                  # quickstart size, CPU
    PYTHONPATH=trainer python trainer/bench_train.py --device cuda --size 1b --method full
    PYTHONPATH=trainer python trainer/bench_train.py --device cuda --size 1b --method lora

MFU = 6 x params x tokens/s / peak dense FLOP/s of the device at the training precision
(a table of NVIDIA data-centre GPUs for bf16/fp16, or --peak-tflops); null with the reason when
the peak is unknown (CPUs, fp32). For LoRA the 6N rule over-counts (frozen weights get no weight
gradient): mfu_lora_4n uses 4N.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

SIZES = {
    "quickstart": {"layers": 4, "hidden": 128, "heads": 4, "intermediate": 512, "vocab_size": 1024,
                   "max_positions": 512},
    # ~1.1B parameters, Llama-2-style (TinyLlama's shape without grouped-query attention)
    "1b": {"layers": 18, "hidden": 2048, "heads": 16, "intermediate": 5632, "vocab_size": 32000,
           "max_positions": 2048},
}
# Dense bf16/fp16 tensor-core peak, TFLOP/s, by a substring of torch.cuda.get_device_name (first match).
PEAK_TFLOPS_16BIT = [("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H200 NVL", 835.0), ("H100", 989.4),
                     ("H200", 989.4), ("A100", 312.0), ("L40S", 362.1)]
EDU = ["less than high school", "high school", "some college", "associate degree", "bachelor's degree",
       "graduate degree"]
BUILTIN_TITLES = ["Cooks", "Cashiers", "Registered nurses", "Software developers", "Truck drivers",
                  "Janitors and building cleaners", "Retail salespersons", "Elementary and middle school teachers"]


def load_titles() -> tuple[list[str], str]:
    path = os.path.join(HERE, "..", "data", "taxonomy", "census2010.csv")
    if not os.path.exists(path):
        return BUILTIN_TITLES, f"built-in ({len(BUILTIN_TITLES)}; {path} absent)"
    with open(path, newline="", encoding="utf-8") as f:
        titles = [r["title"] for r in csv.DictReader(f) if r.get("title")]
    return titles, f"census2010 ({len(titles)})"


def synthetic_texts(n: int, titles: list[str], seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    titles = titles + ["Unemployed", "Not in labor force", "In education"]
    out = []
    for _ in range(n):
        born = rng.randint(1940, 1995)
        year = born + rng.randint(16, 30)
        lines = [f"A {rng.choice(['woman', 'man'])} born in {born}, {rng.choice(['white', 'Black', 'Hispanic', 'Asian'])}, "
                 f"living in the {rng.choice(['South', 'West', 'Northeast', 'Midwest'])}."]
        job, edu = rng.randrange(len(titles)), rng.randrange(3)
        for _ in range(rng.randint(4, 20)):
            if rng.random() < 0.25:
                job = rng.randrange(len(titles))
            if rng.random() < 0.1 and edu < len(EDU) - 1:
                edu += 1
            lines.append(f"{year} ({EDU[edu]}): {titles[job]}")
            year += rng.choice([1, 1, 2])
        out.append("\n".join(lines) + "\n<END>")
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def peak_tflops(args, device_name: str) -> tuple[float | None, str]:
    if args.peak_tflops:
        return args.peak_tflops, "--peak-tflops"
    if args.device == "cpu":
        return None, "no peak FLOP/s is known for this CPU; pass --peak-tflops to compute mfu"
    if args.precision == "fp32":
        return None, "fp32 peak depends on TF32 settings; pass --peak-tflops to compute mfu"
    for key, tf in PEAK_TFLOPS_16BIT:
        if key in device_name:
            return tf, f"dense {args.precision} peak of {key}"
    return None, f"no peak FLOP/s known for '{device_name}'; pass --peak-tflops to compute mfu"


def write_texts(path: str, texts: list[str], n_valid: int) -> None:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    splits = ["train"] * (len(texts) - n_valid) + ["valid"] * n_valid
    t = pa.table({"person_id": [f"p{i}" for i in range(len(texts))], "split": splits, "text": texts})
    with ipc.new_file(path, t.schema) as w:
        w.write_table(t)


def run(args, dims: dict, work: str) -> dict:
    import torch

    from labor_trainer.jobdir import JobDir, Logger
    from labor_trainer.loop import Trainer
    from labor_trainer.modeling import build_init_model, llama_config
    from labor_trainer.spec import resolve_spec
    from labor_trainer.status import Status
    from labor_trainer.stop import StopRequests
    from labor_trainer.train import configure_torch
    from labor_trainer.validate import check_inputs

    class BenchTrainer(Trainer):
        def _base_model(self):
            # The shape's whole vocabulary (a Llama's 32k rows): BPE on synthetic texts learns far fewer tokens.
            init = self.spec["base"]["init"]
            vocab = max(init["vocab_size"], len(self.tokenizer))
            return build_init_model(llama_config(init, vocab, self.tokenizer.eos_token_id), self.spec["seed"])

    titles, titles_from = load_titles()
    n_train = (args.warmup + args.steps) * args.batch_size
    write_texts(os.path.join(work, "texts.arrow"), synthetic_texts(n_train + 1, titles, args.seed), 1)
    raw = {
        "texts": os.path.join(work, "texts.arrow"), "base": {"init": {"architecture": "llama", **dims}},
        "method": args.method, "max_steps": args.warmup + args.steps, "learning_rate": 1e-4,
        "schedule": {"warmup_steps": 0, "decay": "constant"}, "batch_size": args.batch_size,
        "max_seq_len": args.seq_len, "packing": not args.no_packing,
        "gradient_checkpointing": args.gradient_checkpointing, "seed": args.seed, "eval_every": None,
        "checkpoint_every": None, "precision": args.precision, "device": args.device, "threads": args.threads,
    }
    if args.method == "lora":
        raw["lora"] = {"r": args.lora_r, "alpha": 2 * args.lora_r, "dropout": 0.0,
                       "target_modules": args.lora_targets.split(",")}
    spec = resolve_spec(raw, job_dir=work)
    configure_torch(spec)
    job = JobDir(os.path.join(work, "job"))
    os.makedirs(job.root)
    t0 = time.monotonic()
    inputs = check_inputs(spec)
    tr = BenchTrainer(spec, job, Logger(job.log, echo=not args.quiet), Status(job.status), inputs,
                      StopRequests(job.cancel_request), "bench", "bench")
    tr.setup()
    setup_s = time.monotonic() - t0
    batches = tr.epoch_batches(0)
    for _ in range(args.warmup):
        tr.step(batches)
    st = tr.state
    st["train_tokens"], st["train_time_s"] = 0, 0.0
    for _ in range(args.steps):
        tr.step(batches)
    tps = st["train_tokens"] / st["train_time_s"]
    cuda = tr.device.type == "cuda"
    device_name = torch.cuda.get_device_name(tr.device) if cuda else f"cpu x{torch.get_num_threads()} threads"
    peak, peak_note = peak_tflops(args, device_name)
    n = tr.params_total
    out = {
        "device_name": device_name, "packing": spec["packing"],
        "gradient_checkpointing": spec["gradient_checkpointing"], "attention": tr.model.config._attn_implementation,
        "steps": args.steps, "warmup_steps": args.warmup, "params": n, "trainable_params": tr.params_trainable,
        "tokens_per_s": tps, "step_s": st["train_time_s"] / args.steps,
        "tokens_per_step": st["train_tokens"] / args.steps, "final_loss": st["recent_losses"][-1],
        "peak_gpu_mem_mb": torch.cuda.max_memory_allocated(tr.device) / 2**20 if cuda else None,
        "peak_tflops": peak, "mfu": 6 * n * tps / (peak * 1e12) if peak else None,
    }
    if args.method == "lora":
        out["mfu_lora_4n"] = 4 * n * tps / (peak * 1e12) if peak else None
    out.update({"mfu_note": peak_note, "setup_s": round(setup_s, 2), "titles": titles_from})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--size", choices=list(SIZES), default=None, help="default: quickstart on cpu, 1b on cuda")
    ap.add_argument("--method", choices=["full", "lora"], default="full")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default 10 cpu, 20 cuda)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="texts per step (packed into rows of --seq-len); default 16 quickstart, 64 1b")
    ap.add_argument("--seq-len", type=int, default=None, help="max_seq_len; default 256 quickstart, 512 1b")
    ap.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default=None, help="default fp32 cpu, bf16 cuda")
    ap.add_argument("--no-packing", action="store_true", help="one text per row, padded")
    ap.add_argument("--gradient-checkpointing", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    ap.add_argument("--peak-tflops", type=float, default=None, help="peak dense FLOP/s of the device, in TFLOP/s")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    args.size = args.size or ("1b" if args.device == "cuda" else "quickstart")
    args.steps = args.steps or (20 if args.device == "cuda" else 10)
    args.batch_size = args.batch_size or (64 if args.size == "1b" else 16)
    args.seq_len = args.seq_len or (512 if args.size == "1b" else 256)
    args.precision = args.precision or ("bf16" if args.device == "cuda" else "fp32")
    t0 = time.monotonic()
    from labor_trainer.errors import InvalidInput

    with tempfile.TemporaryDirectory(prefix="bench-train-") as work:
        try:
            res = run(args, SIZES[args.size], work)
        except InvalidInput as e:  # e.g. --device cuda where torch sees no GPU
            print(f"InvalidInput: {e.message}", file=sys.stderr)
            return 2
    res = {"device": args.device, "size": args.size, "method": args.method, "precision": args.precision,
           "batch_size": args.batch_size, "seq_len": args.seq_len, **res,
           "peak_rss_mb": round(peak_rss_mb(), 1), "wall_s": round(time.monotonic() - t0, 2)}
    if not args.quiet:
        for k, v in res.items():
            print(f"{k:>22}: {v}", file=sys.stderr)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
