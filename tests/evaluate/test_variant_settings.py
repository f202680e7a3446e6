"""evaluate.dtype and evaluate.device, a variant's records and memory agreeing, and the suite rule's CSV inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xuanyuan.errors import UserError
from xuanyuan.evaluate import eval_settings
from xuanyuan.evaluate.settings import benchmark_files

pytestmark = pytest.mark.xdist_group("evaluate_run")


def test_dtype_and_device_values_are_checked():
    assert eval_settings({"dtype": "bfloat16", "device": "auto"}).dtype == "bfloat16"
    with pytest.raises(UserError, match=r"evaluate.dtype: 'float64'; use one of auto, float32, bfloat16, float16"):
        eval_settings({"dtype": "float64"})
    with pytest.raises(UserError, match=r"evaluate.device: 'gpu' is not a device"):
        eval_settings({"device": "gpu"})


def test_explicit_cuda_without_a_gpu_stops_before_loading(tiny_model_dir, tmp_path, monkeypatch):
    import torch

    from xuanyuan.evaluate.variant import evaluate_variant

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UserError, match=r"evaluate.device: cuda, but torch .* sees no CUDA GPU"):
        evaluate_variant("sft2", str(tiny_model_dir), {"device": "cuda"}, [], str(tmp_path),
                         memory_path=str(tmp_path / "memory.json"))


def test_variant_in_the_configured_dtype_with_model_dir_and_one_memory(tiny_model_dir, generated_suites, tmp_path):
    from xuanyuan.evaluate.variant import evaluate_variant

    suite_dir = str(Path(generated_suites["mmlu"].include_path).parent)  # the folder of suite.json
    out = tmp_path / "records"
    memory = evaluate_variant("sft2", str(tiny_model_dir), {"dtype": "bfloat16", "limit": 1, "shots": [0, 1],
                                                             "device": "cpu"},
                              [suite_dir], str(out), memory_path=str(tmp_path / "memory.json"))
    assert memory["dtype"] == "torch.bfloat16" and memory["device"] == "cpu"
    assert json.loads((tmp_path / "memory.json").read_text()) == memory
    for shots in (0, 1):
        record = json.loads((out / f"mmlu.{shots}shot.json").read_text())
        assert record["model_dir"] == str(tiny_model_dir)
        # The record's memory is the variant's whole evaluation, the number memory.json and eval.md show.
        assert record["memory"]["peak_gb"] == memory["peak_gb"] and "peak_memory_gb" not in record
        assert record["memory"]["scope"].startswith("the variant's whole evaluation")


def _csv(path, text="id,question,A,B,C,D,answer\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_suite_inputs_are_the_csvs_of_configured_folders(tmp_path):
    ceval = tmp_path / "ceval"
    files = [_csv(ceval / "dev" / "a_dev.csv"), _csv(ceval / "val" / "a_val.csv"), _csv(ceval / "val" / "b_val.csv")]
    _csv(ceval / "test" / "a_test.csv")  # another split: not read, not an input
    (ceval / "val" / "notes.txt").write_text("x")
    fin = tmp_path / "fin"
    fin_files = [_csv(fin / "dev" / "x_dev.csv"), _csv(fin / "test" / "x_test.csv")]
    section = {"data_mode": "local", "data_dirs": {"ceval": str(ceval)},
               "splits": {"ceval": "val", "cmmlu": "test", "mmlu": "test"},
               "extra": {"fin": {"layout": "ceval", "path": str(fin), "split": "test"},
                         "gone": {"layout": "mmlu", "path": str(tmp_path / "missing")}}}
    assert sorted(benchmark_files(section, "ceval")) == sorted(files)
    assert sorted(benchmark_files(section, "fin")) == sorted(fin_files)
    assert benchmark_files(section, "cmmlu") == []       # generated: its manifest is the input
    assert benchmark_files(section, "gone") == []        # the job names the missing folder
    assert benchmark_files({**section, "data_mode": "hub"}, "ceval") == []
    assert sorted(benchmark_files({**section, "data_mode": "hub"}, "fin")) == sorted(fin_files)  # extras stay local
    # A new subject file becomes an input: the suite (and the evaluation) is rebuilt.
    new = _csv(ceval / "val" / "c_val.csv")
    assert new in benchmark_files(section, "ceval")
