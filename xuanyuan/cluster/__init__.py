"""Running the pipeline on a cluster: rule resources from config, and the SLURM allocation a job runs in.

  resources   a rule group's settings (resources.default laid under the group's) -> Snakemake resources
  slurm       the allocation of the running job (node list, master address) and the srun command
  __main__    `python -m xuanyuan.cluster node JOB.json ...`: one node's torchrun inside an allocation
"""
