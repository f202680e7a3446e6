"""`snakemake` with the SLURM executor plugin polling every POLL_SECONDS instead of backing off.

The plugin waits 1 s after a submission, then 10 s longer after every poll that finds nothing
finished (1, 12, 33, 64, 105 s ...). On a real cluster that spares the controller; in the tests it
would add up to a minute per DAG level. This wrapper caps the wait and changes nothing else: the
same CLI, profile lookup, submission and status command.

Usage: python tests/slurm/poll_fast.py <snakemake arguments>
"""

import sys

import snakemake_executor_plugin_slurm as slurm_plugin
from snakemake.cli import main

POLL_SECONDS = 2
_check_active_jobs = slurm_plugin.Executor.check_active_jobs


async def _check_then_cap(self, active_jobs):
    async for job in _check_active_jobs(self, active_jobs):
        yield job
    self.next_seconds_between_status_checks = min(self.next_seconds_between_status_checks, POLL_SECONDS)


slurm_plugin.Executor.check_active_jobs = _check_then_cap

if __name__ == "__main__":
    sys.argv[0] = "snakemake"
    sys.exit(main())
