import json
import subprocess
import sys
from pathlib import Path

SCORER_DIR = str(Path(__file__).resolve().parents[1])


def test_bench_prints_its_figures_as_the_last_json_line():
    proc = subprocess.run([sys.executable, "-m", "labor_scorer.bench", "--device", "cpu", "--shape", "tiny", "--contexts", "1",
                           "--context-tokens", "64", "--naive-sample", "4", "--threads", "1"],
                          capture_output=True, text=True, env={"PYTHONPATH": SCORER_DIR}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("s_per_point", "tokens_per_s", "flop_floor_s_per_point", "ratio_to_flop_floor", "naive_s_per_point",
                "max_abs_logprob_diff", "peak_mem_mb"):
        assert isinstance(r[key], float) and r[key] >= 0, key
    assert r["candidates"] == 535 and r["naive_sampled_candidates"] == 4 and r["dtype"] == "fp32"
    assert r["max_abs_logprob_diff"] < 1e-4
    assert r["ratio_to_flop_floor"] == r["s_per_point"] / r["flop_floor_s_per_point"]
