# Vocabulary expansion (docs/tokenizer.md): the base tokenizer (Llama-2's, or a stand-in trained
# on the corpus's English) plus the corpus's most frequent Chinese characters, as one Hugging
# Face tokenizer directory; results/tokenizer.md compares compression before and after.


rule tokenizer:
    input:
        # The filtered corpus before mixing: each document once, whatever the mix repeats.
        docs=stage_outputs("quality", ".jsonl.zst"),
        # Llama-2's tokenizer.model, when it is there: a dry run on a machine without it still plans,
        # and the job itself stops with a message naming the missing file.
        base=[BASE_TOKENIZER] if BASE_TOKENIZER and Path(BASE_TOKENIZER).exists() else [],
    output:
        files=TOKENIZER_FILES,
        standin=directory(f"{WORK}/tokenizer/standin"),
    params:
        tokenizer=canonical(config["tokenizer"]),
        out_dir=output_dir("files"),
    log:
        f"{LOGS}/tokenizer/build.log",
    benchmark:
        f"{BENCH}/tokenizer/build.tsv"
    threads: rule_threads("tokenizer")
    resources:
        **rule_resources("tokenizer"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/tokenizer.py"


rule tokenizer_report:
    input:
        docs=stage_outputs("quality", ".jsonl.zst"),
        files=TOKENIZER_FILES,
        standin=f"{WORK}/tokenizer/standin",
    output:
        markdown=report(f"{RESULTS}/tokenizer.md", caption="report/tokenizer.rst", category="Tokenizer"),
        csv=f"{RESULTS}/tokenizer.csv",
    params:
        tokenizer=canonical(config["tokenizer"]),
        out_dir=input_dir("files"),
        config=canonical(config),
    log:
        f"{LOGS}/report/tokenizer.log",
    threads: rule_threads("report")
    resources:
        **rule_resources("report"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow_scripts/tokenizer_report.py"
