"""Config checks: every problem named with its key, its file and what is allowed."""

import copy
import json

import yaml
from snakemake.utils import validate

from tests.conftest import REPO
from xuanyuan.config import (
    check_semantics,
    explain_schema_errors,
    merged_profile,
    overlay_schema_defaults,
)

SCHEMA = REPO / "config" / "schema.yaml"
DEFAULT = REPO / "config" / "config.yaml"


def _load(path):
    return yaml.safe_load(path.read_text())


def _validated(config):
    config = copy.deepcopy(config)
    validate(config, str(SCHEMA))
    overlay_schema_defaults(config, SCHEMA)
    return config


def test_both_shipped_configs_are_valid():
    for name in ["config.yaml", "xuanyuan-70b.yaml"]:
        path = REPO / "config" / name
        config = _validated(_load(path))
        assert not check_semantics(config, [str(path)])
        assert config["extract"]["html"]["extractor"] == "hybrid"  # defaults come from the schema


def test_every_schema_problem_is_listed_with_key_file_and_allowed_values(tmp_path):
    bad = _load(DEFAULT)
    bad["sauces"] = {}
    bad["extract"] = {"max_chars": "many", "html": {"extractor": "readability"}}
    bad["sources"]["zh_news"]["lang"] = "fr"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True))
    problems = explain_schema_errors(bad, SCHEMA, [str(DEFAULT), str(path)])
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert f"{path}: unknown key 'sauces'; allowed keys here: clean, corpus, dedup, evaluate, extract" in text
    assert "'extract.max_chars' is 'many'; it must be an integer" in text
    assert "'extract.html.extractor' is 'readability'; it must be one of 'hybrid', 'resiliparse'" in text
    assert "'sources.zh_news.lang' is 'fr'; it must be one of 'zh', 'en'" in text


def test_a_key_set_only_on_the_command_line_is_blamed_on_it():
    config = _load(DEFAULT)
    config["seed"] = "abc"
    problems = explain_schema_errors(config, SCHEMA, [str(DEFAULT)])
    assert problems == ["the command line (--config): 'seed' is 'abc'; it must be an integer"]


def test_profiles_and_rules_are_checked_against_the_registry():
    config = _load(DEFAULT)
    config["sources"]["zh_news"]["profile"] = "zh_webb"
    config["clean"] = {"profiles": {"zh_web": {"min_chars": {"minimum": 5}, "no_such_rule": True}}}
    problems = "\n".join(check_semantics(_validated(config), [str(DEFAULT)]))
    assert "sources.zh_news.profile is 'zh_webb', which is not in clean.profiles" in problems
    assert "min_chars" in problems and "minimum" in problems
    assert "no_such_rule" in problems


def test_stage_settings_that_cannot_run_are_reported_before_any_job(tmp_path):
    """Window overlap and SFT conversation length: checks the jobs make, made at config time too."""
    config = _load(DEFAULT)
    config.setdefault("quality", {})["windows"] = {"overlap": 5000}
    config["quality"]["passages"] = {"tokens": 16, "stride": 32}
    config.setdefault("sft", {})["max_length"] = 100000
    override = tmp_path / "override.yaml"
    override.write_text(yaml.safe_dump({"quality": {"windows": {"overlap": 5000}, "passages": {"tokens": 16, "stride": 32}},
                                        "sft": {"max_length": 100000}}))
    problems = check_semantics(_validated(config), [str(DEFAULT), str(override)])
    text = "\n".join(problems)
    assert f"{override}: quality.windows.overlap is 5000" in text and "quality.fasttext.max_chars (4000)" in text
    assert f"{override}: quality.passages.stride is 32 and quality.passages.tokens 16" in text
    assert f"{override}: sft.max_length: 100000" in text and "set sft.max_length to at most" in text


def test_a_profile_override_changes_one_threshold_and_keeps_the_rest():
    config = _load(DEFAULT)
    config["clean"] = {"profiles": {"zh_report": {"min_chars": {"min": 500}}}}
    config = _validated(config)
    report = merged_profile(config, "zh_finance_report")
    assert report["min_chars"] == {"min": 500}
    assert report["fineweb_line_punct"] is False  # the default profile's other settings survive
    assert "zh_web" in config["clean"]["profiles"]  # and the other default profiles too


