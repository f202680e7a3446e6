"""One SFT stage's data end to end: generated files -> ledger, mix shares, answer-only rows, stats."""

import dataclasses
import json

import numpy as np
import pytest

from xuanyuan.corpus.instructions import BAD_RECORDS, InstructionSettings, write_instruction_files
from xuanyuan.errors import UserError
from xuanyuan.sft.ingest import InstructionFile
from xuanyuan.sft.masking import IGNORE_INDEX
from xuanyuan.sft.mixture import stage2_shares
from xuanyuan.sft.rows import SftRows
from xuanyuan.sft.settings import GeneratedSettings, SftSettings, StageData
from xuanyuan.sft.stage_data import build_stage_rows, generated_files

SEQ = 512
CATEGORIES = {"general": {c: 1 for c in ("encyclopedia", "code", "reasoning", "math", "creative_writing", "safety",
                                         "summarisation", "translation")},
              "finance": {c: 1 for c in ("concepts", "announcements", "market_news", "risk", "calculation")}}


def _settings(system=None, overflow="truncate") -> SftSettings:
    stages = {
        "sft1": StageData(files=None, mix_by="lang", shares={"zh": 1, "en": 1}, total=None, upsample=False),
        "sft2": StageData(files=None, mix_by="cell", shares=stage2_shares({"general": 4, "finance": 1}, CATEGORIES),
                          total=None, upsample=False),
    }
    return SftSettings(stages=stages, generated=GeneratedSettings(), max_length=None, overflow=overflow, system=system,
                       seed=1)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("instructions")
    write_instruction_files(root, InstructionSettings(per_cell=5, seed=0))
    return root


def _build(generated, tokenizer_dir, tmp_path, stage, settings):
    return build_stage_rows(generated_files(generated), stage, settings, tokenizer_dir=str(tokenizer_dir),
                            seq_length=SEQ, out_dir=str(tmp_path / "rows"), ledger_path=str(tmp_path / "ledger.jsonl"),
                            stats_path=str(tmp_path / "stats.json"))


def test_stage2_mix_is_four_to_one_and_every_record_is_accounted_for(generated, tokenizer_dir, tmp_path):
    stats = _build(generated, tokenizer_dir, tmp_path, "sft2", _settings())
    ledger = [json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines()]
    reasons = sorted(e["reason"] for e in ledger if e["step"] == "ingest")
    assert reasons == sorted(reason for _, reason in BAD_RECORDS)
    assert stats["ingest"]["records"] == stats["ingest"]["kept"] + len(reasons)
    domains = stats["mix"]["realised_by_domain"]
    assert domains["general"] == pytest.approx(0.8, abs=0.01) and domains["finance"] == pytest.approx(0.2, abs=0.01)
    rows = SftRows(tmp_path / "rows", SEQ, seed=1)
    assert len(rows) == stats["packing"]["rows"] and stats["packing"]["padding_saved"] > 0
    learned = sum(int((rows[i]["labels"] != IGNORE_INDEX).sum()) for i in range(len(rows)))
    assert learned == stats["packing"]["learned_positions"] > 0
    assert json.loads((tmp_path / "stats.json").read_text()) == stats
    from xuanyuan.sft.stage_data import summary_line  # the sft_data job's log line: what was read and ledgered

    assert f"3 files read (none unreadable), {stats['ingest']['records']} records" in summary_line(stats)
    assert f"{stats['ingest']['kept']} kept, {len(reasons)} ledgered (" in summary_line(stats)


def test_same_inputs_give_byte_identical_rows(generated, tokenizer_dir, tmp_path):
    _build(generated, tokenizer_dir, tmp_path / "a", "sft1", _settings())
    _build(generated, tokenizer_dir, tmp_path / "b", "sft1", _settings())
    for name in ("input_ids.npy", "labels.npy", "position_ids.npy", "rows.json"):
        assert (tmp_path / "a" / "rows" / name).read_bytes() == (tmp_path / "b" / "rows" / name).read_bytes()


def test_overlong_conversations_are_ledgered_not_lost(generated, tokenizer_dir, tmp_path):
    settings = _settings(overflow="drop")
    settings = SftSettings(**{**settings.__dict__, "max_length": 300})
    stats = _build(generated, tokenizer_dir, tmp_path, "sft1", settings)
    dropped = [json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines()
               if json.loads(line)["step"] == "tokenize"]
    assert stats["tokenize"]["dropped"] == len(dropped) > 0
    # Every ingested conversation is tokenized before the mix; only those that fit are mixed.
    assert stats["tokenize"]["kept"] + stats["tokenize"]["dropped"] == stats["ingest"]["kept"]
    assert sum(row["pool"] for row in stats["mix"]["rows"]) == stats["tokenize"]["kept"]
    assert sum(row["too_long"] for row in stats["mix"]["rows"]) == stats["tokenize"]["dropped"]


