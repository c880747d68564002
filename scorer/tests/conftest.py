import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "scorer"), str(ROOT / "trainer"), str(Path(__file__).parent)]

DEFAULT_CSV = ROOT / "data/taxonomy/default.csv"
CENSUS_CSV = ROOT / "data/taxonomy/census2010.csv"


def titles(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [r["title"] for r in csv.DictReader(f)]


@pytest.fixture(scope="session")
def census_titles() -> list[str]:
    return titles(CENSUS_CSV)


@pytest.fixture(scope="session")
def sp_model_dir(tmp_path_factory, census_titles) -> Path:
    """A random 2-layer Llama with a SentencePiece tokenizer trained on default.csv's titles."""
    import sp_model

    out = tmp_path_factory.mktemp("sp-model")
    sp_model.build(str(out), titles(DEFAULT_CSV), census_titles, layers=2, hidden=64, heads=4, kv_heads=2,
                   vocab_size=1024, max_positions=256, seed=0, init_range=0.3)
    return out