def test_library_extract_defaults_equal_the_schema_defaults():
    from xuanyuan.extract.run import DEFAULT_EXTRACT_CFG

    # the schema's defaults: the default config's own extract overrides left out
    config = _validated({**_load(DEFAULT), "extract": {}})
    assert config["extract"] == DEFAULT_EXTRACT_CFG


def test_the_check_config_command(tmp_path, capsys):
    from xuanyuan.__main__ import main

    assert main(["check-config", str(DEFAULT)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: {a: {format: html, paths: x, lang: fr, domain: general, kind: web}}\n")
    assert main(["check-config", str(bad)]) == 1
    assert f"{bad}: 'sources.a.lang' is 'fr'; it must be one of 'zh', 'en'" in capsys.readouterr().err


def test_a_dedup_threshold_of_1_is_refused_by_the_schema(tmp_path):
    # LSH needs a threshold strictly below 1 (xuanyuan.dedup.lsh_params); 1 used to pass and end in a traceback.
    from xuanyuan.dedup import lsh_params

    config = _load(DEFAULT)
    config["dedup"] = {"threshold": 1}
    path = tmp_path / "dedup.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    problems = explain_schema_errors(config, SCHEMA, [str(DEFAULT), str(path)])
    assert len(problems) == 1 and problems[0].startswith(f"{path}: 'dedup.threshold'"), problems
    config["dedup"] = {"threshold": 0.99}
    assert not explain_schema_errors(config, SCHEMA, [str(DEFAULT)])
    assert lsh_params(0.99, 16).bands >= 1


def _problems_of(tmp_path, override, name="override.yaml"):
    """What check-config reports for the default config plus `override` (schema first, then semantics)."""
    from snakemake.utils import update_config

    path = tmp_path / name
    path.write_text(yaml.safe_dump(override, allow_unicode=True))
    config = _load(DEFAULT)
    update_config(config, copy.deepcopy(override))
    files = [str(DEFAULT), str(path)]
    problems = explain_schema_errors(config, SCHEMA, files)
    if not problems:
        problems = check_semantics(_validated(config), files)
    return path, problems


def test_a_partial_training_stage_keeps_the_schema_defaults_of_that_stage(tmp_path):
    """`sft: {stage2: {train: {lr: ...}}}` used to drop seq_length (a KeyError in rule sft_data) and,
    given seq_length, to fall back to the dataclass defaults (warmup_steps 5, not the schema's 3)."""
    from xuanyuan.train.job import sft_job, stage_job
    from xuanyuan.train.settings import train_settings

    schema = _load(SCHEMA)["properties"]
    override = {"sft": {"stage2": {"train": {"lr": 1.0e-4}}}, "pretrain": {"stage2": {"steps": 7}}}
    path, problems = _problems_of(tmp_path, override)
    assert problems == []
    config = _load(DEFAULT)
    config.update(copy.deepcopy(override))
    config = _validated(config)
    sft2 = config["sft"]["stage2"]["train"]
    assert sft2 == {**schema["sft"]["properties"]["stage2"]["properties"]["train"]["default"], "lr": 1.0e-4}
    assert sft2["seq_length"] == 512 and sft2["warmup_steps"] == 3  # what rule sft_data and the job read
    stage2 = config["pretrain"]["stage2"]
    assert stage2 == {**schema["pretrain"]["properties"]["stage2"]["default"], "steps": 7}
    # the settings a training job builds from these dicts
    paths = dict(out_dir="o", checkpoint_dir="c", metrics_path="m", tokenizer_dir="t")
    job = sft_job(config, "sft2", rows_dir="r", init_model="i", **paths)
    assert train_settings(job.train).sft2.warmup_steps == 3 and train_settings(job.train).sft2.lr == 1.0e-4
    job = stage_job(config, "stage2", data=[], init_model="i", **paths)
    assert train_settings(job.train).stage2.steps == 7 and train_settings(job.train).stage2.lr == 1.0e-3


def test_a_perplexity_goal_is_merged_over_the_default_goals(tmp_path):
    _, problems = _problems_of(tmp_path, {"quantize": {"perplexity_goals": {"int8": 0.02}}})
    assert problems == []
    config = _load(DEFAULT)
    config["quantize"] = {"perplexity_goals": {"int8": 0.02}}
    assert _validated(config)["quantize"]["perplexity_goals"] == {"int8": 0.02, "gptq4": 0.05, "nf4": 0.05}
    path, problems = _problems_of(tmp_path, {"quantize": {"perplexity_goals": {"int4": 0.1}}})
    assert problems == [f"{path}: 'quantize.perplexity_goals' has the key 'int4'; keys here must be one of "
                        "'int8', 'gptq4', 'nf4'"]


def test_model_variants_are_checked_before_the_dag(tmp_path):
    path, problems = _problems_of(tmp_path, {"quantize": {"source": "sft3"}, "evaluate": {"variants": ["sft2", "int4"]},
                                             "generate": {"variants": ["stage2", "sft3"]}})
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert (f"{path}: quantize.source is 'sft3', which is not a trained model variant; "
            "use one of base, stage1, stage2, sft1, sft2") in text
    assert f"{path}: evaluate.variants names 'int4', which is not a model variant of this run" in text
    assert f"{path}: generate.variants names 'sft3'" in text and "bf16, int8, gptq4, nf4" in text
    # a quantized variant the run does not make is unknown too
    _, problems = _problems_of(tmp_path, {"quantize": {"variants": ["bf16", "int8"]}, "evaluate": {"variants": ["nf4"]}})
    assert len(problems) == 1 and "evaluate.variants names 'nf4'" in problems[0]


def test_a_missing_keyword_file_is_named_with_its_key(tmp_path, capsys):
    from xuanyuan.__main__ import main

    path, problems = _problems_of(tmp_path, {"quality": {"keywords": "config/lexicons/nope.yaml"}})
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: quality.keywords is 'config/lexicons/nope.yaml', which cannot be read")
    assert "nope.yaml" in problems[0] and "config/lexicons/harmful_keywords.yaml is the default" in problems[0]
    assert main(["check-config", str(DEFAULT), str(path)]) == 1
    err = capsys.readouterr().err
    assert "quality.keywords is 'config/lexicons/nope.yaml'" in err and "Traceback" not in err
    # a file without a list for a configured category
    lexicon = tmp_path / "keywords.yaml"
    lexicon.write_text("gambling: {zh: [赌博], en: [casino]}\n")
    _, problems = _problems_of(tmp_path, {"quality": {"keywords": str(lexicon)}})
    assert len(problems) == 1 and problems[0].count("quality.keywords") == 1 and "no keyword list for violence" in problems[0]


def test_keys_nothing_reads_are_refused_with_where_to_set_them(tmp_path):
    path, problems = _problems_of(tmp_path, {"run_name": "trial", "tokenize": {"seq_length": 8192, "seed": 7}})
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert f"{path}: unknown key 'run_name'" in text
    assert f"{path}: unknown key 'tokenize.seq_length'" in text and "pretrain.<stage>.seq_length" in text
    assert f"{path}: unknown key 'tokenize.seed'" in text and "pretrain.seed" in text
    for name in ["config.yaml", "xuanyuan-70b.yaml"]:
        shipped = _load(REPO / "config" / name)
        assert "run_name" not in shipped and not {"seq_length", "seed"} & set(shipped.get("tokenize") or {})


def test_evaluate_subjects_and_splits_name_benchmarks_the_run_evaluates(tmp_path):
    from xuanyuan.evaluate.settings import benchmark_specs, eval_settings

    path, problems = _problems_of(tmp_path, {"evaluate": {"subjects": {"cevl": ["x"]}, "splits": {"cevl": "val"}}})
    text = "\n".join(problems)
    assert len(problems) == 2, text
    assert (f"{path}: evaluate.subjects has the key 'cevl', which is not a benchmark this run evaluates; "
            "use one of ceval, cmmlu, mmlu") in text
    assert f"{path}: evaluate.splits has the key 'cevl'" in text
    # a benchmark left out of `benchmarks` keeps the default split silently, but not a subject list
    _, problems = _problems_of(tmp_path, {"evaluate": {"benchmarks": ["ceval"]}})
    assert problems == []
    _, problems = _problems_of(tmp_path, {"evaluate": {"benchmarks": ["ceval"], "subjects": {"mmlu": ["anatomy"]}}})
    assert len(problems) == 1 and "use one of ceval (evaluate.benchmarks" in problems[0]
    # an extra benchmark's subjects and split may be set beside the others, and are used
    extra = {"fin": {"layout": "ceval", "path": "/data/fin"}}
    override = {"evaluate": {"extra": extra, "subjects": {"fin": ["bank"]}, "splits": {"fin": "test"}}}
    _, problems = _problems_of(tmp_path, override)
    assert problems == []
    spec = benchmark_specs(eval_settings({**override["evaluate"], "data_mode": "hub"}))[-1]
    assert (spec.name, spec.split, spec.subjects) == ("fin", "test", ("bank",))
    clash = {"evaluate": {"extra": {"fin": {**extra["fin"], "split": "val"}}, "splits": {"fin": "test"}}}
    _, problems = _problems_of(tmp_path, clash)
    assert len(problems) == 1 and "evaluate.splits.fin and evaluate.extra.fin.split disagree" in problems[0]


def test_errors_inside_lists_are_blamed_on_the_file_that_sets_them(tmp_path):
    both = {"mix": {"phases": [{"name": "p1", "tokens": 1000, "chars": 5000}]}}
    path, problems = _problems_of(tmp_path, both)
    assert problems == [f"{path}: 'mix.phases[0]' gives tokens and chars; give exactly one of tokens or chars"]
    neither = {"mix": {"phases": [{"name": "p1", "tokens": 1000}, {"name": "p2"}]}}
    path, problems = _problems_of(tmp_path, neither)
    assert problems == [f"{path}: 'mix.phases[1]' gives neither tokens nor chars; give exactly one of tokens or chars"]
    csv = {"quality": {"training": {"files": [{"path": "/data/a.jsonl", "format": "csv"}]}}}
    path, problems = _problems_of(tmp_path, csv)
    assert problems == [f"{path}: 'quality.training.files[0].format' is 'csv'; it must be one of 'jsonl', 'cold_csv'"]


def test_mix_phases_need_unique_names_and_one_unit(tmp_path):
    path, problems = _problems_of(tmp_path, {"mix": {"phases": [{"name": "p1", "tokens": 1000}, {"name": "p1", "tokens": 9}]}})
    assert problems == [f"{path}: mix.phases: the name 'p1' is used twice; phase names must be unique"]
    path, problems = _problems_of(tmp_path, {"mix": {"phases": [{"name": "p1", "tokens": 1000}, {"name": "p2", "chars": 9}]}})
    assert len(problems) == 1 and problems[0].startswith(f"{path}: mix.phases mix units: p1 gives tokens but p2 gives chars")


def test_stage_lengths_must_fit_the_positions_known_before_training(tmp_path):
    path, problems = _problems_of(tmp_path, {"pretrain": {"stage2": {"seq_length": 4096}}})
    assert problems == [f"{path}: pretrain.stage2.seq_length is 4096, longer than the 2048 positions of the stand-in "
                        "(model.standin.max_position_embeddings); raise model.standin.max_position_embeddings to 4096, "
                        "or shorten the stage's seq_length"]
    # fewer positions than a default seq_length: blamed on the key the user changed
    path, problems = _problems_of(tmp_path, {"model": {"standin": {"max_position_embeddings": 300}}})
    assert len(problems) == 2 and all(p.startswith(f"{path}: sft.stage") for p in problems), problems
    # a given base: its positions are unknown until the job reads its config.json, unless model.context sets them
    _, problems = _problems_of(tmp_path, {"model": {"path": "/models/llama"}, "pretrain": {"stage2": {"seq_length": 8192}}})
    assert problems == []
    path, problems = _problems_of(tmp_path, {"model": {"path": "/models/llama", "context": {"max_position_embeddings": 4096}},
                                             "pretrain": {"stage2": {"seq_length": 8192}}})
    assert len(problems) == 1 and problems[0].startswith(f"{path}: pretrain.stage2.seq_length is 8192, longer than the "
                                                         "4096 positions of model.context.max_position_embeddings")


def test_standin_heads_must_divide_its_width(tmp_path):
    path, problems = _problems_of(tmp_path, {"model": {"standin": {"hidden_size": 130, "num_heads": 4}}})
    assert problems == [f"{path}: model.standin.hidden_size (130) is not divisible by model.standin.num_heads (4); "
                        "each head gets hidden_size / num_heads dimensions"]
    path, problems = _problems_of(tmp_path, {"model": {"standin": {"num_heads": 4, "num_kv_heads": 3}}})
    assert len(problems) == 1 and problems[0].startswith(f"{path}: model.standin.num_heads (4) is not divisible by "
                                                         "model.standin.num_kv_heads (3)")
    # the stand-in's sizes do not matter when a base model is given
    _, problems = _problems_of(tmp_path, {"model": {"path": "/models/llama", "standin": {"num_kv_heads": 3}}})
    assert problems == []


def test_numbers_and_booleans_written_as_text_are_read_as_the_schema_asks(tmp_path):
    from xuanyuan.config import coerce_scalar_text

    schema = _load(SCHEMA)
    # PyYAML (YAML 1.1) reads 1e-4 without a dot as text; --config nested values are all text.
    config = yaml.safe_load("pretrain: {stage2: {lr: 1e-4, steps: '12'}, deterministic: 'false'}\n"
                            "sources: {web: {paths: '123', shards: '3'}}\nmix: {phases: [{name: a, tokens: '1000'}]}")
    assert config["pretrain"]["stage2"]["lr"] == "1e-4"
    coerce_scalar_text(config, schema)
    assert config["pretrain"]["stage2"] == {"lr": 1e-4, "steps": 12}
    assert config["pretrain"]["deterministic"] is False
    assert config["sources"]["web"] == {"paths": "123", "shards": 3}  # through $defs/source; a string stays text
    assert config["mix"]["phases"][0]["tokens"] == 1000  # list items
    # Text that is no plain literal is left for validation to report, with the file and key.
    path, problems = _problems_of(tmp_path, {"pretrain": {"stage2": {"lr": "fast"}}})
    assert problems == [f"{path}: 'pretrain.stage2.lr' is 'fast'; it must be a number"]


def test_check_config_accepts_a_learning_rate_written_1e_4(tmp_path, capsys):
    from xuanyuan.__main__ import main

    path = tmp_path / "lr.yaml"
    path.write_text("pretrain:\n  stage2:\n    lr: 1e-4\n")
    assert main(["check-config", str(DEFAULT), str(path)]) == 0, capsys.readouterr().err


def test_an_extra_benchmark_named_like_a_main_one_is_refused_before_any_job(tmp_path):
    """`evaluate.extra: {ceval: ...}` used to pass check-config and the dry run, and fail in eval_suite."""
    extra = {"ceval": {"layout": "ceval", "path": "/data/fin", "split": "test"}}
    path, problems = _problems_of(tmp_path, {"evaluate": {"extra": extra}})
    assert problems == [f"{path}: evaluate.extra has the key 'ceval', which is the name of a main benchmark "
                        "(ceval, cmmlu, mmlu); rename it (e.g. 'ceval_extra'), or to use this folder for ceval "
                        "itself set evaluate.data_dirs.ceval"]
    _, problems = _problems_of(tmp_path, {"evaluate": {"extra": {"ceval_fin": extra["ceval"]}}})
    assert problems == []


def test_repeated_shots_are_refused_by_the_schema(tmp_path):
    """`shots: [0, 0]` used to score every variant twice at 0-shot."""
    path, problems = _problems_of(tmp_path, {"evaluate": {"shots": [0, 0]}})
    assert len(problems) == 1 and problems[0].startswith(f"{path}: 'evaluate.shots'"), problems
    assert "non-unique" in problems[0]
    _, problems = _problems_of(tmp_path, {"evaluate": {"shots": [0, 5]}})
    assert problems == []


def test_bf16_without_zero_is_refused_before_any_job(tmp_path):
    # DeepSpeed refuses bf16 weights with fp32 gradient accumulation outside ZeRO ("unsupported mix",
    # seen on an H200); check-config says so, naming the file that set it.
    path, problems = _problems_of(tmp_path, {"pretrain": {"precision": "bf16", "zero_stage": 0}})
    assert len(problems) == 1 and problems[0].startswith(f"{path}: pretrain.precision bf16 needs"), problems
    assert not _problems_of(tmp_path, {"pretrain": {"precision": "bf16", "zero_stage": 1}})[1]
    # bf16_autocast keeps fp32 weights: no ZeRO needed.
    assert not _problems_of(tmp_path, {"pretrain": {"precision": "bf16_autocast", "zero_stage": 0}})[1]
    path, problems = _problems_of(tmp_path, {"pretrain": {"precision": "fp16"}})
    assert len(problems) == 1 and "fp16" in problems[0] and "bf16_autocast" in problems[0], problems


def test_deepspeed_overrides_of_derived_keys_are_refused_before_any_job(tmp_path):
    path, problems = _problems_of(tmp_path, {"pretrain": {"deepspeed": {"gradient_clipping": 0.5}}})
    assert problems == [f"{path}: pretrain.deepspeed.gradient_clipping is set by the pipeline from "
                        "pretrain.grad_clip; set that instead"], problems
    assert not _problems_of(tmp_path, {"pretrain": {"deepspeed": {"zero_optimization": {"reduce_bucket_size": 1}}}})[1]


def test_validation_off_the_log_steps_is_refused_before_any_job(tmp_path):
    path, problems = _problems_of(tmp_path, {"pretrain": {"validation": {"every": 15}, "log_every": 10}})
    assert len(problems) == 1 and "pretrain.validation.every (15) must be a multiple of pretrain.log_every (10)" \
        in problems[0], problems
    assert not _problems_of(tmp_path, {"pretrain": {"validation": {"every": 20}, "log_every": 10}})[1]


def test_a_bad_restart_is_reported_at_its_key_before_any_job():
    config = _load(DEFAULT)
    config.setdefault("pretrain", {}).setdefault("stage2", {})["restarts"] = [{"from_step": 5}, {"from_step": 3}]
    problems = "\n".join(check_semantics(_validated(config), [str(DEFAULT)]))
    assert "pretrain.stage2.restarts[1]" in problems and "list them in order" in problems, problems


def test_a_base_model_of_another_architecture_is_refused_before_any_job(tmp_path):
    """LlamaConfig would read a GPT-2 config.json as Llama-7B's sizes and train it from random weights."""
    base = tmp_path / "gpt2"
    base.mkdir()
    (base / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    _, problems = _problems_of(tmp_path, {"model": {"path": str(base)}})
    assert any("model.path" in p and "model_type 'gpt2'" in p and "Llama-2 checkpoint" in p for p in problems), problems
    (base / "config.json").write_text(json.dumps({"model_type": "llama"}))
    assert not any("model_type" in p for p in _problems_of(tmp_path, {"model": {"path": str(base)}})[1])
    # Not mounted here (a login node): left to the job, which checks again.
    assert not any("model.path" in p for p in _problems_of(tmp_path, {"model": {"path": str(tmp_path / "absent")}})[1])


def test_a_base_tokenizer_of_another_size_than_the_base_model_is_refused_before_any_job(tmp_path):
    """The resize maps embedding row i to base piece i: checked at config time, before days of data stages."""
    import random

    from xuanyuan.tokenizer import train_standin

    rng = random.Random(0)
    words = "bank rate market price bond fund stock trade credit index growth policy".split()
    spm = train_standin([" ".join(rng.choice(words) for _ in range(40)) for _ in range(200)], tmp_path / "spm",
                        vocab_size=300, character_coverage=1.0, max_sentences=1000)
    base = tmp_path / "llama"
    base.mkdir()
    (base / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 32000}))
    override = {"model": {"path": str(base)}, "tokenizer": {"base_model": str(spm)}}
    _, problems = _problems_of(tmp_path, override)
    assert any("tokenizer.base_model" in p and "has 300 pieces and model.path's config.json vocab_size 32000" in p
               for p in problems), problems
    (base / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 300}))
    assert not any("pieces" in p for p in _problems_of(tmp_path, override)[1])
