from xuanyuan.corpus.instructions import InstructionSettings, write_instruction_files
from xuanyuan.runlog import logged_to
from xuanyuan.shards import write_json

with logged_to(snakemake.log[0]) as log:
    generated = snakemake.params.generated
    name = snakemake.wildcards.set
    # The two sets differ in size and seed, so stage 2's in-house set is not a copy of stage 1's.
    settings = InstructionSettings(per_cell=generated["per_cell"][name],
                                   multi_turn_share=generated["multi_turn_share"],
                                   seed=generated["seed"] + (0 if name == "open" else 1))
    manifest = write_instruction_files(snakemake.output.manifest.rsplit("/", 1)[0], settings)
    write_json(snakemake.output.manifest, manifest)
    log.info("generated %d instruction examples (%s set)", manifest["examples"], name)
