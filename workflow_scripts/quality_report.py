from xuanyuan.provenance import code_version, config_hash
from xuanyuan.quality.classifier import HarmClassifier
from xuanyuan.quality.passages import PassageSettings
from xuanyuan.quality.reader import DocumentReader
from xuanyuan.quality.report import write_quality_report
from xuanyuan.quality.train import evaluate_heldout
from xuanyuan.quality.windows import WindowSettings
from xuanyuan.runlog import logged_to

with logged_to(snakemake.log[0]):
    thresholds = dict(snakemake.params.thresholds)
    passages = PassageSettings.from_config(dict(snakemake.params.passages))
    # Loaded once (hundreds of MB with fastText's default bucket count) for the evaluation and the buried test.
    classifier = HarmClassifier.load(snakemake.input.model, snakemake.params.categories, snakemake.params.max_chars,
                                     WindowSettings.from_config(dict(snakemake.params.windows)))
    write_quality_report(
        evaluation=evaluate_heldout(
            classifier=classifier,
            heldout_path=snakemake.input.heldout,
            summary_path=snakemake.input.summary,
            thresholds=thresholds,
            passages=passages,
        ),
        stats_paths=list(snakemake.input.stats),
        ledger_paths=list(snakemake.input.ledgers),
        keyword_paths=list(snakemake.input.candidates),
        keyword_counts_path=snakemake.input.counts,
        ground_truth_path=snakemake.input.ground_truth[0] if snakemake.input.ground_truth else None,
        input_doc_paths=list(snakemake.input.quality_input),
        buried_readers=(DocumentReader(classifier, thresholds), DocumentReader(classifier, thresholds, passages)),
        seed=snakemake.params.seed,
        markdown_path=snakemake.output.markdown,
        csv_path=snakemake.output.csv,
        chash=config_hash(dict(snakemake.params.config)),
        version=code_version(),
    )
