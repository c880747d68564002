import json

import pytest
from transformers import AutoTokenizer

from labor_scorer.errors import InvalidData, InvalidModel
from labor_scorer.tokenize import (BOUNDARY_CONTEXTS, FOLLOWING_TEXTS, candidate_ids, check_boundary,
                                   continuation_text, encoder_of, special_prefix)


@pytest.fixture(scope="module")
def tokenizer(sp_model_dir):
    return AutoTokenizer.from_pretrained(str(sp_model_dir), local_files_only=True)


def test_tokenizer_json_encodes_as_sentencepiece(sp_model_dir, tokenizer):
    ref = json.loads((sp_model_dir / "sp_reference.json").read_text())
    assert len(ref["texts"]) == 535
    for text, ids in zip(ref["texts"], ref["ids"]):
        assert tokenizer(text)["input_ids"] == [ref["bos"], *ids]
    assert special_prefix(tokenizer) == [ref["bos"]]


def test_census_titles_score_the_ids_they_have_inside_a_text(sp_model_dir, tokenizer, census_titles):
    encode = encoder_of(tokenizer)
    ids, checked = candidate_ids(encode, census_titles)
    assert checked == len(census_titles) * len(BOUNDARY_CONTEXTS) * len(FOLLOWING_TEXTS)
    context = json.loads((sp_model_dir / "sp_reference.json").read_text())["context"]
    ctx = encode(context)
    alone_differs = 0
    for title, cand in zip(census_titles, ids):
        assert encode(context + continuation_text(title) + "1992 (some college):")[:len(ctx) + len(cand)] == ctx + cand
        alone_differs += encode(continuation_text(title)) != cand
    # The dummy prefix: encoded alone, every continuation gets an extra "▁" the text never has.
    assert alone_differs == len(census_titles)


def test_merges_across_the_context_end_are_refused():
    def colon_space(text):  # one id per character, but ": " is one token
        return [1 if text[i:i + 2] == ": " else ord(c) for i, c in enumerate(text) if text[i - 1:i + 1] != ": " or i == 0]

    with pytest.raises(InvalidModel, match=r"merges across the end of the context[\s\S]*candidate 0 'Cook'"):
        candidate_ids(colon_space, ["Cook"])


def test_ids_that_depend_on_the_following_text_are_refused():
    def newline_digit(text):  # "\n1" is one token: the line's last id depends on what follows
        return [ord(c) for c in text.replace("\n1", "\x01")]

    with pytest.raises(InvalidModel) as e:
        candidate_ids(newline_digit, ["Cook", "Cooks"])
    msg = str(e.value)
    assert "candidate 0 'Cook'" in msg and "and before \"1992 (some college):\"" in msg
    assert "joint encoding [" in msg and "context ids + candidate ids [" in msg


def test_titles_without_tokens_and_empty_lists_are_invalid_data():
    def drop(text):
        return [ord(c) for c in text if c not in "? \n"]

    with pytest.raises(InvalidData, match=r"2 candidate title\(s\) tokenize to nothing[\s\S]*candidate 1 '\?'"):
        candidate_ids(drop, ["Cook", "?", "??"])
    with pytest.raises(InvalidData, match="candidate list is empty"):
        candidate_ids(drop, [])


def test_a_context_that_does_not_end_at_a_boundary_is_invalid_data(tokenizer):
    encode = encoder_of(tokenizer)
    ids, _ = candidate_ids(encode, ["Cooks"])
    good = "1990 (some college):"
    check_boundary(encode, good, encode(good), " Cooks\n", ids[0], "request 0")

    def pair(text):  # one id per character, but "x " is one token
        return [ord(c) for c in text.replace("x ", "\x01")]

    bad = "1990 (some college):x"
    with pytest.raises(InvalidData, match=r"request 3: the context does not end where a continuation starts"):
        check_boundary(pair, bad, pair(bad), " Cooks\n", pair(" Cooks\n"), "request 3")
