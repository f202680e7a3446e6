"""The real Snakemake workflow: dry runs of both configs, config errors, the default run end to end."""

import csv
import re
import textwrap
from pathlib import Path

import pytest

from tests.local_snakemake import local_env
from tests.workflow.conftest import REPO, checksums, run_default_pipeline, snakemake

DATA_TARGETS = [f"results/{name}" for name in (
    "data_funnel.md", "cleaning_eval.md", "extraction_eval.md", "dedup_eval.md", "quality.md", "mix.md", "tokenizer.md")]
from xuanyuan.shards import read_json


def _jobs_in_dry_run(output: str) -> dict[str, int]:
    """Parse Snakemake's job-stats table ("rule  count") from a dry run."""
    jobs = {}
    for line in output.splitlines():
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if match:
            jobs[match.group(1)] = int(match.group(2))
    return jobs


def default_config() -> dict:
    import yaml

    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def planned_jobs(run: Path, config: dict, tmp_path: Path) -> dict[str, int]:
    """Jobs a dry run plans in the finished `run` directory after switching to `config`."""
    import yaml

    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(config, allow_unicode=True))
    result = snakemake("-n", "--configfile", str(changed), "--directory", str(run), cwd=run)
    assert result.returncode == 0, result.stderr[-3000:]
    return _jobs_in_dry_run(result.stdout + result.stderr)


