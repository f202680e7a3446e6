"""Config checks: every problem named with its key, its file and what is allowed."""

import copy

import yaml
from snakemake.utils import validate

from tests.conftest import REPO
from xuanyuan.config import (
    check_semantics,
    explain_schema_errors,
    merged_profile,
    overlay_default_profiles,
)

SCHEMA = REPO / "config" / "schema.yaml"
DEFAULT = REPO / "config" / "config.yaml"


def _load(path):
    return yaml.safe_load(path.read_text())


def _validated(config):
    config = copy.deepcopy(config)
    validate(config, str(SCHEMA))
    overlay_default_profiles(config, SCHEMA)
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
