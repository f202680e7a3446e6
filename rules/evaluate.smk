# Benchmarks with lm-eval (docs/evaluate.md): C-Eval val, CMMLU test, MMLU test (and extra folders
# in their layouts), 0- and 5-shot, for every model variant -> results/eval.md/.csv/.png, and each
# variant against the one it was made from, question by question -> results/eval_changes.csv.
# Local mode reads release-layout CSV folders; a benchmark without a folder uses the small sets the
# pipeline generates from its own facts, so the whole path runs without downloads.
# A folder the config names is an input file by file (globbed when the workflow is parsed), so
# editing one of its CSVs rebuilds that suite and re-evaluates every variant on it.
from xuanyuan.evaluate.settings import benchmark_files


rule eval_benchmarks:
    output:
        manifest=f"{EVAL_GENERATED_DIR}/manifest.json",
    params:
        generate=canonical(EVALUATE["generate"]),
        out_dir=output_dir("manifest"),
    log:
        f"{LOGS}/eval/benchmarks.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/eval_benchmarks.py"


rule eval_suite:
    input:
        generated=lambda wildcards: [f"{EVAL_GENERATED_DIR}/manifest.json"] if wildcards.benchmark in EVAL_GENERATED else [],
        csvs=lambda wildcards: benchmark_files(EVALUATE, wildcards.benchmark),
    output:
        suite=f"{WORK}/eval/suites/{{benchmark}}/suite.json",
    params:
        evaluate=eval_section(),
        # The folder of all suites: build_suite writes this benchmark's own folder under it.
        work_dir=output_dir("suite", levels_up=2),
    wildcard_constraints:
        benchmark="|".join(EVAL_SUITES),
    log:
        f"{LOGS}/eval/suite_{{benchmark}}.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/eval_suite.py"


rule evaluate:
    input:
        model=lambda wildcards: MODEL_VARIANTS[wildcards.variant][1],
        suites=[f"{WORK}/eval/suites/{name}/suite.json" for name in EVAL_SUITES],
    output:
        records=[f"{WORK}/eval/lm/{{variant}}/{name}" for name in EVAL_RECORDS],
        memory=f"{WORK}/eval/lm/{{variant}}/memory.json",
    params:
        model_dir=lambda wildcards: MODEL_VARIANTS[wildcards.variant][0],
        evaluate=eval_section(),
        out_dir=f"{WORK}/eval/lm/{{variant}}",
    wildcard_constraints:
        variant="|".join(MODEL_VARIANTS),
    log:
        f"{LOGS}/eval/lm_{{variant}}.log",
    benchmark:
        f"{BENCH}/eval/{{variant}}.tsv"
    threads: rule_threads("evaluate")
    resources:
        **rule_resources("evaluate"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/evaluate.py"


rule eval_report:
    input:
        records=[f"{WORK}/eval/lm/{variant}/{name}" for variant in EVAL_VARIANTS for name in EVAL_RECORDS],
        memory=[f"{WORK}/eval/lm/{variant}/memory.json" for variant in EVAL_VARIANTS],
    output:
        markdown=report(f"{RESULTS}/eval.md", caption="report/eval.rst", category="Evaluation"),
        csv=f"{RESULTS}/eval.csv",
        png=report(f"{RESULTS}/eval.png", caption="report/eval.rst", category="Evaluation"),
        changes=f"{RESULTS}/eval_changes.csv",
    params:
        variants=EVAL_VARIANTS,
        references=EVAL_REFERENCES,
    log:
        f"{LOGS}/report/eval.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow_scripts/eval_report.py"
