from xuanyuan.provenance import code_version, config_hash
from xuanyuan.quality.report import write_quality_report
from xuanyuan.quality.train import evaluate_heldout
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    write_quality_report(
        evaluation=evaluate_heldout(
            model_path=snakemake.input.model,
            heldout_path=snakemake.input.heldout,
            summary_path=snakemake.input.summary,
            categories=list(snakemake.params.categories),
            thresholds=dict(snakemake.params.thresholds),
            windows=dict(snakemake.params.windows),
        ),
        stats_paths=list(snakemake.input.stats),
        ledger_paths=list(snakemake.input.ledgers),
        keyword_paths=list(snakemake.input.candidates),
        keyword_counts_path=snakemake.input.counts,
        ground_truth_path=snakemake.input.ground_truth[0] if snakemake.input.ground_truth else None,
        input_doc_paths=list(snakemake.input.quality_input),
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
        chash=config_hash(dict(snakemake.params.config)),
        version=code_version(),
    )
