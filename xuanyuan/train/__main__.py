"""`python -m xuanyuan.train worker JOB.json` (a torchrun worker), `launch JOB.json [--threads N]`, or
`export CHECKPOINT_DIR --out DIR [--step N]` (one checkpoint of a stage as a Hugging Face directory)."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xuanyuan.train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one rank of a job (started by torchrun)")
    worker.add_argument("job")
    launcher = sub.add_parser("launch", help="start torchrun with one process per device")
    launcher.add_argument("job")
    launcher.add_argument("--threads", type=int, default=None)
    launcher.add_argument("--gpus", type=int, default=None)
    exporter = sub.add_parser("export", help="export one checkpoint of a stage (default: the latest) as a "
                                             "Hugging Face directory; the stage may still be training")
    exporter.add_argument("checkpoint_dir", help="the stage's checkpoint directory (holds step<N>/, latest, job.json)")
    exporter.add_argument("--out", required=True, help="the Hugging Face directory to write")
    exporter.add_argument("--step", type=int, default=None, help="the checkpoint's step (default: the latest)")
    exporter.add_argument("--convert", action="store_true",
                          help="a checkpoint of another number of ranks: load it through DeepSpeed's universal form")
    exporter.add_argument("--processes", type=int, default=None, help="ranks on CPU (default: the stage's)")
    exporter.add_argument("--threads", type=int, default=None, help="CPU threads, shared by the ranks")
    exporter.add_argument("--gpus", type=int, default=None, help="GPUs of this node to use (default: all visible)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "export":
        return export(args)

    from xuanyuan.train.job import TrainJob

    job = TrainJob.from_json(args.job)
    if args.command == "worker":
        import faulthandler

        # A rank that aborts in native code (SIGABRT, SIGSEGV) prints where its Python threads were.
        faulthandler.enable(all_threads=True)
        from xuanyuan.errors import UserError
        from xuanyuan.train import worker_errors
        from xuanyuan.train.distributed import end_worker
        from xuanyuan.train.stop_signal import StopRequested
        from xuanyuan.train.trainer import run_job
        from xuanyuan.vector_math import initialise_vector_math

        initialise_vector_math()  # before the RoPE tables and any other parallel cos/exp (xuanyuan.vector_math)
        try:
            run_job(job)
        except UserError as error:
            worker_errors.record(job.checkpoint_dir, error)  # for the launcher's message
            raise
        except StopRequested as stop:  # a time limit, scancel or preemption: not a failure of the job's own
            logging.getLogger("xuanyuan.train").warning("%s", stop)
            end_worker(stop.exit_code)
        end_worker(0)
    else:
        from xuanyuan.train.launch import launch

        launch(job, threads=args.threads, gpus=args.gpus)
    return 0


def export(args: argparse.Namespace) -> int:
    from xuanyuan.errors import UserError
    from xuanyuan.train.checkpoint_export import export_checkpoint

    try:
        summary = export_checkpoint(args.checkpoint_dir, args.out, step=args.step, convert=args.convert,
                                    processes=args.processes, threads=args.threads, gpus=args.gpus)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.out}: step {summary['exported_from']['step']} of {summary['stage']} "
          f"({summary['exported_from']['checkpoint']}), eval loss {summary['eval_loss']:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
