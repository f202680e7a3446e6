"""One conversation with a model: released-format prompts, sampling with the seed's defaults, streaming.

The prompt is built by `xuanyuan.sft.masking.prompt_ids`, the same segments the model was trained
on, open at " Assistant:". Generation stops at `</s>` (the answer's learned end) or after
`max_new_tokens`. Defaults are those of XuanYuan's inference script: max_new_tokens 256,
temperature 0.7, top_p 0.95; temperature 0 means greedy decoding.
"""

from __future__ import annotations

from typing import Callable

import torch

from xuanyuan.chat.settings import GenerationSettings
from xuanyuan.sft.masking import prompt_ids
from xuanyuan.sft.segments import SegmentEncoder


class _TextStream:
    """A transformers streamer that hands each newly decoded piece of the answer to `emit`."""

    def __init__(self, tokenizer, emit: Callable[[str], None], prompt_length: int):
        self.tokenizer, self.emit = tokenizer, emit
        self.skip, self.ids, self.shown = prompt_length, [], ""

    def put(self, value: torch.Tensor) -> None:
        ids = value.reshape(-1).tolist()
        if self.skip:  # the first call carries the prompt
            taken = min(self.skip, len(ids))
            self.skip -= taken
            ids = ids[taken:]
        self.ids += ids
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True).lstrip()
        # A piece can end inside a multi-byte character (byte fallback): wait for the rest.
        if text.endswith("\ufffd"):
            return
        if text.startswith(self.shown):
            self.emit(text[len(self.shown):])
        self.shown = text

    def end(self) -> None:
        pass


class ChatSession:
    """Multi-turn chat: `reply(question)` answers with the history of earlier turns in the prompt."""

    def __init__(self, model, tokenizer, settings: GenerationSettings = GenerationSettings(), system: str | None = None):
        self.model, self.tokenizer, self.settings, self.system = model, tokenizer, settings, system
        self.encoder = SegmentEncoder(tokenizer)
        self.history: list[tuple[str, str]] = []

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def prompt(self, question: str) -> list[int]:
        return prompt_ids(self.encoder, question, self.history, self.system)

    @torch.no_grad()
    def generate_ids(self, question: str, stream: Callable[[str], None] | None = None) -> tuple[list[int], list[int]]:
        """(prompt ids, new ids up to and without the closing EOS)."""
        ids = self.prompt(question)
        if self.settings.seed is not None:
            torch.manual_seed(self.settings.seed)
        input_ids = torch.tensor([ids], device=self.device)
        streamer = _TextStream(self.tokenizer, stream, len(ids)) if stream else None
        output = self.model.generate(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), eos_token_id=self.encoder.eos_id,
            pad_token_id=self.encoder.pad_id, streamer=streamer, **self.settings.generate_kwargs(),
        )
        new = output[0, len(ids):].tolist()
        if self.encoder.eos_id in new:
            new = new[: new.index(self.encoder.eos_id)]
        return ids, new

    def reply(self, question: str, stream: Callable[[str], None] | None = None) -> str:
        """The answer to `question`; the turn is added to the history."""
        _, new = self.generate_ids(question, stream)
        answer = self.tokenizer.decode(new, skip_special_tokens=True).strip()
        self.history.append((question, answer))
        return answer

    def reset(self) -> None:
        self.history.clear()
