"""Training throughput benchmark. The last line printed is one JSON object with at least
tokens_per_s, peak_rss_mb and device.

CPU (default): the quickstart-size Llama trained by the real trainer (labor_trainer.train.run_job)
for a fixed number of steps on synthetic resume-like texts; tokens/s counts real (unpadded)
tokens over training time only (evaluation and export excluded).

    PYTHONPATH=trainer .venv/bin/python trainer/bench_train.py --steps 30 --threads 2

GPU: a ~1.06B-parameter Llama-style model (hidden 2048, 18 layers, 16 heads, intermediate 5632,
vocab 32000), bf16 autocast, sequence length 512, batch 16, packed sequences (texts joined with
EOS and cut into full rows: no padding), AdamW; reports tokens/s, peak GPU memory and
MFU = 6 * params * tokens/s / peak FLOP/s (--peak-tflops, 989 = H100 SXM dense bf16). For LoRA
the 6N rule over-counts (frozen weights get no weight gradient): mfu_lora_4n uses 4N.

    PYTHONPATH=trainer python trainer/bench_train.py --device cuda --size 1b --method full
    PYTHONPATH=trainer python trainer/bench_train.py --device cuda --size 1b --method lora

`--engine packed` runs the GPU loop at any size/device (e.g. quickstart on CPU to check it).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
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
    "1b": {"layers": 18, "hidden": 2048, "heads": 16, "intermediate": 5632, "vocab_size": 32000,
           "max_positions": 2048},
}
EDU = ["less than high school", "high school", "some college", "associate degree", "bachelor's degree",
       "graduate degree"]


def load_titles() -> list[str]:
    # The 535 Census 2010 occupation titles shipped with the project (data/README.md).
    path = os.path.join(HERE, "..", "data", "taxonomy", "census2010.csv")
    with open(path, newline="", encoding="utf-8") as f:
        return [r["title"] for r in csv.DictReader(f) if r.get("title")]


def synthetic_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    titles = load_titles() + ["Unemployed", "Not in labor force", "In education"]
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


def run_trainer_engine(args, dims: dict) -> dict:
    """The real job, end to end, in a temporary job dir."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    from labor_trainer.train import run_job

    with tempfile.TemporaryDirectory(prefix="bench-train-") as d:
        n_train = max(400, args.steps * args.batch_size)
        texts = synthetic_texts(n_train + 50, args.seed)
        splits = ["train"] * n_train + ["valid"] * 50
        t = pa.table({"person_id": [f"p{i}" for i in range(len(texts))], "split": splits, "text": texts})
        with ipc.new_file(os.path.join(d, "texts.arrow"), t.schema) as w:
            w.write_table(t)
        spec = {
            "texts": os.path.join(d, "texts.arrow"),
            "base": {"init": {"architecture": "llama", **dims}},
            "method": args.method, "max_steps": args.steps, "learning_rate": 1e-3,
            "schedule": {"warmup_steps": min(10, args.steps // 3), "decay": "cosine"},
            "batch_size": args.batch_size, "max_seq_len": args.seq_len, "seed": args.seed,
            "eval_every": args.steps, "checkpoint_every": None, "precision": args.precision,
            "device": args.device, "threads": args.threads,
        }
        job = os.path.join(d, "job")
        os.makedirs(job)
        with open(os.path.join(job, "spec.json"), "w") as f:
            json.dump(spec, f)
        t0 = time.monotonic()
        code = run_job(job, echo=not args.quiet)
        wall = time.monotonic() - t0
        if code != 0:
            with open(os.path.join(job, "error.json")) as f:
                raise SystemExit(f"training job failed: {f.read()}")
        with open(os.path.join(job, "metrics.json")) as f:
            m = json.load(f)
    return {
        "engine": "trainer", "steps": m["steps"], "params": m["params"], "tokens_per_s": m["tokens_per_s"],
        "train_time_s": m["train_time_s"], "train_tokens": m["train_tokens"], "job_wall_s": round(wall, 2),
        "val_loss_initial": m["val_loss_initial"], "best_val_loss": m["best_val_loss"],
        "export_max_abs_diff": m["export_max_abs_diff"], "peak_gpu_mem_mb": m.get("peak_gpu_mem_mb"),
    }


def run_packed_engine(args, dims: dict) -> dict:
    """A plain packed-sequence loop (the shape of a large GPU fine-tune), timed after warmup."""
    import torch

    from labor_trainer.modeling import apply_lora, count_params, llama_config
    from labor_trainer.tokenizer import build_bpe_tokenizer

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch.cuda.is_available() is False here")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    amp = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[args.precision]

    # Tokens: BPE over synthetic texts, packed into full rows.
    rows_needed = (args.steps + args.warmup) * args.batch_size
    texts = synthetic_texts(max(200, rows_needed * args.seq_len // 150 + 50), args.seed)
    tok = build_bpe_tokenizer(texts[:2000], min(dims["vocab_size"], 4096))
    eos = tok.token_to_id("<|endoftext|>")
    stream: list[int] = []
    for enc in tok.encode_batch(texts):
        stream.extend(enc.ids)
        stream.append(eos)
    n_rows = len(stream) // args.seq_len
    data = torch.tensor(stream[: n_rows * args.seq_len], dtype=torch.long).view(n_rows, args.seq_len)

    from transformers import AutoModelForCausalLM

    config = llama_config(dims, dims["vocab_size"], eos)
    t0 = time.monotonic()
    base_dtype = amp if (args.method == "lora" and amp is not None) else torch.float32
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=base_dtype)
    if args.method == "lora":
        targets = args.lora_targets.split(",")
        model = apply_lora(model, {"r": args.lora_r, "alpha": 2 * args.lora_r, "dropout": 0.0,
                                   "target_modules": targets}, args.seed)
    model.train()
    if args.grad_checkpointing:
        model.gradient_checkpointing_enable()
    params_total, params_trainable = count_params(model)
    build_s = time.monotonic() - t0
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0, fused=device.type == "cuda")
    scaler = torch.amp.GradScaler(device.type, enabled=args.precision == "fp16")
    step_fn = model
    if args.compile:
        step_fn = torch.compile(model)

    def one_step(i: int) -> float:
        r = (i * args.batch_size) % max(1, n_rows - args.batch_size)
        x = data[r : r + args.batch_size].to(device, non_blocking=True)
        with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
            loss = step_fn(input_ids=x, labels=x, use_cache=False).loss
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        scaler.step(opt)
        scaler.update()
        opt.zero_grad(set_to_none=True)
        return loss

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    for i in range(args.warmup):
        one_step(i)
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    t0 = time.monotonic()
    loss = None
    for i in range(args.warmup, args.warmup + args.steps):
        loss = one_step(i)
    sync()
    elapsed = time.monotonic() - t0
    tokens = args.steps * args.batch_size * args.seq_len
    tps = tokens / elapsed
    out = {
        "engine": "packed", "steps": args.steps, "warmup_steps": args.warmup, "params": params_total,
        "trainable_params": params_trainable, "tokens_per_s": tps, "step_s": elapsed / args.steps,
        "final_loss": float(loss.detach()), "build_s": round(build_s, 2), "data_rows": n_rows,
    }
    if device.type == "cuda":
        out["peak_gpu_mem_mb"] = torch.cuda.max_memory_allocated() / 2**20
        out["gpu"] = torch.cuda.get_device_name(device)
    peak = args.peak_tflops * 1e12
    out["mfu"] = 6 * params_total * tps / peak
    if args.method == "lora":
        out["mfu_lora_4n"] = 4 * params_total * tps / peak
    out["peak_tflops"] = args.peak_tflops
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--size", choices=list(SIZES), default=None, help="default: quickstart on cpu, 1b on cuda")
    ap.add_argument("--method", choices=["full", "lora"], default="full")
    ap.add_argument("--engine", choices=["trainer", "packed"], default=None,
                    help="default: trainer for quickstart, packed for 1b")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default 30 cpu, 20 cuda)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first (packed engine)")
    ap.add_argument("--batch-size", type=int, default=None, help="default 16")
    ap.add_argument("--seq-len", type=int, default=None, help="default 256 quickstart, 512 1b")
    ap.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default=None, help="default fp32 cpu, bf16 cuda")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="peak dense FLOP/s of the chip, in TFLOP/s")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (packed engine)")
    ap.add_argument("--grad-checkpointing", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    args.size = args.size or ("1b" if args.device == "cuda" else "quickstart")
    args.engine = args.engine or ("packed" if args.size == "1b" else "trainer")
    args.steps = args.steps or (20 if args.device == "cuda" else 30)
    args.batch_size = args.batch_size or 16
    args.seq_len = args.seq_len or (512 if args.size == "1b" else 256)
    args.precision = args.precision or ("bf16" if args.device == "cuda" else "fp32")
    dims = SIZES[args.size]
    t0 = time.monotonic()
    res = run_trainer_engine(args, dims) if args.engine == "trainer" else run_packed_engine(args, dims)
    res = {"device": args.device, "size": args.size, "method": args.method, "precision": args.precision,
           "batch_size": args.batch_size, "seq_len": args.seq_len, **res,
           "peak_rss_mb": round(peak_rss_mb(), 1), "wall_s": round(time.monotonic() - t0, 2)}
    if not args.quiet:
        for k, v in res.items():
            print(f"{k:>20}: {v}", file=sys.stderr)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