def test_a_configured_system_message_replaces_the_released_one(generated, tokenizer_dir, tmp_path):
    released = _build(generated, tokenizer_dir, tmp_path / "released", "sft1", _settings())
    bare = _build(generated, tokenizer_dir, tmp_path / "bare", "sft1", _settings(system=""))
    # The released message is ~100 characters per conversation; XuanYuan-6B's format has none.
    assert bare["tokenize"]["tokens"] < released["tokenize"]["tokens"]
    # Answers are the same; with the long message more conversations overflow and lose turns.
    assert bare["tokenize"]["truncated"] <= released["tokenize"]["truncated"]
    assert bare["tokenize"]["learned_tokens"] >= released["tokenize"]["learned_tokens"]
    assert np.load(tmp_path / "bare" / "rows" / "input_ids.npy").shape[1] == SEQ


def test_configured_files_take_the_labels_of_their_entry(tmp_path, tokenizer_dir):
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps({"question": f"问题{i}", "answer": f"回答{i}"}, ensure_ascii=False) + "\n"
                            for i in range(6)), encoding="utf-8")
    files = [InstructionFile(path, "house", domain="finance", category="concepts", lang="zh")]

    def build(settings):
        return build_stage_rows(files, "sft1", settings, tokenizer_dir=str(tokenizer_dir), seq_length=SEQ,
                                out_dir=str(tmp_path / "rows"), ledger_path=str(tmp_path / "l.jsonl"),
                                stats_path=str(tmp_path / "s.json"))

    # Stage 1's default shares ask for zh and en: Chinese-only data can't meet the English share.
    with pytest.raises(UserError, match="no data for en"):
        build(_settings())
    only_zh = _settings()
    only_zh.stages["sft1"] = StageData(files=tuple(files), mix_by="lang", shares={"zh": 1}, total=None, upsample=False)
    stats = build(only_zh)
    assert stats["ingest"]["kept"] == stats["tokenize"]["kept"] == 6


def _section(max_length, seq_length=256):
    train = {"steps": 1, "seq_length": seq_length}
    return {"stage1": {"files": None, "mix_by": "lang", "shares": {"zh": 1, "en": 1}, "total": None, "upsample": False,
                       "train": train},
            "stage2": {"files": None, "domains": {"general": 4, "finance": 1}, "categories": CATEGORIES, "total": None,
                       "upsample": False, "train": train},
            "generated": {"per_cell": {"open": 1, "inhouse": 1}, "multi_turn_share": 0.3, "seed": 0},
            "max_length": max_length, "overflow": "truncate", "system": None, "seed": 1}


def test_max_length_longer_than_a_row_is_refused_naming_the_keys(tmp_path):
    from xuanyuan.sft.settings import sft_settings

    assert sft_settings(_section(257)).max_length == 257  # seq_length + 1: one full row
    with pytest.raises(UserError, match=r"sft.max_length: 437 .* sft.stage1.train.seq_length=256 .* at most 257"):
        sft_settings(_section(437))
    # Settings built by hand are checked when the stage starts, before any file is read.
    settings = dataclasses.replace(_settings(), max_length=SEQ + 2)
    with pytest.raises(UserError, match=rf"sft.stage2.train.seq_length={SEQ}"):
        build_stage_rows([], "sft2", settings, tokenizer_dir="unused", seq_length=SEQ, out_dir=str(tmp_path),
                         ledger_path=str(tmp_path / "l.jsonl"), stats_path=str(tmp_path / "s.json"))


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _long_finance(tmp_path):
    """General conversations that all fit; finance ones of which half have a first turn too long for one row."""
    general = [{"id": f"g{i}", "question": f"问题{i}", "answer": f"回答{i}", "domain": "general", "category": "x"}
               for i in range(40)]
    finance = [{"id": f"f{i}", "question": ("市盈率" * 300 if i % 2 else f"市盈率{i}"), "answer": f"回答{i}",
                "domain": "finance", "category": "y"} for i in range(20)]
    return [InstructionFile(_write_jsonl(tmp_path / "general.jsonl", general), "general"),
            InstructionFile(_write_jsonl(tmp_path / "finance.jsonl", finance), "finance")]


