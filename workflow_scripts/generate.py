import json

from xuanyuan.chat import GenerationSettings, answer_questions, read_questions
from xuanyuan.cluster.resources import gpus_of
from xuanyuan.runlog import limit_threads, logged_to
from xuanyuan.vector_math import initialise_vector_math

with logged_to(snakemake.log[0]) as log:
    limit_threads(snakemake.threads)
    initialise_vector_math()
    options = snakemake.params.generate
    # generate.questions (an input file), else the shipped questions the rule carries.
    questions = read_questions(snakemake.input.questions) if snakemake.input.questions else snakemake.params.shipped_questions
    settings = GenerationSettings(max_new_tokens=options["max_new_tokens"], temperature=options["temperature"],
                                  top_p=options["top_p"], repetition_penalty=options["repetition_penalty"],
                                  seed=options["seed"])
    records = answer_questions(snakemake.params.model_dir, questions, settings,
                               device=options["device"], system=snakemake.params.system,
                               expected_gpus=gpus_of(snakemake.resources))
    with open(snakemake.output.answers, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps({"variant": snakemake.wildcards.variant, **record}, ensure_ascii=False) + "\n")
    log.info("%s: answered %d questions", snakemake.wildcards.variant, len(records))
