"""Every invalid job fails before training with InvalidInput (exit 2), naming the key or path."""
import json
import os

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from labor_trainer.train import main, run_job

from conftest import read_json, tiny_spec, write_job


def _write_table(path, cols: dict):
    t = pa.table(cols)
    with ipc.new_file(str(path), t.schema) as w:
        w.write_table(t)
    return str(path)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A Llama folder without a tokenizer, and a config of a model that is not a causal LM."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, ViTConfig

    root = tmp_path_factory.mktemp("models")
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=300, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=2, max_position_embeddings=64)
    LlamaForCausalLM(cfg).save_pretrained(str(root / "no_tokenizer"))
    ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2).save_pretrained(str(root / "vit"))
    return root


def _fails(tmp_path, spec, *needles, raw=None):
    job = str(tmp_path / "job")
    os.makedirs(job, exist_ok=True)
    with open(os.path.join(job, "spec.json"), "w") as f:
        f.write(raw if raw is not None else json.dumps(spec))
    assert run_job(job, echo=False) == 2
    err = read_json(os.path.join(job, "error.json"))
    assert err["type"] == "InvalidInput"
    for n in needles:
        assert n in err["message"], (n, err["message"])
    assert read_json(os.path.join(job, "status.json"))["state"] == "failed"
    assert not os.path.exists(os.path.join(job, "checkpoints"))
    return err["message"]


def test_unknown_keys_all_reported(tmp_path, texts_path):
    spec = tiny_spec(texts_path, learnig_rate=1e-3, schedule={"decy": "cosine"})
    spec["base"]["init"]["layer"] = 2
    _fails(tmp_path, spec, "spec.learnig_rate: unknown key (did you mean 'learning_rate'?)",
           "spec.schedule.decy: unknown key", "spec.base.init.layer: unknown key", "3 problem(s)")


def test_bad_values(tmp_path, texts_path):
    _fails(tmp_path, tiny_spec(texts_path, method="qlora", batch_size=0, precision="fp16"),
           "spec.method: expected one of 'full', 'lora', found \"qlora\"",
           "spec.batch_size: expected an integer >= 1, found 0", "spec.precision: 'fp16' needs device 'cuda'")


def test_missing_required_and_bad_json(tmp_path, texts_path):
    _fails(tmp_path, {"method": "full"}, "spec.texts: required key is missing", "spec.base: required key is missing")
    _fails(tmp_path, None, "not valid JSON", raw="{nope")


def test_missing_spec(tmp_path):
    os.makedirs(tmp_path / "empty")
    assert run_job(str(tmp_path / "empty"), echo=False) == 2
    assert "spec.json not found" in read_json(str(tmp_path / "empty" / "error.json"))["message"]


def test_texts_file_missing(tmp_path):
    _fails(tmp_path, tiny_spec(str(tmp_path / "nope.arrow")), "spec.texts: file not found", "nope.arrow")


def test_texts_lacking_columns(tmp_path):
    path = _write_table(tmp_path / "t.arrow", {"person_id": ["a"], "text": ["x"]})
    _fails(tmp_path, tiny_spec(path), "column 'split' is missing", "found columns: person_id, text")


def test_texts_bad_split(tmp_path):
    path = _write_table(tmp_path / "t.arrow", {"person_id": ["a", "b"], "split": ["train", "dev"], "text": ["x", "y"]})
    _fails(tmp_path, tiny_spec(path), "row 1: split 'dev' is not one of train, valid, test")


def test_empty_training_set(tmp_path):
    path = _write_table(tmp_path / "t.arrow", {"person_id": ["a"], "split": ["valid"], "text": ["hello"]})
    _fails(tmp_path, tiny_spec(path), "empty training set")


def test_base_folder_missing(tmp_path, texts_path):
    _fails(tmp_path, tiny_spec(texts_path, base={"path": str(tmp_path / "nomodel")}),
           "spec.base.path: model folder not found", "nomodel")


def test_base_not_causal_lm(tmp_path, texts_path, folders):
    _fails(tmp_path, tiny_spec(texts_path, base={"path": str(folders / "vit")}), "'vit' model, which is not a causal")


def test_tokenizer_missing(tmp_path, texts_path, folders):
    _fails(tmp_path, tiny_spec(texts_path, base={"path": str(folders / "no_tokenizer")}, max_seq_len=64),
           "has no tokenizer.json")


def test_lora_targets_absent(tmp_path, texts_path):
    msg = _fails(tmp_path, tiny_spec(texts_path, method="lora", lora={"target_modules": ["query", "v_proj", "c_attn"]}),
                 "spec.lora.target_modules: query, c_attn not found in the model",
                 "module names that exist: down_proj, embed_tokens, gate_proj, k_proj, lm_head, o_proj, q_proj, "
                 "up_proj, v_proj")
    assert "v_proj not found" not in msg


def test_max_seq_len_beyond_positions(tmp_path, texts_path, folders):
    _fails(tmp_path, tiny_spec(texts_path, max_seq_len=512),
           "spec.max_seq_len: 512 exceeds the model's max_position_embeddings (256")


def test_cuda_unavailable(tmp_path, texts_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    _fails(tmp_path, tiny_spec(texts_path, device="cuda", precision="bf16"), "spec.device: 'cuda' requested")


def test_checkpoint_of_another_spec_is_refused(tmp_path, texts_path):
    job = write_job(tmp_path / "job", tiny_spec(texts_path, max_steps=2, eval_every=1))
    assert run_job(job, echo=False) == 0
    write_job(job, tiny_spec(texts_path, max_steps=2, eval_every=1, learning_rate=1e-4))
    assert run_job(job, echo=False) == 2
    assert "written for a different job (spec.json changed" in read_json(os.path.join(job, "error.json"))["message"]


def test_dry_run(tmp_path, texts_path, capsys):
    job = write_job(tmp_path / "job", {"texts": texts_path, "base": {"init": {"hidden": 32, "heads": 2}}})
    assert main(["--job-dir", job, "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["spec"]["base"]["init"] == {"architecture": "llama", "layers": 2, "hidden": 32, "heads": 2,
                                           "intermediate": 128, "vocab_size": 1024, "max_positions": 512}
    assert out["spec"]["method"] == "full" and out["spec"]["schedule"] == {"warmup_steps": 0, "decay": "cosine"}
    assert out["inputs"]["train_texts"] == 240 and out["inputs"]["valid_texts"] == 40
    assert sorted(os.listdir(job)) == ["spec.json"]  # writes nothing

    write_job(job, {"texts": texts_path, "base": {"init": {}}, "batchsize": 4})
    assert main(["--job-dir", job, "--dry-run"]) == 2
    assert "did you mean 'batch_size'" in capsys.readouterr().err
    assert sorted(os.listdir(job)) == ["spec.json"]


def test_busy_job_dir_is_left_alone(tmp_path, texts_path, capsys):
    from labor_trainer.jobdir import JobDir

    job = write_job(tmp_path / "job", tiny_spec(texts_path))
    lock = JobDir(job).acquire_lock()
    try:
        assert main(["--job-dir", job]) == 1
    finally:
        lock.close()
    assert "in use by another trainer process" in capsys.readouterr().err
    assert not os.path.exists(os.path.join(job, "status.json"))
