"""tokenize.bos: every document stored as `[BOS] + ids + [EOS]` (default) or `ids + [EOS]`, the same everywhere."""

import copy
import inspect
import runpy
from types import SimpleNamespace

import pytest
import yaml
from snakemake.utils import validate

from tests.conftest import REPO
from tests.tokdata.helpers import BOS_ID, EOS_ID, records, sample_texts
from xuanyuan.errors import UserError
from xuanyuan.shards import read_json, write_records
from xuanyuan.tokdata import IndexedDataset, document_bos_id, special_tokens_per_doc, tokenize_documents


def _encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]


def _no_bos(tokenizer_dir, out):
    """The same tokenizer without a BOS token, saved to `out`."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    tokenizer.bos_token = None
    tokenizer.save_pretrained(out)
    assert AutoTokenizer.from_pretrained(out).bos_token_id is None
    return out


@pytest.mark.parametrize("bos", [True, False], ids=["bos", "eos_only"])
def test_documents_are_stored_with_bos_only_when_asked(tmp_path, sp_tokenizer, bos):
    texts = sample_texts(20, seed=5) + ["", "x <s> y"]
    bos_id = document_bos_id(sp_tokenizer, bos)
    assert bos_id == (BOS_ID if bos else None)
    stats = tokenize_documents(records(texts), sp_tokenizer, tmp_path / "a", batch_docs=6, eos_id=EOS_ID, bos_id=bos_id)
    ds = IndexedDataset(tmp_path / "a")
    for i, text in enumerate(texts):
        assert ds.doc(i).tolist() == [BOS_ID] * bos + _encode(sp_tokenizer, text) + [EOS_ID]
    assert stats["tokens"] - stats["text_tokens"] == special_tokens_per_doc(bos) * len(texts) == (1 + bos) * len(texts)
    assert stats["bos_id"] == bos_id


def test_bos_without_a_bos_token_is_a_user_error_naming_the_key(tmp_path, sp_tokenizer_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_no_bos(sp_tokenizer_dir, tmp_path / "nobos"))
    with pytest.raises(UserError, match=r"nobos: tokenize.bos is true but this tokenizer has no BOS token; .*"
                                        r"set tokenize.bos: false"):
        document_bos_id(tokenizer, True)
    assert document_bos_id(tokenizer, False) is None


def test_the_schema_default_is_true_and_every_library_default_agrees():
    from xuanyuan.mix import apply_plan, histogram_shard, measure_for, mix_shard
    from xuanyuan.mix.measure import TokenMeasure
    from xuanyuan.quantize.measure import quantized_perplexity
    from xuanyuan.train.perplexity import document_tokens, model_perplexity, perplexity_of
    from xuanyuan.train.stages import tokenize_base_english

    schema = REPO / "config" / "schema.yaml"
    for name in ("config.yaml", "xuanyuan-70b.yaml"):
        config = copy.deepcopy(yaml.safe_load((REPO / "config" / name).read_text()))
        validate(config, str(schema))
        assert config["tokenize"]["bos"] is True, name
    default = yaml.safe_load(schema.read_text())["properties"]["tokenize"]["properties"]["bos"]["default"]
    for function in (measure_for, TokenMeasure, histogram_shard, apply_plan, mix_shard, perplexity_of,
                     model_perplexity, quantized_perplexity, document_tokens, tokenize_base_english):
        assert inspect.signature(function).parameters["bos"].default is default, function.__qualname__


class _Named(list):
    """Snakemake's input/output/params: a list whose entries also have names."""

    def __init__(self, **named):
        super().__init__(named.values())
        self.__dict__.update(named)

    def __getitem__(self, key):
        return self.__dict__[key] if isinstance(key, str) else super().__getitem__(key)


def _run_tokenize_shard(tmp_path, tokenizer_dir, bos, monkeypatch):
    monkeypatch.setenv("RAYON_NUM_THREADS", "1")  # the script sets it; restored after the test
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    write_records(tmp_path / "mix" / "p1.jsonl.zst", records(sample_texts(5, seed=2)))
    prefix = tmp_path / "tok" / "p1"
    snakemake = SimpleNamespace(
        threads=1, log=[str(tmp_path / "log.txt")],
        input=_Named(docs=[str(tmp_path / "mix" / "p1.jsonl.zst")]),
        output=_Named(p1_stats=str(tmp_path / "p1.stats.json")),
        params=_Named(phases=["p1"], prefixes=[str(prefix)], tokenizer_dir=str(tokenizer_dir), batch_docs=2, bos=bos),
    )
    runpy.run_path(str(REPO / "workflow_scripts" / "tokenize_shard.py"), init_globals={"snakemake": snakemake})
    return IndexedDataset(prefix), read_json(tmp_path / "p1.stats.json")


@pytest.mark.parametrize("bos", [True, False], ids=["bos", "eos_only"])
def test_the_tokenize_shard_script_follows_the_param(tmp_path, sp_tokenizer_dir, monkeypatch, bos):
    ds, stats = _run_tokenize_shard(tmp_path, sp_tokenizer_dir, bos, monkeypatch)
    assert all((ds.doc(i)[0] == BOS_ID) == bos and ds.doc(i)[-1] == EOS_ID for i in range(len(ds)))
    assert stats["bos_id"] == (BOS_ID if bos else None)


def test_the_tokenize_shard_script_refuses_bos_without_a_bos_token(tmp_path, sp_tokenizer_dir, monkeypatch):
    nobos = _no_bos(sp_tokenizer_dir, tmp_path / "nobos")
    with pytest.raises(SystemExit):
        _run_tokenize_shard(tmp_path, nobos, True, monkeypatch)
    assert "tokenize.bos is true but this tokenizer has no BOS token" in (tmp_path / "log.txt").read_text()
    ds, _ = _run_tokenize_shard(tmp_path, nobos, False, monkeypatch)
    assert ds.doc(0)[-1] == EOS_ID


@pytest.mark.parametrize("bos", [True, False], ids=["bos", "eos_only"])
def test_the_standin_base_english_follows_the_setting(tmp_path, sp_tokenizer_dir, bos):
    from xuanyuan.train.stages import tokenize_base_english

    english = [{**record, "lang": "en"} for record in records(["The bank.", "Rates rose today.", ""])]
    write_records(tmp_path / "q.jsonl.zst", english)
    stats = tokenize_base_english([str(tmp_path / "q.jsonl.zst")], str(sp_tokenizer_dir / "tokenizer.model"),
                                  str(tmp_path / "base_hf"), str(tmp_path / "en"), str(tmp_path / "en.stats.json"),
                                  heldout_fraction=0.0, batch_docs=2, bos=bos)
    ds = IndexedDataset(tmp_path / "en")
    assert [ds.doc(i)[0] == BOS_ID for i in range(3)] == [bos] * 3 and ds.doc(2).tolist() == [BOS_ID] * bos + [EOS_ID]
    assert stats["tokens"] - stats["text_tokens"] == 3 * (1 + bos)
