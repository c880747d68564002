"""labor_scorer.shard (the evaluate step's torch backend): batch result tables, one event line per
batch, batches before --start-batch skipped (a retried shard resumes), the same scores as one pass."""
import json

import pyarrow as pa

from labor_scorer import shard
from labor_scorer.tree_scorer import TreeScorer, load_model_folder

CONTEXTS = [
    "Gender: female\nOccupation by year:\n1990 (high school diploma): Cooks\n1991 (high school diploma):",
    "Gender: male\nOccupation by year:\n1985 (some college): Janitors and building cleaners\n1986 (some college):",
    "Gender: female\nOccupation by year:\n2001 (bachelor's degree):",
]


def test_scores_batch_by_batch_and_resumes(sp_model_dir, census_titles, tmp_path, capsys):
    titles = census_titles[:40]
    requests = tmp_path / "requests.arrow"
    table = pa.table({"request_id": ["a", "b", "c"], "context": CONTEXTS})
    with pa.OSFile(str(requests), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    (tmp_path / "titles.json").write_text(json.dumps(titles))
    args = ["--model", str(sp_model_dir), "--requests", str(requests), "--candidates", str(tmp_path / "titles.json"),
            "--out-dir", str(tmp_path / "out"), "--batch-size", "2", "--threads", "1"]
    assert shard.main(args + ["--start-batch", "1"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["event"] for e in events] == ["loaded", "batch", "done"]
    assert events[1]["batch"] == 1 and events[1]["batches"] == 2 and events[1]["truncated"] == 0
    assert not shard.batch_results_path(str(tmp_path / "out"), 0).exists()  # skipped: an earlier attempt's
    res = pa.ipc.open_file(events[1]["results"]).read_all()
    assert res.column("request_id").to_pylist() == ["c"] * len(titles)

    model, tokenizer = load_model_folder(str(sp_model_dir))
    scorer = TreeScorer(model, tokenizer, titles)
    expected = scorer.score_ids(scorer.context_ids(CONTEXTS[2], "x")).tolist()
    assert max(abs(a - b) for a, b in zip(res.column("logprob").to_pylist(), expected)) < 1e-4


def test_bad_options_exit_2(sp_model_dir, tmp_path, capsys):
    assert shard.main(["--model", str(sp_model_dir), "--requests", str(tmp_path / "none.arrow"), "--candidates",
                       str(tmp_path / "none.json"), "--out-dir", str(tmp_path), "--batch-size", "0"]) == 2
    assert "--batch-size must be >= 1" in capsys.readouterr().err
