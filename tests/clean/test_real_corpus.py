"""Default rules on real clean text (../shared/data/pretrain_corpus): few false drops.

The numbers are floors a little under what was measured when the defaults were set
(docs/cleaning_rules.md), so a rule change that starts dropping real news fails here.
"""

import json
import pytest

from xuanyuan.clean.pipeline import build_rules, clean_document
from xuanyuan.records import make_document

CASES = [
    # file, lang, documents read, minimum kept share
    ("zh_thucnews_cnews.jsonl", "zh", 810, 0.93),
    ("zh_fin_news_finna.jsonl", "zh", 1500, 0.97),
    ("en_web_c4.jsonl", "en", 241, 0.88),
]


@pytest.mark.parametrize("name, lang, limit, floor", CASES)
def test_default_rules_keep_real_clean_text(shared_data, name, lang, limit, floor):
    path = shared_data / "pretrain_corpus" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    rules = build_rules({})
    kept = 0
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(limit), handle)]
    for record in records:
        doc = make_document(record["id"], record["text"], source="real", lang=lang, domain=record["domain"], kind="news")
        kept += clean_document(doc, rules) is not None
    share = kept / len(records)
    assert share >= floor, f"{name}: kept {share:.3f} < {floor}"