def test_nested_config_values_from_the_command_line_are_numbers_where_the_schema_says_so():
    # Snakemake reads a nested --config value with YAML's BaseLoader: every scalar arrives as text.
    result = snakemake("-n", "--config", "pretrain={stage2: {lr: 1e-4, steps: 50}, deterministic: true}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "must be a number" not in result.stderr


def test_dry_run_of_the_default_config():
    result = snakemake("-n", "--forceall")  # in the checkout, as a user types it (all jobs, even if run before)
    assert result.returncode == 0, result.stderr
    jobs = _jobs_in_dry_run(result.stdout + result.stderr)
    assert jobs.get("generate_corpus") == 1
    assert jobs.get("extract") == jobs.get("clean") == jobs.get("minhash_signatures") == 13
    assert jobs.get("dedup_apply") == 2 * 13  # stage 1 (within a source) and stage 2 (global)
    assert jobs.get("dedup_clusters") == 2
    assert jobs.get("quality_filter") == jobs.get("keyword_candidates") == 13
    assert jobs.get("mix_histogram") == jobs.get("mix_apply") == 13
    assert jobs.get("quality_classifier") == jobs.get("mix_plan") == 1
    assert jobs.get("pretrain_base_standin") == 1 and jobs.get("pretrain_stage") == 2
    assert jobs.get("sft_instructions") == jobs.get("sft_data") == jobs.get("sft_train") == 2
    assert jobs.get("quantize") == jobs.get("quantize_measure") == 4  # bf16, int8, gptq4, nf4 of SFT 2
    # base, stage 1, stage 2, SFT 1, SFT 2 and the four quantized variants
    assert jobs.get("perplexity") == jobs.get("evaluate") == 9
    assert jobs.get("eval_suite") == 3 and jobs.get("eval_benchmarks") == 1
    assert jobs.get("generate") == 2  # sample answers of stage 2 and SFT 2


@pytest.mark.parametrize(
    "override, expected",
    [
        ("extract: {max_chars: many}\n", "'extract.max_chars' is 'many'; it must be an integer"),
        ("sauces: {}\n", "unknown key 'sauces'; allowed keys here: clean, corpus, dedup"),
        ("clean: {profiles: {zh_web: {min_chars: {minimum: 5}}}}\n", "min_chars"),
        ("clean: {profiles: {zh_web: {no_such_rule: true}}}\n", "no_such_rule"),
    ],
)
def test_a_bad_config_stops_before_any_job_with_a_clear_message(tmp_path, override, expected):
    base = (REPO / "config" / "config.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(base + textwrap.dedent(override))
    result = snakemake("-n", "--configfile", str(bad), "--directory", str(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert expected in output, output[-2000:]
    assert str(bad) in output
    assert "no job was started" in output


@pytest.mark.slow
def test_default_pipeline_runs_end_to_end_and_adds_up(default_run):
    results = default_run / "results"
    for name in ["data_funnel.md", "data_funnel.csv", "data_funnel.png", "cleaning_eval.md", "cleaning_eval.csv",
                 "extraction_eval.md", "dedup_eval.md", "dedup_eval.csv", "quality.md", "quality.csv",
                 "mix.md", "mix.csv", "tokenizer.md", "tokenizer.csv", "pretrain.md", "pretrain.csv",
                 "pretrain_loss.png", "perplexity.md", "perplexity.csv", "sft.md", "sft.csv", "sft_loss.png", "quantize.md",
                 "quantize.csv", "eval.md", "eval.csv", "eval.png"]:
        assert (results / name).stat().st_size > 0, name
    # Per stage and source: input = kept + dropped, and clean starts where extract stopped.
    totals = {}
    for stats_path in sorted((default_run / "work").glob("*/*/*.stats.json")):
        stats = read_json(stats_path)
        key = (stats["stage"], stats["source"])
        acc = totals.setdefault(key, [0, 0, 0])
        acc[0] += stats["input"]; acc[1] += stats["kept"]; acc[2] += stats["dropped"]
    assert totals, "no stats files"
    for (stage, source), (inp, kept, dropped) in totals.items():
        assert inp == kept + dropped, (stage, source)
        previous = {"clean": "extract", "dedup_local": "clean", "dedup_global": "dedup_local", "quality": "dedup_global"}.get(stage)
        if previous:
            assert inp == totals[(previous, source)][1], (stage, source)
    raw_docs = sum(totals[key][0] for key in totals if key[0] == "extract")
    assert raw_docs >= 2000
    assert len({source for _, source in totals}) >= 6


@pytest.mark.slow
def test_every_planted_bad_file_ends_in_the_ledger(default_run):
    text = (default_run / "results" / "cleaning_eval.md").read_text()
    section = text.split("## Planted bad files", 1)[1]
    cases = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| case")]
    assert len(cases) >= 7
    assert all(line.rstrip().endswith("| yes |") for line in cases), section


@pytest.mark.slow
def test_cleaning_catches_the_plants_and_spares_clean_documents(default_run):
    rows = list(csv.DictReader(open(default_run / "results" / "cleaning_eval.csv")))
    summary = next(r for r in rows if r["section"] == "documents" and r["category"] == "all")
    assert float(summary["recall"]) >= 0.9, summary
    assert float(summary["precision"]) >= 0.9, summary
    lines = next(r for r in rows if r["section"] == "lines")
    assert float(lines["recall"]) >= 0.9, lines
    pii = [r for r in rows if r["section"] == "pii"]
    assert {r["category"] for r in pii} >= {"pii_id_card", "pii_mobile", "pii_bank_card", "pii_email"}
    for row in pii:
        assert float(row["recall"]) >= 0.95, row
    negatives = next(r for r in rows if r["section"] == "pii_negatives")
    assert float(negatives["precision"]) >= 0.95, negatives  # look-alikes left intact


@pytest.mark.slow
def test_dedup_finds_the_planted_duplicate_clusters(default_run):
    rows = list(csv.DictReader(open(default_run / "results" / "dedup_eval.csv")))
    summary = next(r for r in rows if r["kind"] == "all")
    assert float(summary["recall"]) >= 0.95, summary
    assert float(summary["precision"]) >= 0.98, summary


@pytest.mark.slow
def test_changing_the_dedup_threshold_reruns_dedup_but_not_cleaning(default_run, tmp_path):
    config = default_config()
    config["dedup"]["threshold"] = 0.8
    jobs = planned_jobs(default_run, config, tmp_path)
    assert jobs.get("dedup_clusters") == 2 and jobs.get("dedup_apply") == 26
    assert not {"extract", "clean", "minhash_signatures", "generate_corpus"} & set(jobs)


@pytest.mark.slow
def test_generated_pages_are_extracted_without_boilerplate_and_pdf_tables_cell_for_cell(default_run):
    text = (default_run / "results" / "extraction_eval.md").read_text()
    html_part, pdf_part = text.split("## PDF tables")

    def last_column(part, header):
        return [float(line.rsplit("|", 2)[-2]) for line in part.splitlines() if line.startswith("| ") and header not in line]

    html_rates, row_recalls = last_column(html_part, "pass rate"), last_column(pdf_part, "row recall")
    assert html_rates and min(html_rates) >= 0.9, text
    assert len(row_recalls) == 2 and min(row_recalls) >= 0.95, text  # the two PDF sources


@pytest.mark.slow
@pytest.mark.beside_pipeline
def test_same_config_and_seed_give_identical_bytes(request, tmp_path):
    # The data stages again, up to the tokenized training data and their reports; that training
    # gives the same losses under the same seed is tests/train's resume test (exact on CPU).
    # The second run goes first and asks for the default run only to compare, so it fills the
    # cores while the default run trains and evaluates (tests/conftest.py orders the suite).
    second = tmp_path / "second_run"
    run_default_pipeline(second, *DATA_TARGETS)
    default_run = request.getfixturevalue("default_run")
    first_sums, second_sums = checksums(default_run), checksums(second)
    assert second_sums and set(second_sums) <= set(first_sums)
    assert any(name.endswith(".stats.json") and "tokenized" in name for name in second_sums)
    differing = [name for name in second_sums if first_sums[name] != second_sums[name]]
    assert not differing, differing


@pytest.mark.slow
def test_changing_one_threshold_reruns_only_the_sources_that_use_it(default_run, tmp_path):
    config = default_config()
    config["clean"] = {"profiles": {"zh_web": {"min_chars": {"min": 80}}}}
    jobs = planned_jobs(default_run, config, tmp_path)
    zh_web_shards = sum(source["shards"] for source in config["sources"].values() if source["profile"] == "zh_web")
    assert jobs.get("clean") == zh_web_shards
    assert "extract" not in jobs and "generate_corpus" not in jobs


@pytest.mark.slow
def test_quality_filter_catches_planted_harmful_documents_and_spares_the_rest(default_run):
    rows = list(csv.DictReader(open(default_run / "results" / "quality.csv")))
    planted = [r for r in rows if r["section"] == "planted"]
    assert {r["category"] for r in planted} == {"violence", "porn", "discrimination", "reactionary", "gambling", "wrong_values"}
    reached = sum(int(r["support"]) for r in planted)
    caught = sum(int(r["tp"]) for r in planted)
    assert caught / reached >= 0.8, planted
    ordinary = next(r for r in rows if r["section"] == "ordinary")
    assert int(ordinary["fp"]) / int(ordinary["support"]) <= 0.005, ordinary
    # Buried between ordinary pages (xuanyuan.quality.buried), the passage reader still finds most plants.
    buried = [r for r in rows if r["section"] == "buried"]
    assert sum(int(r["support"]) for r in buried) == reached
    assert sum(int(r["tp"]) for r in buried) >= 0.6 * reached, buried
    # every drop is in the ledger with its category and score
    from xuanyuan.shards import read_records

    drops = [e for path in (default_run / "work" / "quality").glob("*/*.ledger.jsonl.zst") for e in read_records(path)]
    assert len(drops) >= caught
    assert all(e["rule"] in e["scores"] and e["value"] >= e["threshold"] for e in drops)


@pytest.mark.slow
def test_realised_mixing_shares_are_within_half_a_point_of_the_targets(default_run):
    import yaml

    rows = list(csv.DictReader(open(default_run / "results" / "mix.csv")))
    shares = {}
    for row in rows:
        if row["table"] == "share" and row["metric"] in ("target", "share"):
            shares.setdefault((row["phase"], row["attribute"], row["value"]), {})[row["metric"]] = float(row["amount"])
    config = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
    phases = config["properties"]["mix"]["properties"]["phases"]["default"]
    checked = 0
    for phase in phases:
        for attribute, targets in phase["shares"].items():
            for value, target in targets.items():
                got = shares[(phase["name"], attribute, value)]
                assert got["target"] == pytest.approx(target)
                assert abs(got["share"] - target) <= 0.005, (phase["name"], attribute, value, got)
                checked += 1
    assert checked >= 15
    # and the binary training data holds what the plan says: token budgets and token shares
    binary = {}
    for row in rows:
        if row["table"] == "share" and row["metric"] == "binary_token_share":
            binary[(row["phase"], row["attribute"], row["value"])] = float(row["amount"])
    for phase in phases:
        stats = read_json(default_run / "work" / "tokenized" / f"{phase['name']}.stats.json")
        assert abs(stats["tokens"] - phase["tokens"]) / phase["tokens"] < 0.01, stats["tokens"]
        for attribute in ("lang", "domain"):
            for value, target in phase["shares"][attribute].items():
                assert abs(binary[(phase["name"], attribute, value)] - target) <= 0.005


@pytest.mark.slow
def test_changing_a_quality_threshold_refilters_without_retraining(default_run, tmp_path):
    config = default_config()
    config["quality"] = {"thresholds": {"gambling": 0.7}}
    jobs = planned_jobs(default_run, config, tmp_path)
    assert jobs.get("quality_filter") == 13 and jobs.get("quality_report") == 1
    assert not {"quality_classifier", "dedup_apply", "clean", "keyword_candidates"} & set(jobs)


@pytest.mark.slow
def test_changing_the_mix_replans_without_refiltering(default_run, tmp_path):
    config = default_config()
    config["mix"] = {"max_epochs": 3}
    jobs = planned_jobs(default_run, config, tmp_path)
    assert jobs.get("mix_plan") == 1 and jobs.get("mix_apply") == 13
    assert not {"quality_filter", "quality_classifier", "mix_histogram"} & set(jobs)


@pytest.mark.slow
def test_an_impossible_mix_fails_naming_the_source_and_the_shortfall(default_run, tmp_path):
    import shutil

    import yaml

    # A copy of the run, so the shared run's plan is not replaced by a failed attempt.
    copy = tmp_path / "run"
    shutil.copytree(default_run, copy, symlinks=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["mix"] = {"max_epochs": 1, "phases": [{"name": "phase1", "chars": 1500000, "shares": {"lang": {"zh": 0.5, "en": 0.5}}}]}
    changed = tmp_path / "impossible.yaml"
    changed.write_text(yaml.safe_dump(config, allow_unicode=True))
    result = snakemake("--cores", "1", "--configfile", str(changed), "--directory", str(copy), "work/mix/plan.json", cwd=copy)
    assert result.returncode != 0
    log = (copy / "logs" / "mix" / "plan.log").read_text()
    assert "en_web" in log and "max_epochs" in log, log
    assert "Traceback" not in log, log


@pytest.mark.slow
def test_expanded_tokenizer_compresses_chinese_and_leaves_english_alone(default_run):
    rows = {(r["set"], r["tokenizer"]): r for r in csv.DictReader(open(default_run / "results" / "tokenizer.csv"))}
    zh_sets = [name for name, which in rows if name.startswith("zh") and which == "after"]
    assert zh_sets, rows.keys()
    for name in zh_sets:
        assert float(rows[(name, "after")]["tokens_per_zh_char"]) <= 1.05, rows[(name, "after")]
        assert float(rows[(name, "before")]["tokens_per_zh_char"]) >= 2.0  # the English stand-in spells Chinese in bytes
    english = [name for name, which in rows if name.startswith("en") and which == "after"]
    for name in english:
        assert rows[(name, "after")]["tokens"] == rows[(name, "before")]["tokens"]


@pytest.mark.slow
def test_binary_data_round_trips_to_the_mixed_text(default_run):
    import yaml
    from transformers import AutoTokenizer

    from xuanyuan.shards import read_records
    from xuanyuan.tokdata import IndexedDataset, PackedSamples, detokenize_all

    tokenizer = AutoTokenizer.from_pretrained(default_run / "models" / "tokenizer")
    work = default_run / "work"
    phases = [phase["name"] for phase in yaml.safe_load((REPO / "config" / "schema.yaml").read_text())[
        "properties"]["mix"]["properties"]["phases"]["default"]]
    for phase in phases:
        texts = {}
        for path in sorted((work / "mix" / phase).glob("*/*.jsonl.zst")):
            for record in read_records(path):
                texts.setdefault(record["id"], record["text"])
        dataset = IndexedDataset(work / "tokenized" / phase)
        assert dataset.dtype.name == "uint16"
        seen = 0
        for doc_id, text in detokenize_all(work / "tokenized" / phase, tokenizer):
            assert text == texts[doc_id], doc_id
            seen += 1
        assert seen == len(dataset) >= len(texts)
        sample = PackedSamples(dataset, 128)[0]
        assert len(sample["input_ids"]) == 128 and sample["position_ids"][0] == 0


@pytest.mark.slow
def test_pretraining_improves_chinese_and_finance_while_english_holds(default_run):
    import yaml

    rows = {(r["model"], r["set"]): float(r["ppl_char"]) for r in csv.DictReader(open(default_run / "results" / "perplexity.csv"))}
    for name in ("zh", "finance"):
        assert rows[("stage2", name)] < rows[("base", name)], rows
    tolerance = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())[
        "properties"]["pretrain"]["properties"]["perplexity"]["properties"]["english_tolerance"]["default"]
    assert rows[("stage2", "en")] <= rows[("base", "en")] * (1 + tolerance), rows
    stages = {r["stage"]: r for r in csv.DictReader(open(default_run / "results" / "pretrain.csv"))}
    assert set(stages) == {"base_standin", "stage1", "stage2"}
    assert all(int(r["processes"]) == 2 for r in stages.values())
    assert float(stages["base_standin"]["last loss"]) < float(stages["base_standin"]["first loss"])
    # stage 1 trains only embeddings and the LM head
    assert stages["stage1"]["trainable"] == "model.embed_tokens.weight, lm_head.weight"
    assert "all" in stages["stage2"]["trainable"]


@pytest.mark.slow
def test_a_training_job_killed_mid_run_resumes_from_its_checkpoint(default_run, tmp_path):
    """SIGKILL the training processes of stage 1 after its first checkpoint; Snakemake's retry resumes there.

    Stage 1 because it is the shortest (60 steps, a checkpoint at 50); the all-parameter optimizer
    state of stage 2 resumes exactly in tests/train/test_resume_launch.py."""
    import json
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    import psutil

    run = tmp_path / "run"
    shutil.copytree(default_run, run, symlinks=True)
    for stale in (run / "models" / "stage1", run / "work" / "checkpoints" / "stage1", run / "work" / "metrics" / "stage1.jsonl"):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--cores", "2", "--retries", "1",
               "--configfile", str(REPO / "config" / "config.yaml"), "--directory", str(run), "models/stage1/xuanyuan_train.json"]
    process = subprocess.Popen(command, cwd=run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=local_env())
    checkpoint_dir = run / "work" / "checkpoints" / "stage1"
    killed = []
    deadline = time.time() + 900
    while time.time() < deadline and process.poll() is None and not killed:
        if (checkpoint_dir / "latest").is_file():
            for proc in psutil.process_iter(["cmdline", "cwd"]):
                cmdline = " ".join(proc.info["cmdline"] or [])
                if "xuanyuan.train" in cmdline and "worker" in cmdline and proc.info["cwd"] == os.path.realpath(run):
                    proc.send_signal(signal.SIGKILL)
                    killed.append(proc.pid)
        time.sleep(0.2)
    output, _ = process.communicate(timeout=900)
    assert killed, output[-3000:]
    assert process.returncode == 0, output[-3000:]
    summary = json.loads((run / "models" / "stage1" / "xuanyuan_train.json").read_text())
    assert summary["resumed_from"] > 0, summary  # not from step 0
    # after the resume, the losses are those of the uninterrupted run, exactly
    resumed = [json.loads(line) for line in (run / "work" / "metrics" / "stage1.jsonl").read_text().splitlines()]
    original = [json.loads(line) for line in (default_run / "work" / "metrics" / "stage1.jsonl").read_text().splitlines()]
    assert [r["step"] for r in resumed] == [r["step"] for r in original]
    assert [r["loss"] for r in resumed] == [r["loss"] for r in original]


@pytest.mark.slow
def test_stage2_reads_every_mixing_phase_and_stage1_the_first(default_run):
    """The stage's samples spread over the phases in order (xuanyuan.tokdata.StageCurriculum): stage 2 with
    fewer samples than the phases hold still reaches the last, most finance-heavy phase."""
    # The tokenized mixing phases (base_en.bin is the stand-in base's English, not a phase).
    phases = sorted(path.name.removesuffix(".bin") for path in (default_run / "work" / "tokenized").glob("*.bin")
                    if path.name != "base_en.bin")
    stage2 = read_json(default_run / "models" / "stage2" / "xuanyuan_train.json")
    plan = stage2["curriculum"]
    assert list(plan) == phases and len(phases) >= 2 and all(p["read"] > 0 for p in plan.values()), plan
    assert sum(p["read"] for p in plan.values()) == stage2["samples"]
    assert list(read_json(default_run / "models" / "stage1" / "xuanyuan_train.json")["curriculum"]) == phases[:1]


@pytest.mark.slow
def test_sft_stages_train_on_their_mix_and_answer_in_the_released_format(default_run):
    import json

    config = default_config()
    for stage in ("sft1", "sft2"):
        stats = read_json(default_run / "work" / "sft" / stage / "stats.json")
        ingest = stats["ingest"]
        ledger = (default_run / "work" / "sft" / stage / "ledger.jsonl").read_text().splitlines()
        # Every record is kept or ledgered (the generator plants bad records and repeats).
        assert ingest["records"] == ingest["kept"] + sum(1 for line in ledger if json.loads(line)["step"] == "ingest")
        assert ingest["invalid"] >= 7 and stats["packing"]["padding_saved"] > 0
        summary = read_json(default_run / "models" / stage / "xuanyuan_train.json")
        assert summary["stage"] == stage and summary["resumed_from"] == 0
    domains = read_json(default_run / "work" / "sft" / "sft2" / "stats.json")["mix"]["realised_by_domain"]
    shares = config.get("sft", {}).get("stage2", {}).get("domains", {"general": 4, "finance": 1})
    total = sum(shares.values())
    for domain, share in shares.items():
        assert abs(domains[domain] - share / total) < 0.01, domains
    answers = [json.loads(line) for line in (default_run / "work" / "generate" / "sft2.jsonl").read_text().splitlines()]
    assert len(answers) >= 5 and all(a["new_tokens"] <= 256 for a in answers)
    # Trained on answers that end in </s>, the SFT model stops on its own (stage 2 only stops at the limit).
    assert any(a["new_tokens"] < 256 for a in answers)
    report = (default_run / "results" / "sft.md").read_text()
    assert "## Sample answers" in report and "### sft2" in report
    for variant in ("sft1", "sft2"):
        assert (default_run / "work" / "eval" / "perplexity" / f"{variant}.json").exists()


@pytest.mark.slow
def test_quantized_variants_stay_close_to_bf16_perplexity(default_run):
    rows = {(r["model"], r["set"]): float(r["ppl_char"]) for r in csv.DictReader(open(default_run / "results" / "perplexity.csv"))}
    goals = {"int8": 0.01, "gptq4": 0.05, "nf4": 0.05}  # the goals: 8-bit within 1%, 4-bit within 5%
    for variant, allowed in goals.items():
        for name in ("zh", "en", "finance"):
            assert rows[(variant, name)] / rows[("bf16", name)] - 1 <= allowed, (variant, name)
    quantize = {r["variant"]: r for r in csv.DictReader(open(default_run / "results" / "quantize.csv"))}
    assert float(quantize["int8"]["weights MB"]) < float(quantize["bf16"]["weights MB"])
    assert float(quantize["gptq4"]["weights MB"]) < float(quantize["int8"]["weights MB"])


@pytest.mark.slow
def test_every_variant_is_evaluated_on_every_benchmark_and_shot_setting(default_run):
    import json

    manifest = read_json(default_run / "work" / "eval" / "benchmarks" / "manifest.json")
    variants = ["base", "stage1", "stage2", "sft1", "sft2", "bf16", "int8", "gptq4", "nf4"]
    for variant in variants:
        for benchmark in ("ceval", "cmmlu", "mmlu"):
            for shots in (0, 5):
                record = json.loads((default_run / "work" / "eval" / "lm" / variant / f"{benchmark}.{shots}shot.json").read_text())
                assert record["variant"] == variant and record["shots"] == shots
                # lm-eval scored exactly the questions the generator wrote, subject by subject.
                assert {s: v["n"] for s, v in record["subjects"].items()} == manifest[benchmark]["subjects"]
                assert 0.0 <= record["micro"] <= 1.0
        memory = read_json(default_run / "work" / "eval" / "lm" / variant / "memory.json")
        assert memory["weights_gb"] > 0 and memory["peak_gb"] >= memory["weights_gb"]
    table = list(csv.DictReader(open(default_run / "results" / "eval.csv")))
    assert len(table) == len(variants)
    assert (default_run / "results" / "eval.png").stat().st_size > 0
    # Question by question: each variant against the one it was made from, every benchmark and shots,
    # and each row's accuracy change is the difference of the two records' scores.
    labels = {row["variant"]: name for row, name in zip(table, variants)}
    references = {"stage1": "base", "stage2": "stage1", "sft1": "stage2", "sft2": "sft1",
                  "bf16": "sft2", "int8": "bf16", "gptq4": "bf16", "nf4": "bf16"}
    changes = list(csv.DictReader(open(default_run / "results" / "eval_changes.csv")))
    assert len(changes) == len(references) * 3 * 2
    for row in changes:
        variant, reference = labels[row["variant"]], labels[row["against"]]
        assert references[variant] == reference
        shots, benchmark = int(row["shots"]), row["benchmark"].lower()
        micro = {name: json.loads((default_run / "work" / "eval" / "lm" / name / f"{benchmark}.{shots}shot.json")
                                  .read_text())["micro"] for name in (variant, reference)}
        assert float(row["accuracy change (points)"]) == pytest.approx(100 * (micro[variant] - micro[reference]), abs=0.01)
        assert int(row["answers changed"]) >= int(row["right -> wrong"]) + int(row["wrong -> right"])
        assert 0.0 < float(row["McNemar p"]) <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["int8", "gptq4"])
def test_chat_answers_from_a_quantized_directory(default_run, variant):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "xuanyuan", "chat", "--model", str(default_run / "models" / variant),
                             "--prompt", "什么是市盈率？", "--temperature", "0", "--max-new-tokens", "8"],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip()


def test_an_edited_annotated_training_file_retrains_and_a_missing_one_stops_the_plan(tmp_path):
    # The files are the rule's inputs, not only paths in its params: Snakemake compares their mtimes
    # and reports a missing one while planning. The classifier alone is the target (a few seconds).
    import os

    import yaml

    annotated = tmp_path / "annotated.jsonl"
    config = default_config()
    config["quality"] = {"training": {"files": [{"path": str(annotated), "format": "jsonl"}]}}
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(config, allow_unicode=True))
    run = tmp_path / "run"
    run.mkdir()

    def classifier(*flags: str):
        return snakemake("work/quality_model/classifier.bin", *flags, "--directory", str(run),
                         "--configfile", str(changed), cwd=run, timeout=300)

    missing = classifier("-n")
    output = missing.stdout + missing.stderr
    assert missing.returncode != 0
    assert "Missing input files for rule quality_classifier" in output and str(annotated) in output, output[-2000:]

    annotated.write_text('{"text": "示例", "labels": []}\n', encoding="utf-8")
    model = run / "work" / "quality_model"
    model.mkdir(parents=True)
    for name in ("classifier.bin", "heldout.jsonl.zst", "training_summary.json"):
        (model / name).touch()
    # Snakemake's records of a finished classifier job, without training one.
    touched = classifier("--touch", "--cores", "1")
    assert touched.returncode == 0, touched.stderr[-3000:]
    unchanged = classifier("-n")
    assert _jobs_in_dry_run(unchanged.stdout + unchanged.stderr) == {}

    # An annotator's in-place edit: the file is now newer than the model.
    later = (model / "classifier.bin").stat().st_mtime + 10
    os.utime(annotated, (later, later))
    edited = classifier("-n")
    assert edited.returncode == 0, edited.stderr[-3000:]
    assert _jobs_in_dry_run(edited.stdout + edited.stderr).get("quality_classifier") == 1