def _four_to_one(total=None) -> SftSettings:
    stage = StageData(files=None, mix_by="cell", shares=stage2_shares({"general": 4, "finance": 1},
                                                                      {"general": {"x": 1}, "finance": {"y": 1}}),
                      total=total, upsample=False)
    return SftSettings(stages={"sft2": stage}, generated=GeneratedSettings(), max_length=None, overflow="truncate",
                       system=None, seed=1)


def _build_files(files, settings, tokenizer_dir, out):
    return build_stage_rows(files, "sft2", settings, tokenizer_dir=str(tokenizer_dir), seq_length=SEQ,
                            out_dir=str(out / "rows"), ledger_path=str(out / "ledger.jsonl"),
                            stats_path=str(out / "stats.json"))


def test_shares_are_met_on_conversations_that_fit_and_reported_as_trained(tmp_path, tokenizer_dir):
    from xuanyuan.sft.report import _data_section

    stats = _build_files(_long_finance(tmp_path), _four_to_one(), tokenizer_dir, tmp_path)
    members = [m for row in json.loads((tmp_path / "rows" / "rows.json").read_text())["members"] for m in row]
    finance = sum(m.startswith("f") for m in members) / len(members)
    # The long finance conversations are dropped before the mix, so the 4:1 is met on what is trained...
    assert finance == pytest.approx(0.2, abs=0.01) and len(members) == 50
    # ...and the stats report the shares of the packed rows, not of the draw.
    assert stats["mix"]["realised_by_domain"] == {"finance": pytest.approx(finance), "general": pytest.approx(1 - finance)}
    assert stats["mix"]["shares"]["target"] == {"finance": 0.2, "general": 0.8} and stats["mix"]["shares"]["off_target"] == {}
    assert {r["cell"]: r["too_long"] for r in stats["mix"]["rows"]} == {"finance/y": 10, "general/x": 0}
    section = "\n".join(_data_section(stats))
    assert "Trained per domain (share of the conversations in the packed rows): finance 20.00% (target 20.00%)" in section
    assert "dropped as too long 10" in section and "Off target" not in section
    from xuanyuan.sft.stage_data import summary_line  # the sft_data job's log line

    assert "10 too long for max_length 513" in summary_line(stats)
    again = _build_files(_long_finance(tmp_path), _four_to_one(), tokenizer_dir, tmp_path / "again")
    assert again == stats
    assert (tmp_path / "again" / "rows" / "rows.json").read_bytes() == (tmp_path / "rows" / "rows.json").read_bytes()


def test_shares_the_data_cannot_meet_are_warned_about_and_recorded(tmp_path, tokenizer_dir, caplog):
    from xuanyuan.sft.report import _data_section

    # Three conversations can't be split 4:1: the largest remainder gives general 2, finance 1.
    with caplog.at_level("WARNING", logger="xuanyuan.sft.stage_data"):
        stats = _build_files(_long_finance(tmp_path), _four_to_one(total=3), tokenizer_dir, tmp_path)
    off = stats["mix"]["shares"]["off_target"]
    assert off == {"finance": {"target": 0.2, "trained": pytest.approx(1 / 3, abs=1e-6)},
                   "general": {"target": 0.8, "trained": pytest.approx(2 / 3, abs=1e-6)}}
    assert "off target" in caplog.text and "finance 0.333 (target 0.200)" in caplog.text
    assert "**Off target**" in "\n".join(_data_section(stats))


def test_no_usable_conversation_names_each_file_and_why(tmp_path, tokenizer_dir):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q"}\n{oops\n', encoding="utf-8")
    files = [InstructionFile(empty, "empty", domain="general", category="x"),
             InstructionFile(bad, "bad", domain="finance", category="y")]
    with pytest.raises(UserError, match="no usable conversation") as info:
        _build_files(files, _four_to_one(), tokenizer_dir, tmp_path)
    message = str(info.value)
    assert "empty.jsonl: 0 records (no record" in message
    assert "bad.jsonl: 2 records, ledgered 2 (invalid_json 1, missing_field 1" in message
    assert "sft.stage2.files" in message and "share must be positive" not in message


def test_a_stage_whose_conversations_are_all_too_long_says_so(tmp_path, tokenizer_dir):
    path = _write_jsonl(tmp_path / "long.jsonl", [{"question": "市盈率" * 300, "answer": "a", "domain": "general",
                                                  "category": "x"}])
    with pytest.raises(UserError, match=r"all 1 conversations are longer than max_length=513 .*first_turn_too_long 1"):
        _build_files([InstructionFile(path, "long")], _four_to_one(), tokenizer_dir, tmp_path)
