"""One conversation with a model: released-format prompts, sampling with the seed's defaults, streaming.

The prompt is built by `xuanyuan.sft.masking.prompt_ids`, the same segments the model was trained
on, open at " Assistant:". Generation stops at `</s>` (the answer's learned end) or after
`max_new_tokens`. Defaults are those of XuanYuan's inference script: max_new_tokens 256,
temperature 0.7, top_p 0.95; temperature 0 means greedy decoding.

The prompt plus `max_new_tokens` must fit the model's `max_position_embeddings`: past it a Llama
only warns and then writes garbage. So the oldest whole turns of the history are dropped (the
system message stays), with one notice per conversation, and a message that does not fit even
alone is refused (`MessageTooLong`) instead of answered.
"""

from __future__ import annotations

import logging
from typing import Callable

import torch

from xuanyuan.chat.settings import GenerationSettings
from xuanyuan.errors import UserError
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


class MessageTooLong(UserError):
    """A message that, with no history at all, leaves no room for the answer in the model's positions."""


class ChatSession:
    """Multi-turn chat: `reply(question)` answers with the history of earlier turns in the prompt.

    `notice` is told (once per conversation) when the oldest turns are dropped to fit the model's
    context; by default it goes to the log.
    """

    def __init__(self, model, tokenizer, settings: GenerationSettings = GenerationSettings(), system: str | None = None,
                 notice: Callable[[str], None] | None = None):
        self.model, self.tokenizer, self.settings, self.system = model, tokenizer, settings, system
        self.encoder = SegmentEncoder(tokenizer)
        self.history: list[tuple[str, str]] = []
        self.notice = notice or logging.getLogger(__name__).warning
        self.told_dropped = False

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def prompt(self, question: str) -> list[int]:
        return prompt_ids(self.encoder, question, self.history, self.system)

    @property
    def max_positions(self) -> int | None:
        """The model's max_position_embeddings (None when its config does not say)."""
        return getattr(getattr(self.model, "config", None), "max_position_embeddings", None)

    def fit_prompt(self, question: str) -> list[int]:
        """The prompt ids once the oldest whole turns are dropped from the history so that the prompt plus
        max_new_tokens fits the model's positions; MessageTooLong when the question alone does not fit."""
        limit, ids = self.max_positions, self.prompt(question)
        if limit is None or len(ids) + self.settings.max_new_tokens <= limit:
            return ids
        room = limit - self.settings.max_new_tokens
        alone = len(prompt_ids(self.encoder, question, (), self.system))
        if alone > room:  # checked first: the history is kept for a shorter message
            raise MessageTooLong(
                f"the message is too long: its prompt is {alone} tokens, but the model holds {limit} positions and "
                f"the answer needs up to {self.settings.max_new_tokens} (max new tokens), which leaves {max(room, 0)}; "
                "send a shorter message (or lower --max-new-tokens)")
        dropped = 0
        while len(ids) > room:
            self.history.pop(0)
            dropped += 1
            ids = self.prompt(question)
        if not self.told_dropped:
            self.told_dropped = True
            self.notice(f"dropped the {dropped} oldest turn(s) of the conversation to fit the model's {limit} "
                        "positions; older turns keep being dropped as it grows (/reset starts afresh)")
        return ids

    @torch.no_grad()
    def generate_ids(self, question: str, stream: Callable[[str], None] | None = None) -> tuple[list[int], list[int]]:
        """(prompt ids, new ids up to and without the closing EOS); old turns dropped to fit (`fit_prompt`)."""
        ids = self.fit_prompt(question)
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
        self.told_dropped = False
