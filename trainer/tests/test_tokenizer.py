import json
import os

from labor_trainer import ENDOFTEXT
from labor_trainer.tokenizer import load_tokenizer, train_bpe_tokenizer

from conftest import TITLES, make_text


def test_bpe_tokenizer_scheme(tmp_path):
    import random

    rng = random.Random(0)
    texts = [make_text(rng) for _ in range(200)]
    tok = train_bpe_tokenizer(texts, 400, str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["tokenizer.json", "tokenizer_config.json"]
    cfg = json.load(open(tmp_path / "tokenizer_config.json"))
    assert cfg["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert {cfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token")} == {ENDOFTEXT}
    assert tok.eos_token_id == tok.pad_token_id == tok.bos_token_id == 0
    assert len(tok) <= 400

    text = texts[0]
    ids = tok(text)["input_ids"]
    assert ENDOFTEXT not in tok.convert_ids_to_tokens(ids)  # nothing added: no BOS, no EOS
    assert tok.decode(ids) == text  # no normalizer: round trip is exact
    # Scoring consistency: context ending at "YEAR (EDU):" + continuation " title\n".
    reloaded = load_tokenizer(str(tmp_path))
    for t in (tok, reloaded):
        for title in TITLES + ["Zoologists and (other) wildlife biologists"]:
            ctx = "Person: male, born 1970\n2001 (BA):"
            cont = f" {title}\n"
            assert t(ctx)["input_ids"] + t(cont)["input_ids"] == t(ctx + cont)["input_ids"]
    # no prefix space is invented
    assert tok.decode(tok("Cashiers")["input_ids"]) == "Cashiers"
