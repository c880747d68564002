"""A LoRA job on a base folder stores its adapters alone, with base.json naming the base; every
reader (the next fine-tune, the merge command) gets the same model as the merged ONNX export."""
import json
import os
import shutil

import pytest
import torch

from labor_trainer.merge import main as merge_main
from labor_trainer.model_folder import ModelFolderError, base_of, load_causal_lm
from labor_trainer.train import run_job

from conftest import read_json, tiny_spec, write_job

LORA = {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj", "o_proj"]}


def folder_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


@pytest.fixture(scope="module")
def foundation(tmp_path_factory, texts_path):
    job = write_job(tmp_path_factory.mktemp("foundation"), tiny_spec(texts_path, epochs=1))
    assert run_job(job, echo=False) == 0
    return os.path.join(job, "output")


@pytest.fixture(scope="module")
def adapters_job(tmp_path_factory, texts_path, foundation):
    spec = tiny_spec(texts_path, base={"path": foundation}, method="lora", lora=LORA, learning_rate=1e-2,
                     epochs=1, eval_every=5)
    job = write_job(tmp_path_factory.mktemp("lora"), spec)
    assert run_job(job, echo=False) == 0
    return job


def logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0]


def test_stores_adapters_and_names_the_base(adapters_job, foundation):
    out = os.path.join(adapters_job, "output")
    for f in ("adapter_config.json", "adapter_model.safetensors", "base.json", "config.json", "tokenizer.json",
              "onnx/model.onnx"):
        assert os.path.isfile(os.path.join(out, f)), f
    assert not os.path.exists(os.path.join(out, "model.safetensors"))  # no copy of the base's weights
    assert not os.path.exists(os.path.join(out, "README.md"))  # nor peft's empty model card
    assert base_of(out) == os.path.abspath(foundation)
    m = read_json(os.path.join(adapters_job, "metrics.json"))
    assert m["stored"] == "adapters" and m["method"] == "lora"
    adapter_bytes = os.path.getsize(os.path.join(out, "adapter_model.safetensors"))
    assert adapter_bytes < os.path.getsize(os.path.join(foundation, "model.safetensors")) / 5
    assert m["best_val_loss"] < m["val_loss_initial"]


def test_loading_the_adapters_gives_the_exported_model(adapters_job, texts_path):
    """The adapters merged at load time equal the merged model the ONNX export was made from."""
    from transformers import AutoTokenizer

    from labor_trainer.data import read_texts
    from labor_trainer.onnx_export import check_export

    out = os.path.join(adapters_job, "output")
    model = load_causal_lm(out, torch.float32).eval()
    assert not any("lora" in n for n, _ in model.named_parameters())
    tok = AutoTokenizer.from_pretrained(out, local_files_only=True)
    texts = read_texts(texts_path)["valid"][:2]
    assert check_export(model, tok, os.path.join(out, "onnx", "model.onnx"), texts) < 1e-4


def test_adapters_are_the_base_of_another_fine_tune(tmp_path, texts_path, adapters_job):
    """A fine-tune from a LoRA step starts where that step ended (its base merged with its adapters)."""
    spec = tiny_spec(texts_path, base={"path": os.path.join(adapters_job, "output")}, method="lora", lora=LORA,
                     max_steps=2, eval_every=2, export="none")
    job = write_job(tmp_path / "second", spec)
    assert run_job(job, echo=False) == 0
    m = read_json(os.path.join(job, "metrics.json"))
    assert abs(m["val_loss_initial"] - read_json(os.path.join(adapters_job, "metrics.json"))["best_val_loss"]) < 1e-4
    # a chain: these adapters' base is the first step's adapter folder, loaded through its own base.json
    assert base_of(os.path.join(job, "output")) == os.path.join(adapters_job, "output")
    load_causal_lm(os.path.join(job, "output"), torch.float32)


def test_merge_on_request(tmp_path, texts_path, adapters_job, foundation):
    out = os.path.join(adapters_job, "output")
    merged = str(tmp_path / "merged")
    assert merge_main([out, merged]) == 0
    assert os.path.isfile(os.path.join(merged, "model.safetensors")) and not os.path.exists(os.path.join(merged, "base.json"))
    assert os.path.isfile(os.path.join(merged, "tokenizer.json"))
    ids = [1, 5, 9, 20, 33, 7]
    a, b = load_causal_lm(out, torch.float32), load_causal_lm(merged, torch.float32)
    assert torch.allclose(logits(a, ids), logits(b, ids), atol=1e-5)
    assert not torch.allclose(logits(a, ids), logits(load_causal_lm(foundation, torch.float32), ids), atol=1e-3)
    assert merge_main([out, merged]) == 2  # never over an existing folder
    assert merge_main([foundation, str(tmp_path / "x")]) == 2  # not adapters
    assert not os.path.exists(tmp_path / "x")


def test_merge_true_stores_merged_weights(tmp_path, texts_path, foundation):
    spec = tiny_spec(texts_path, base={"path": foundation}, method="lora", lora={**LORA, "merge": True},
                     max_steps=2, eval_every=2, export="none")
    job = write_job(tmp_path / "merged", spec)
    assert run_job(job, echo=False) == 0
    out = os.path.join(job, "output")
    assert os.path.isfile(os.path.join(out, "model.safetensors"))
    assert not os.path.exists(os.path.join(out, "adapter_config.json"))
    assert read_json(os.path.join(job, "metrics.json"))["stored"] == "weights"


def test_a_missing_base_is_named(tmp_path, texts_path, adapters_job):
    moved = str(tmp_path / "adapters")
    shutil.copytree(os.path.join(adapters_job, "output"), moved)
    with open(os.path.join(moved, "base.json"), "w") as f:
        json.dump({"path": str(tmp_path / "gone")}, f)
    with pytest.raises(ModelFolderError, match=r"base\.json: the base model folder .*gone does not exist"):
        load_causal_lm(moved, torch.float32)
    # the trainer checks it before training, and names the spec key
    job = write_job(tmp_path / "job", tiny_spec(texts_path, base={"path": moved}, max_steps=1))
    assert run_job(job, echo=False) == 2
    message = read_json(os.path.join(job, "error.json"))["message"]
    assert "spec.base.path: " in message and f"{moved}/base.json: the base model folder" in message, message
