"""labor_scorer.serve (one loaded model, requests answered over stdin/stdout): two requests in one
process score as a fresh scorer does, a bad request is answered with an error and the process
keeps answering, end of input exits 0, a startup failure exits 2, a crash exits 1 with its traceback."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from labor_scorer.tree_scorer import TreeScorer, load_model_folder

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = [
    "Gender: female\nOccupation by year:\n1990 (high school diploma): Cooks\n1991 (high school diploma):",
    "Gender: male\nOccupation by year:\n1985 (some college): Janitors and building cleaners\n1986 (some college):",
    "Gender: female\nOccupation by year:\n2001 (bachelor's degree):",
]


def write_requests(path: Path, ids: list[str], contexts: list[str]) -> str:
    table = pa.table({"request_id": ids, "context": contexts})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    return str(path)


def start(model: Path, candidates: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'scorer'}:{ROOT / 'trainer'}", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "labor_scorer.serve", "--model", str(model), "--candidates", str(candidates),
                             "--device", "cpu", "--dtype", "fp32", "--threads", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def ask(proc: subprocess.Popen, msg) -> dict:
    proc.stdin.write((msg if isinstance(msg, str) else json.dumps(msg)) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    assert line, f"no answer; stderr: {proc.stderr.read()}"
    return json.loads(line)


def logprobs(path: str) -> dict[str, list[float]]:
    t = pa.ipc.open_file(path).read_all()
    out: dict[str, list[float]] = {}
    for rid, lp in zip(t.column("request_id").to_pylist(), t.column("logprob").to_pylist()):
        out.setdefault(rid, []).append(lp)
    return out


def test_answers_requests_in_turn_survives_bad_ones_and_exits_on_eof(sp_model_dir, census_titles, tmp_path):
    titles = census_titles[:40]
    (tmp_path / "titles.json").write_text(json.dumps(titles))
    proc = start(sp_model_dir, tmp_path / "titles.json")
    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["event"] == "ready" and ready["scorer"]["candidates"] == 40 and ready["scorer"]["dtype"] == "float32"

        first = ask(proc, {"id": 1, "requests": write_requests(tmp_path / "r1.arrow", ["a", "b"], CONTEXTS[:2]),
                           "out": str(tmp_path / "o1.arrow")})
        assert first["ok"] and first["id"] == 1 and first["requests"] == 2 and first["truncated"] == 0
        second = ask(proc, {"requests": write_requests(tmp_path / "r2.arrow", ["c"], CONTEXTS[2:]), "out": str(tmp_path / "o2.arrow")})
        assert second["ok"] and second["stats"]["requests"] == 3 and "id" not in second

        missing = ask(proc, {"id": "x", "requests": str(tmp_path / "none.arrow"), "out": str(tmp_path / "o3.arrow")})
        assert missing == {"ok": False, "id": "x", "error": {"type": "InvalidData", "message": missing["error"]["message"]}}
        assert "none.arrow: not a readable Arrow IPC file" in missing["error"]["message"]
        assert not (tmp_path / "o3.arrow").exists()
        garbage = ask(proc, "not json")
        assert garbage["ok"] is False and garbage["error"]["type"] == "InvalidData" and "request line 4: not JSON" in garbage["error"]["message"]
        fields = ask(proc, {"requests": 3})
        assert "missing or not a string: requests, out" in fields["error"]["message"]
        bad_rows = ask(proc, {"requests": write_requests(tmp_path / "r4.arrow", ["d", "d"], CONTEXTS[:2]), "out": str(tmp_path / "o4.arrow")})
        assert bad_rows["error"]["type"] == "InvalidData" and "request_id 'd' repeats row 0" in bad_rows["error"]["message"]

        again = ask(proc, {"requests": str(tmp_path / "r2.arrow"), "out": str(tmp_path / "o5.arrow")})
        assert again["ok"]
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()

    model, tokenizer = load_model_folder(str(sp_model_dir))
    fresh = TreeScorer(model, tokenizer, titles)
    got = {**logprobs(str(tmp_path / "o1.arrow")), **logprobs(str(tmp_path / "o2.arrow"))}
    for rid, ctx in zip("abc", CONTEXTS):
        expected = fresh.score_ids(fresh.context_ids(ctx, rid)).tolist()
        assert len(got[rid]) == 40
        assert max(abs(x - y) for x, y in zip(got[rid], expected)) < 1e-4
    assert logprobs(str(tmp_path / "o5.arrow")) == logprobs(str(tmp_path / "o2.arrow"))


def test_startup_failure_exits_2_and_names_the_folder(tmp_path):
    (tmp_path / "titles.json").write_text(json.dumps(["Cooks"]))
    proc = start(tmp_path / "no-model", tmp_path / "titles.json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and out == ""
    assert err.startswith("InvalidModel: model folder not found: ") and "no-model" in err


def test_a_crash_ends_the_process_with_its_traceback(sp_model_dir, census_titles, tmp_path):
    (tmp_path / "titles.json").write_text(json.dumps(census_titles[:5]))
    (tmp_path / "a-folder").mkdir()
    proc = start(sp_model_dir, tmp_path / "titles.json")
    try:
        assert json.loads(proc.stdout.readline())["event"] == "ready"
        # Results written over a folder: not bad input the scorer checks for, an OSError.
        proc.stdin.write(json.dumps({"requests": write_requests(tmp_path / "r.arrow", ["a"], CONTEXTS[:1]),
                                     "out": str(tmp_path / "a-folder")}) + "\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == ""
        assert proc.wait(timeout=60) == 1
        err = proc.stderr.read()
        assert "Traceback (most recent call last)" in err and "a-folder" in err
    finally:
        proc.kill()
