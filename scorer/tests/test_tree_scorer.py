import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import torch

from labor_scorer.errors import InvalidModel
from labor_scorer.tree_scorer import TreeScorer, load_model_folder, naive_scores

SCORER_DIR = str(Path(__file__).resolve().parents[1])
# The scorer's commands load model folders through the trainer's package (scorer/README.md).
PYTHONPATH = f"{SCORER_DIR}:{Path(SCORER_DIR).parent / 'trainer'}"
CONTEXTS = [
    "Synthetic career record\nGender: female, race/ethnicity: White, region: South\nBirth year: 1960\n"
    "Occupation by year (education in parentheses):\n1990 (high school diploma): Cooks\n1991 (some college): Cashiers\n"
    "1992 (some college):",
    "1990 (some college):",
    "x:",
]


@pytest.fixture(scope="module")
def loaded(sp_model_dir):
    return load_model_folder(str(sp_model_dir), "cpu", "fp32")


@pytest.fixture(scope="module")
def titles(census_titles):
    # "Cook" is a prefix of "Cooks" and of "Cook helpers": the "\n" tells them apart.
    return ["Cook", "Cooks", "Cook helpers", *census_titles[::12]]


@pytest.mark.parametrize("max_chunk_tokens", [7, 4096])
def test_tree_mask_scores_equal_a_full_pass_per_candidate(loaded, titles, max_chunk_tokens):
    model, tokenizer = loaded
    scorer = TreeScorer(model, tokenizer, titles, max_chunk_tokens=max_chunk_tokens)
    assert (len(scorer.chunks) > 20) == (max_chunk_tokens == 7)
    assert any(c.extra > 0 for c in scorer.chunks) == (max_chunk_tokens == 7)
    for context in CONTEXTS:
        ctx = scorer.context_ids(context, "test")
        tree = scorer.score_ids(ctx)
        naive = naive_scores(model, ctx, scorer.ids)
        assert tree.shape == (len(titles),)
        assert torch.isfinite(tree).all() and (tree < 0).all()
        assert (tree - naive).abs().max().item() < 1e-4
        assert abs(tree[0] - tree[1]) > 1e-3


def test_a_tiny_memory_budget_gives_the_same_scores(loaded, titles):
    model, tokenizer = loaded
    big = TreeScorer(model, tokenizer, titles)
    small = TreeScorer(model, tokenizer, titles, memory_budget_mb=0.5)
    assert len(small.chunks) > len(big.chunks)
    ctx = big.context_ids(CONTEXTS[0], "test")
    assert (big.score_ids(ctx) - small.score_ids(ctx)).abs().max().item() < 1e-4  # fp32 sums in another order


def test_cli_writes_the_results_table(sp_model_dir, titles, tmp_path):
    requests = tmp_path / "requests.arrow"
    table = pa.table({"request_id": [f"r{i}" for i in range(len(CONTEXTS))], "context": CONTEXTS})
    with pa.OSFile(str(requests), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    cands = tmp_path / "titles.json"
    cands.write_text(json.dumps(titles))
    out = tmp_path / "out" / "results.arrow"
    proc = subprocess.run([sys.executable, "-m", "labor_scorer.score", "--model", str(sp_model_dir), "--requests",
                           str(requests), "--candidates", str(cands), "--out", str(out), "--threads", "1"],
                          capture_output=True, text=True, env={"PYTHONPATH": PYTHONPATH})
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["requests"] == 3 and summary["tokenization"]["rule"] == "joint-tail"
    res = pa.ipc.open_file(str(out)).read_all()
    assert res.schema.names == ["request_id", "candidate_index", "logprob"]
    assert str(res.schema.field("candidate_index").type) == "int32"
    assert res.num_rows == 3 * len(titles)
    assert res.column("request_id").to_pylist()[len(titles)] == "r1"
    assert res.column("candidate_index").to_pylist()[:3] == [0, 1, 2]
    model, tokenizer = load_model_folder(str(sp_model_dir))
    scorer = TreeScorer(model, tokenizer, titles)
    expected = scorer.score_ids(scorer.context_ids(CONTEXTS[1], "x"))
    got = torch.tensor(res.column("logprob").to_pylist()[len(titles):2 * len(titles)], dtype=torch.float64)
    assert (got - expected).abs().max().item() < 1e-4  # another thread count: another fp32 summation order


def test_cli_reports_bad_input_with_exit_code_2(sp_model_dir, tmp_path):
    requests = tmp_path / "requests.arrow"
    table = pa.table({"request_id": ["a", "a"], "text": ["x:", "y:"]})
    with pa.OSFile(str(requests), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    cands = tmp_path / "titles.csv"
    cands.write_text("code,title\n1,Cooks\n")
    proc = subprocess.run([sys.executable, "-m", "labor_scorer.score", "--model", str(sp_model_dir), "--requests",
                           str(requests), "--candidates", str(cands), "--out", str(tmp_path / "r.arrow")],
                          capture_output=True, text=True, env={"PYTHONPATH": PYTHONPATH})
    assert proc.returncode == 2
    assert "InvalidData" in proc.stderr and "column 'context' missing (found: request_id, text)" in proc.stderr
    assert not (tmp_path / "r.arrow").exists()


def test_a_folder_without_weights_is_invalid_model(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(InvalidModel, match=r"missing tokenizer.json[\s\S]*has no weights \(expected model.safetensors"):
        load_model_folder(str(tmp_path))


def test_a_lora_adapter_folder_scores_as_its_merged_model(sp_model_dir, loaded, titles, tmp_path):
    """A LoRA step's folder (adapters + base.json) is loaded as its base with the adapters merged."""
    import shutil

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from labor_trainer.model_folder import write_base_ref

    base = AutoModelForCausalLM.from_pretrained(str(sp_model_dir), dtype=torch.float32)
    torch.manual_seed(0)  # random (not zero) adapters, so that they change the scores
    adapted = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    out = tmp_path / "adapters"
    adapted.save_pretrained(str(out))
    write_base_ref(str(out), str(sp_model_dir))
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model"):
        if (sp_model_dir / name).is_file():
            shutil.copyfile(sp_model_dir / name, out / name)
    merged = adapted.merge_and_unload().eval()

    model, tokenizer = load_model_folder(str(out), "cpu", "fp32")
    got, want, plain = (TreeScorer(m, tokenizer, titles) for m in (model, merged, loaded[0]))
    ctx = got.context_ids(CONTEXTS[0], "lora")
    assert (got.score_ids(ctx) - want.score_ids(ctx)).abs().max().item() < 1e-5
    assert (got.score_ids(ctx) - plain.score_ids(ctx)).abs().max().item() > 1e-3  # the adapters are there

    (out / "base.json").write_text(json.dumps({"path": str(tmp_path / "gone")}))
    with pytest.raises(InvalidModel, match=r"base\.json: the base model folder .*gone does not exist"):
        load_model_folder(str(out))
