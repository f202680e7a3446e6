"""The one trainer: stand-in base, stage 1, stage 2 (and SFT later), built on `deepspeed.initialize`.

`Trainer(job).train()` reads top to bottom: set up (process group, seed, model (under ZeRO-3
partitioned while it is built), trainable parameters, engine, fp32 RoPE, resume) -> for each
step: train_step (accumulate micro-batches, clip and step inside DeepSpeed) -> log -> checkpoint
(each log and checkpoint first checks that the losses and gradient norms are finite) -> at the end:
final checkpoint, eval batch, export.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import torch

from xuanyuan.tokdata import StageCurriculum
from xuanyuan.train import checkpoint
from xuanyuan.train.activations import enable_activation_checkpointing
from xuanyuan.train.data import PADDING, collate, micro_steps, open_training_data, rank_batches
from xuanyuan.train.deepspeed_config import deepspeed_config
from xuanyuan.train.divergence import DivergenceGuard, stage_section
from xuanyuan.train.distributed import (
    Dist, all_ranks, init_distributed, mean_over_ranks, seed_everything, sums_over_ranks,
)
from xuanyuan.train.export import export_engine
from xuanyuan.train.flops import flops_per_token, peak_tflops
from xuanyuan.train.freeze import FrozenMaster, set_trainable
from xuanyuan.train.job import TrainJob
from xuanyuan.train.loss import IGNORE_INDEX, batch_loss
from xuanyuan.train.metrics import MetricsLog
from xuanyuan.train.model import (
    FUSED_LOSS, FUSED_ROPE, apply_fused_kernels, build_standin, check_context, count_parameters, load_model, model_config,
    resolve_attn_implementation, standin_config,
)
from xuanyuan.train.resize import load_expansion, resize_to_expanded
from xuanyuan.train.rope import install_fp32_rope
from xuanyuan.train.schedule import lr_schedule
from xuanyuan.train.settings import model_settings, settings_dict, train_settings
from xuanyuan.train.spikes import (
    SpikeDidNotSettle, SpikeWatch, spike_message, stop_message, unsettled, unwatched,
)
from xuanyuan.train.stop_signal import StopRequested, StopSignal
from xuanyuan.train.validation import Validation
from xuanyuan.train.zero3 import (
    cast_partitions, construction_config, full_numel, partition_record, planned_trainable_params,
)

log = logging.getLogger(__name__)

NO_DECAY = ("norm", "bias")


def param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Trainable parameters in two AdamW groups: decayed matrices, and norms/biases without decay."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (no_decay if any(key in name for key in NO_DECAY) else decay).append(param)
    groups = [{"params": decay, "weight_decay": weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return groups


def engine_config(settings, stage, d: Dist, trainable_params: int, *, load_universal: bool = False) -> dict[str, Any]:
    """The DeepSpeed config of this run (one dict for zero.Init and `deepspeed.initialize`)."""
    return deepspeed_config(settings, stage, d.world_size, on_cuda=d.device.type == "cuda",
                            trainable_params=trainable_params, load_universal=load_universal)


def build_engine(model: torch.nn.Module, settings, stage, d: Dist, *, ds_config: dict[str, Any] | None = None,
                 fused_rope: bool = False, load_universal: bool = False):
    """`deepspeed.initialize` with the generated config and AdamW groups, then fp32 RoPE on the engine's module.

    ds_config: the config a ZeRO-3 model was built with (planned before the model existed); it must
    be the one generated from the built model, which is checked.
    fused_rope: rotate with Liger's kernel over the fp32 table (`rope` among the applied Liger kernels).
    load_universal: the engine will load a checkpoint of another world size from its universal form.
    """
    import deepspeed

    from xuanyuan.train.bf16_accumulation import accumulate_by_copy_first  # imports DeepSpeed

    trainable = sum(full_numel(p) for p in model.parameters() if p.requires_grad)
    generated = engine_config(settings, stage, d, trainable, load_universal=load_universal)
    if ds_config is not None and ds_config != generated:
        raise RuntimeError(f"the model was built under a DeepSpeed config planned for other trainable parameters "
                           f"than it has ({trainable}); this is a bug in xuanyuan.train.zero3.planned_trainable_params")
    engine, _, _, _ = deepspeed.initialize(model=model, model_parameters=param_groups(model, settings.weight_decay),
                                           config=generated, lr_scheduler=lr_schedule(settings, stage))
    # After the engine's cast: a bf16 cast rounds rotary tables, so they are rebuilt in fp32 here.
    install_fp32_rope(engine.module, fused=fused_rope)
    skip_reduction_in_world_of_one(engine, d.world_size)
    accumulate_by_copy_first(engine)
    return engine


def skip_reduction_in_world_of_one(engine, world_size: int) -> bool:
    """One process: switch off DeepSpeed's gradient all-reduce where it is nothing but a sum over ranks.

    Without ZeRO, and under the BF16 optimizer (one bf16 process gets ZeRO-1 with it), DeepSpeed
    reduces the gradients at every accumulation boundary by flattening them into a bucket of up to
    500M elements, casting it to the communication dtype, all-reducing it and copying it back, even in
    a world of one: 32 of the 104 bytes per parameter of a bf16 step (bench/optimizer_traffic.py), a
    bucket of up to 2 GB, and, as a bf16 run communicates in bf16, the fp32-accumulated gradients
    rounded to bf16 before the step. ZeRO-2/3 and ZeRO-1's own optimizer move the gradients into
    their partitions in that call, so there it stays. Returns whether it was switched off.
    """
    from deepspeed.runtime.bf16_optimizer import BF16_Optimizer

    if world_size != 1 or (engine.zero_optimization() and not isinstance(engine.optimizer, BF16_Optimizer)):
        return False
    engine.enable_backward_allreduce = False
    return True


def micro_batch_step(engine, batch: dict[str, torch.Tensor], device: torch.device, *, fused_loss: bool,
                     weight: float = 1.0) -> torch.Tensor:
    """Forward, backward and engine step of one micro-batch (DeepSpeed applies the optimizer at the
    accumulation boundary); returns the loss times `weight`, detached and left on the device.

    Left on the device: reading it on the host here would wait for the GPU after every micro-batch,
    and the CPU could not queue the next one's kernels meanwhile. The trainer reads losses when it logs.
    """
    loss = batch_loss(engine, batch, device, fused=fused_loss)
    if weight != 1.0:
        loss = loss * weight
    engine.backward(loss)
    engine.step()
    return loss.detach()


class Trainer:
    """One training run described by a `TrainJob`."""

    def __init__(self, job: TrainJob):
        self.job = job
        self.model_settings = model_settings(job.model)
        self.settings = train_settings(job.train)
        self.stage = self.settings.stage(job.stage)
        self.dist: Dist | None = None
        self.engine = None
        self.liger_kernels: tuple[str, ...] = ()
        self.checkpointed_layers = 0
        self.resume_from: checkpoint.ResumePoint | None = None
        self.stop_signal = StopSignal()

    # ---- setup -------------------------------------------------------------------------------
    def build_model(self, zero_config: dict[str, Any] | None = None) -> torch.nn.Module:
        """The model in fp32: loaded (and resized) or a fresh stand-in; partitioned under `zero_config` (ZeRO-3)."""
        self.liger_kernels = apply_fused_kernels(self.model_settings.fused_kernels, self.model_settings.liger_kernels)
        job = self.job
        if job.init_model is not None:
            model = load_model(job.init_model, self.model_settings, zero_config=zero_config)
        else:
            model = build_standin(self.model_settings, self.standin_vocab_size(), self.settings.seed,
                                  zero_config=zero_config)
        if job.resize_tokenizer is not None:
            resize_to_expanded(model, job.resize_tokenizer, pad_rows=self.settings.pad_rows,
                               base_tokenizer=job.base_tokenizer, zero_config=zero_config)
        return model

    def standin_vocab_size(self) -> int:
        if self.job.vocab_size is None:
            raise ValueError("a stand-in needs vocab_size (the base tokenizer's size)")
        return self.job.vocab_size

    def planned_model_config(self):
        """The LlamaConfig the model will have after `build_model` (read before it exists, for ZeRO-3)."""
        job = self.job
        if job.init_model is not None:
            config = model_config(job.init_model, self.model_settings.context)
        else:
            attn = resolve_attn_implementation(self.model_settings.attn_implementation)
            config = standin_config(self.model_settings.standin, self.standin_vocab_size(), attn)
        if job.resize_tokenizer is not None:
            config.vocab_size = load_expansion(job.resize_tokenizer)["padded_vocab_size"]
        return config

    def setup(self) -> None:
        """The process group, the engine (resumed from the job's latest checkpoint, if any) and the data."""
        self.dist = d = init_distributed()
        seed_everything(self.settings.seed, self.settings.deterministic)
        # DeepSpeed bf16 casts the module; bf16_autocast keeps fp32 weights (and needs no frozen copy).
        self.bf16_weights = self.settings.precision == "bf16"
        # Read once before the model exists: sequences longer than its positions fail here, and under
        # ZeRO-3 the engine's config is planned from it (the model is built partitioned under zero.Init).
        planned_config = self.planned_model_config()
        check_context(planned_config, self.stage.seq_length, self.job.stage, self.job.init_model)
        # Before the engine's config: a resumed run keeps its checkpoint's global batch, and one of
        # another world size loads it from the universal form (or stops here, before the model is built).
        self.resume_from = checkpoint.resume_point(self.job.checkpoint_dir)
        load_universal = False
        if self.resume_from is not None:
            load_universal = checkpoint.tag_to_load(self.resume_from, d.world_size) != self.resume_from.tag
        self.plan_global_batch(self.resume_from, d.world_size)
        ds_config = None
        if self.settings.zero_stage == 3:
            planned = planned_trainable_params(planned_config, self.stage.trainable)
            ds_config = engine_config(self.settings, self.stage, d, planned, load_universal=load_universal)
        model = self.build_model(zero_config=construction_config(ds_config) if ds_config is not None else None)
        self.trainable = set_trainable(model, self.stage.trainable)
        self.checkpointed_layers = enable_activation_checkpointing(model, self.settings.activation_checkpointing)
        # Before the engine casts to bf16: the exact frozen weights, kept on the exporting rank only.
        self.frozen = FrozenMaster.capture(model, keep=self.bf16_weights, is_main=d.is_main)
        self.params = count_parameters(model)
        self.config = model.config
        self.partitions = None
        if ds_config is not None:
            self.partitions = all_ranks(partition_record(model))
            if d.is_main:
                log.info("ZeRO-3 model built partitioned: %s", self.partitions)
            if self.bf16_weights:
                cast_partitions(model, torch.bfloat16)

        self.engine = build_engine(model, self.settings, self.stage, d, ds_config=ds_config,
                                   fused_rope=FUSED_ROPE in self.liger_kernels, load_universal=load_universal)

        self.start_step, self.samples, spike_state = 0, 0, None
        resumed = checkpoint.resume(self.engine, self.resume_from, d.rank, d.world_size)
        if resumed is not None:
            self.start_step, self.samples, spike_state = resumed
            log.info("resumed from %s at step %d%s", self.job.checkpoint_dir, self.start_step,
                     f" (written by {self.resume_from.world_size} ranks)" if load_universal else "")

        needed = self.stage.steps * self.samples_per_step
        self.sampler = open_training_data(self.job, self.stage.seq_length, self.settings.seed, needed)
        self.curriculum = self.sampler.plan() if isinstance(self.sampler, StageCurriculum) else None
        self.flops_per_token = flops_per_token(self.params["non_embedding"], self.config.num_hidden_layers,
                                               self.config.hidden_size, self.stage.seq_length)
        self.peak, self.peak_source = peak_tflops(self.settings.precision, self.settings.peak_tflops)
        self.spikes = SpikeWatch(self.settings.spikes, spike_state)

    def setup_run(self) -> None:
        """What training adds to `setup`: the data position, the metrics log, the divergence guard, the validation."""
        d = self.dist
        if d.is_main:
            self.log_data_plan(self.stage.steps * self.samples_per_step)
        self.batches = self.batches_from(self.samples)
        self.metrics = MetricsLog(self.job.metrics_path, tensorboard_dir=self.job.tensorboard_dir,
                                  total_steps=self.stage.steps, start_step=self.start_step, enabled=d.is_main,
                                  desc=self.job.stage)
        self.guard = DivergenceGuard(self.job.stage, str(self.job.checkpoint_dir), str(self.job.metrics_path))
        self.validation = self.open_validation()
        if d.is_main and (reason := unwatched(self.settings.spikes, self.stage.steps, self.job.stage)):
            log.warning(reason)

    def open_validation(self) -> Validation | None:
        """The held-out sets scored every `validation.every` steps, when the job has them and the setting is on."""
        settings = self.settings.validation
        if not settings.every or self.job.validation is None:
            return None
        return Validation(self.job.validation, self.job.tokenizer_dir, max_docs=settings.max_docs,
                          window=self.settings.perplexity.window, batch_size=self.settings.perplexity.batch_size,
                          rank=self.dist.rank, world_size=self.dist.world_size)

    def batches_from(self, start_sample: int):
        """This rank's micro-batches from global sample `start_sample` on."""
        return rank_batches(self.sampler, micro_batch=self.stage.micro_batch, world_size=self.dist.world_size,
                            rank=self.dist.rank, start_sample=start_sample, global_batch=self.samples_per_step)

    def plan_global_batch(self, point: checkpoint.ResumePoint | None, world_size: int) -> None:
        """The samples per optimizer step (the checkpoint's when resuming) and the micro-steps that
        cover them at this world size, which become the engine's accumulation steps."""
        self.samples_per_step = checkpoint.global_batch_to_resume(point, self.stage.micro_batch, self.stage.grad_accum,
                                                                  world_size)
        grad_accum = micro_steps(self.samples_per_step, self.stage.micro_batch, world_size)
        if grad_accum != self.stage.grad_accum:
            if self.dist.is_main:
                log.info("%d ranks x micro-batch %d x %d micro-steps keep the global batch of %d (the config's "
                         "grad_accum is %d)", world_size, self.stage.micro_batch, grad_accum, self.samples_per_step,
                         self.stage.grad_accum)
            self.stage = dataclasses.replace(self.stage, grad_accum=grad_accum)

    def log_data_plan(self, needed: int) -> None:
        """How the stage's samples fall on its data: per phase (pretraining), or passes over the SFT rows."""
        if self.curriculum is None:
            if needed > len(self.sampler):
                log.warning("%d steps need %d samples, the data has %d: it is repeated %.1f times",
                            self.stage.steps, needed, len(self.sampler), needed / len(self.sampler))
            return
        log.info("%s reads %d samples: %s", self.job.stage, needed, "; ".join(
            f"{name} {p['read']} of {p['samples']} ({p['epochs']:.3g} passes)" for name, p in self.curriculum.items()))

    # ---- the loop ----------------------------------------------------------------------------
    def train(self) -> dict[str, Any]:
        """Train to `steps`, checkpointing and logging on the way; export; return a summary."""
        self.setup()
        self.setup_run()
        # After the setup: a SIGTERM while the model loads still ends the process at once.
        self.stop_signal.install()
        try:
            self.train_steps()
        finally:
            self.stop_signal.restore()
        if self.start_step < self.stage.steps or checkpoint.latest_tag(self.job.checkpoint_dir) is None:
            self.save_checkpoint(self.stage.steps)
        self.metrics.close()
        return self.finish()

    def train_steps(self) -> None:
        """Steps start_step+1 .. steps, logging and checkpointing on the way; on a stop signal, a
        checkpoint of the steps done and StopRequested."""
        window_start, window_tokens, window_losses = time.perf_counter(), 0, []
        last_saved = self.start_step
        step = self.start_step
        while step < self.stage.steps:
            restart = self.stage.restart_at(step)
            if restart is not None:
                if self.dist.is_main:
                    log.info("restart at step %d: skipping %d steps; the lr from here on x%g", step,
                             restart.skip_steps, self.stage.lr_scale(step))
                if restart.skip_steps:
                    if window_losses:  # the steps since the last log are logged (and checked) before the gap
                        self.log_step(step, lr, window_losses, window_tokens, time.perf_counter() - window_start)
                    step = self.skip_steps(step, restart.skip_steps)
                    window_start, window_tokens, window_losses = time.perf_counter(), 0, []
                    continue
            lr = self.engine.get_lr()[0]
            stepped = self.train_step()
            if stepped is None:
                self.stop(step, last_saved)
            loss, tokens = stepped
            self.samples += self.samples_per_step
            window_tokens += tokens
            window_losses.append(loss)
            done = step + 1
            self.guard.add(done, loss, self.engine.get_global_grad_norm())
            if done % self.settings.log_every == 0 or done == self.stage.steps:
                elapsed = time.perf_counter() - window_start
                self.log_step(done, lr, window_losses, window_tokens, elapsed)
                window_start, window_tokens, window_losses = time.perf_counter(), 0, []
            self.metrics.advance()
            if done % self.settings.checkpoint_every == 0 and done < self.stage.steps:
                self.check_finite(done)
                self.save_checkpoint(done)
                last_saved = done
            step = done

    def skip_steps(self, step: int, count: int) -> int:
        """A restart's skipped steps after step `step`: their samples are passed over and the lr schedule
        moves on as if they were trained (no forward, no update; a spike's batches are not seen again).
        Returns the steps done after them."""
        skipped = min(count, self.stage.steps - step)
        self.samples += skipped * self.samples_per_step
        self.batches = self.batches_from(self.samples)
        for _ in range(skipped):
            self.engine.lr_scheduler.step()  # DeepSpeed steps it once per optimizer step
        if self.dist.is_main:
            log.info("skipped steps %d-%d: %d samples not trained on", step + 1, step + skipped,
                     skipped * self.samples_per_step)
        self.metrics.advance(skipped)
        return step + skipped

    def stop(self, step: int, last_saved: int) -> None:
        """A rank got a stop signal before step `step` + 1: checkpoint the steps done, if any are new, and stop."""
        tag = None
        if step > last_saved:
            self.check_finite(step)
            tag = checkpoint.tag_for(step)
            self.save_checkpoint(step)
        self.metrics.close()
        raise StopRequested(self.stop_signal.received or "SIGTERM", step, tag)

    def train_step(self) -> tuple[torch.Tensor, int] | None:
        """One optimizer step: grad_accum micro-batches through the engine; returns (loss, tokens this rank),
        the loss a float64 scalar on the device (read when logged), or None without stepping when a rank
        got a stop signal (the ranks agree on it in the step's first all-reduce).

        The step's loss is the mean over all its counted tokens, those of every micro-batch on every
        rank. DeepSpeed averages gradients over micro-batches and ranks, weighing each alike, so each
        micro-batch's mean loss is scaled by its counted tokens / the step's average per micro-batch.
        With SFT's answer-only labels the micro-batches count different numbers of tokens, and
        without the weights the gradient would depend on how the same rows are split into
        micro-batches, accumulation steps and ranks. In pretraining every label counts, each weight
        is exactly 1.0, and nothing changes. A padding micro-batch (a run resumed at a world size
        that does not divide its global batch) counts no token and weighs 0. The returned loss (mean over this rank's micro-batches
        of the weighted losses) averages over the ranks to the step's token mean.
        """
        batches = [next(self.batches) for _ in range(self.stage.grad_accum)]
        counted = [int((batch["labels"] != IGNORE_INDEX).sum()) for batch in batches]
        # One small all-reduce per step: the step's counted tokens, and the ranks that got a stop signal.
        step_counted, stopping = sums_over_ranks([sum(counted), float(self.stop_signal.received is not None)])
        if stopping:
            return None
        micro_batches = self.stage.grad_accum * self.dist.world_size
        losses, tokens = [], 0
        self.engine.train()
        for batch, count in zip(batches, counted):
            weight = count * micro_batches / step_counted if step_counted else 0.0
            losses.append(micro_batch_step(self.engine, batch, self.dist.device,
                                           fused_loss=FUSED_LOSS in self.liger_kernels, weight=weight))
            tokens += 0 if PADDING in batch else batch["input_ids"].numel()  # padding: compute, no tokens
        return torch.stack(losses).double().mean(), tokens

    def log_step(self, step: int, lr: float, losses: list[torch.Tensor], tokens: int, elapsed: float) -> None:
        """One metrics record for the steps since the last one, then the divergence check (the losses are
        read on the host here and before a checkpoint only, so that the device is not waited for)."""
        tokens_per_s = tokens / max(elapsed, 1e-9)
        tflops = tokens_per_s * self.flops_per_token / 1e12
        grad_norm = self.engine.get_global_grad_norm()
        record = {
            "step": step, "loss": mean_over_ranks(float(torch.stack(losses).mean())), "lr": lr,
            "grad_norm": float(grad_norm) if grad_norm is not None else None,
            "tokens_per_s": mean_over_ranks(tokens_per_s), "tflops": mean_over_ranks(tflops),
            "mfu": mean_over_ranks(tflops) / self.peak, "samples": self.samples,
        }
        if self.validation is not None and (step % self.settings.validation.every == 0 or step == self.stage.steps):
            record |= self.validation.run(self.engine.module, self.dist.device)  # not in the window's time
        self.metrics.log(record)  # first, so that the metrics file shows a divergence
        self.check_finite(step)  # the last step is always logged: its check comes before the final checkpoint

    def check_finite(self, step: int) -> None:
        """Stop (TrainingDiverged) before a checkpoint or another step if the loss or the gradient norm
        of a step since the last check is not finite; else warn of the spikes among those steps, and stop
        (SpikeDidNotSettle) when a loss spike has lasted `spikes.stop_after` steps. Every rank decides
        alike: the watch sees the same values on all of them."""
        latest = checkpoint.latest_tag(self.job.checkpoint_dir)  # all of its steps come before the checked ones
        section, settings = stage_section(self.job.stage), self.settings.spikes
        for checked, loss, grad_norm in self.guard.check(step, latest):
            for spike in self.spikes.observe(checked, {"loss": loss, "grad_norm": grad_norm}, latest):
                self.metrics.mark(f"spikes/{spike.quantity}", spike.step, spike.value)
                if self.dist.is_main:
                    log.warning(spike_message(self.job.stage, section, spike, settings.window,
                                              settings.keep_checkpoint))
        lasting = unsettled(self.spikes.spikes, step, settings.stop_after)
        if lasting is not None:
            raise SpikeDidNotSettle(stop_message(self.job.stage, section, lasting, settings.window, latest))

    def save_checkpoint(self, step: int) -> None:
        checkpoint.save(self.engine, self.job.checkpoint_dir, step=step, samples=self.samples,
                        settings={"model": settings_dict(self.model_settings), "pretrain": settings_dict(self.settings),
                                  "stage": self.job.stage},
                        keep=self.settings.keep_checkpoints, also_keep=self.spikes.kept_checkpoints(),
                        spikes=self.spikes.state(), is_main=self.dist.is_main,
                        world_size=self.dist.world_size, global_batch=self.samples_per_step)

    # ---- end ---------------------------------------------------------------------------------
    @torch.no_grad()
    def eval_loss(self) -> float:
        """Loss of the engine on the first `eval_samples` samples of the data (the export round-trip check)."""
        self.engine.eval()
        batch = collate([self.sampler[i] for i in range(min(self.job.eval_samples, len(self.sampler)))])
        return float(batch_loss(self.engine, batch, self.dist.device))

    def export_checkpoint(self) -> dict[str, Any]:
        """Load the job's checkpoint as a resume would and export it as the stage's end does; train nothing
        (xuanyuan.train.checkpoint_export)."""
        self.setup()
        if self.resume_from is None:
            raise RuntimeError(f"{self.job.checkpoint_dir}: no checkpoint to export")
        exported = {"checkpoint": self.job.export_of, "step": self.start_step, "of_steps": self.stage.steps}
        return self.finish(exported=exported)

    def finish(self, exported: dict[str, Any] | None = None) -> dict[str, Any]:
        """Export the engine's model with the run's summary; `exported`: the checkpoint a mid-stage export is of."""
        summary = {
            "stage": self.job.stage, "steps": self.stage.steps if exported is None else exported["step"],
            "resumed_from": self.start_step,
            **({"exported_from": exported} if exported is not None else {}),
            "samples": self.samples, "eval_loss": self.eval_loss(), "world_size": self.dist.world_size,
            "grad_accum": self.stage.grad_accum,
            "params": self.params, "trainable": self.trainable, "flops_per_token": self.flops_per_token,
            "peak_tflops": self.peak, "peak_source": self.peak_source, "liger_kernels": list(self.liger_kernels),
            "checkpointed_layers": self.checkpointed_layers,
            "spikes": {"found": self.spikes.state()["spikes"], "checked": self.spikes.checked},
            **({"curriculum": self.curriculum} if self.curriculum is not None else {}),
            **({"zero3_partitions": self.partitions} if self.partitions is not None else {}),
            "settings": {"model": settings_dict(self.model_settings), "pretrain": settings_dict(self.settings)},
        }
        export_engine(self.engine, self.config, self.job.out_dir, frozen=self.frozen, bf16=self.bf16_weights,
                      tokenizer_dir=self.job.tokenizer_dir, dtype=self.settings.export_dtype, extra=summary)
        return summary


def run_job(job: TrainJob) -> dict[str, Any]:
    """Train and export one job in this process (a torchrun worker, or a single in-process rank); a job with
    `export_of` exports its checkpoint instead."""
    if job.export_of is not None:
        return Trainer(job).export_checkpoint()
    return Trainer(job).train()
