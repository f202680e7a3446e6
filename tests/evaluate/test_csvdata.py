"""Bad benchmark files and settings end in a UserError that names the file, the row and the fix."""

from __future__ import annotations

import pytest

from xuanyuan.errors import UserError
from xuanyuan.evaluate import BenchmarkFileError, BenchmarkSpec, build_local_suite, eval_settings, read_questions
from xuanyuan.evaluate.layouts import LAYOUTS
from xuanyuan.evaluate.run import _check_shots


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_quoted_newlines_crlf_and_number_options(tmp_path):
    path = write(tmp_path / "x_val.csv", 'id,question,A,B,C,D,answer\r\n0,"两行\r\n问题",None,0.50,NA,4,B\r\n')
    [q] = read_questions(path, LAYOUTS["ceval"])
    assert q.question == "两行\r\n问题" and q.options == ("None", "0.50", "NA", "4") and q.answer == "B"


def test_cmmlu_unnamed_index_column_and_bom(tmp_path):
    path = write(tmp_path / "s.csv", "\ufeff,Question,A,B,C,D,Answer\n0,问,甲,乙,丙,丁,D\n")
    assert read_questions(path, LAYOUTS["cmmlu"])[0].answer == "D"


def test_missing_column_names_file_and_columns(tmp_path):
    path = write(tmp_path / "s.csv", ",Question,A,B,C,Answer\n0,问,甲,乙,丙,D\n")
    with pytest.raises(BenchmarkFileError) as err:
        read_questions(path, LAYOUTS["cmmlu"])
    message = str(err.value)
    assert str(path) in message and "row 1" in message and "missing column(s) D" in message and "Fix:" in message


def test_wrong_answer_letter_names_row(tmp_path):
    path = write(tmp_path / "s_test.csv", "q1,a,b,c,d,A\nq2,a,b,c,d,E\n")
    with pytest.raises(BenchmarkFileError, match=r"s_test.csv, row 2: answer 'E' is not one of A, B, C, D\. Fix:"):
        read_questions(path, LAYOUTS["mmlu"])


def test_empty_answer_points_at_unscorable_test_split(tmp_path):
    path = write(tmp_path / "s_test.csv", "id,question,A,B,C,D,answer\n0,问,甲,乙,丙,丁,\n")
    with pytest.raises(BenchmarkFileError, match="evaluate val"):
        read_questions(path, LAYOUTS["ceval"])


def test_mmlu_row_with_too_many_cells(tmp_path):
    path = write(tmp_path / "s_test.csv", "q,a,b,c,d,A\nq, with comma,a,b,c,d,A\n")
    with pytest.raises(BenchmarkFileError, match="row 2: 7 cells where 6 are expected"):
        read_questions(path, LAYOUTS["mmlu"])


def test_not_utf8(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(",Question,A,B,C,D,Answer\n0,问,甲,乙,丙,丁,A\n".encode("gbk"))
    with pytest.raises(BenchmarkFileError, match="not UTF-8"):
        read_questions(path, LAYOUTS["cmmlu"])


def test_missing_split_folder_and_unknown_subject(tmp_path):
    write(tmp_path / "bench" / "dev" / "a_dev.csv", "id,question,A,B,C,D,answer\n0,q,a,b,c,d,A\n")
    with pytest.raises(UserError, match="val: no such folder"):
        build_local_suite(BenchmarkSpec("x", "ceval", str(tmp_path / "bench")), tmp_path / "work")
    write(tmp_path / "bench" / "val" / "a_val.csv", "id,question,A,B,C,D,answer\n0,q,a,b,c,d,A\n")
    with pytest.raises(UserError, match="no file for subject.*nope"):
        build_local_suite(BenchmarkSpec("x", "ceval", str(tmp_path / "bench"), subjects=("nope",)), tmp_path / "work")


def test_five_shot_needs_five_dev_examples(tmp_path):
    write(tmp_path / "bench" / "val" / "a_val.csv", "id,question,A,B,C,D,answer\n0,q,a,b,c,d,A\n")
    write(tmp_path / "bench" / "dev" / "a_dev.csv", "id,question,A,B,C,D,answer\n0,q,a,b,c,d,A\n")
    suite = build_local_suite(BenchmarkSpec("x", "ceval", str(tmp_path / "bench")), tmp_path / "work")
    _check_shots(suite, 1)
    with pytest.raises(UserError, match="5-shot needs 5 dev examples.*a: 1 in dev/"):
        _check_shots(suite, 5)


def test_settings_reject_unknown_keys_and_bad_values():
    assert eval_settings({}).shots == (0, 5)
    with pytest.raises(UserError, match="unknown key.*shot"):
        eval_settings({"shot": [5]})
    with pytest.raises(UserError, match="data_mode"):
        eval_settings({"data_mode": "web"})
    with pytest.raises(UserError, match="extra.fin: needs layout"):
        eval_settings({"extra": {"fin": {"path": "x"}}})
    with pytest.raises(UserError, match="unknown benchmark layout"):
        eval_settings({"extra": {"fin": {"path": "x", "layout": "gaokao"}}})
    with pytest.raises(UserError, match="other folders go under evaluate.extra"):
        eval_settings({"benchmarks": ["fineval"]})
