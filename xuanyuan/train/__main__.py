"""`python -m xuanyuan.train worker JOB.json` (a torchrun worker) or `launch JOB.json [--threads N]`."""

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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

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


if __name__ == "__main__":
    sys.exit(main())
