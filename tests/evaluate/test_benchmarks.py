"""The default run's generated benchmarks: deterministic, in the release layouts, answers right."""

from __future__ import annotations

import hashlib
from pathlib import Path

from xuanyuan.corpus.benchmarks import BenchmarkSettings, write_benchmarks
from xuanyuan.corpus import lexicon_zh as zh
from xuanyuan.evaluate import read_questions
from xuanyuan.evaluate.layouts import LAYOUTS


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    settings = BenchmarkSettings(questions_per_subject=10)
    write_benchmarks(tmp_path / "a", settings)
    write_benchmarks(tmp_path / "b", settings)
    write_benchmarks(tmp_path / "c", BenchmarkSettings(questions_per_subject=10, seed=1))
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_layouts_counts_and_answers(generated):
    letters = []
    for name, entry in generated.items():
        layout = LAYOUTS[entry["layout"]]
        folder = Path(entry["path"])
        assert layout.subjects_in(folder, entry["split"]) == sorted(entry["subjects"])
        for subject, n in entry["subjects"].items():
            scored = read_questions(folder / entry["split"] / layout.file_name(subject, entry["split"]), layout)
            dev = read_questions(folder / "dev" / layout.file_name(subject, "dev"), layout)
            assert len(scored) == n == 12 and len(dev) == 5
            assert not {q.question for q in dev} & {q.question for q in scored}  # no leak into few-shot
            for q in scored + dev:
                assert len(set(q.options)) == 4
                letters.append(q.answer)
                right = q.options["ABCD".index(q.answer)]
                if q.question.endswith("位于哪个省级行政区？"):
                    assert zh.CITY_PROVINCE[q.question[: -len("位于哪个省级行政区？")]] == right
                if q.question.startswith("What is ") and "*" in q.question:
                    a, _, b, _, c = q.question[len("What is "):-1].split()
                    assert int(right) == int(a) + int(b) * int(c)
    assert set(letters) == set("ABCD") and max(letters.count(x) for x in "ABCD") < 0.4 * len(letters)
    assert (Path(generated["mmlu"]["path"]) / "test").is_dir() and (Path(generated["ceval"]["path"]) / "val").is_dir()
