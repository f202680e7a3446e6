"""The two ways the mix stage fails: a user's config asks for what the data cannot give, or a bug."""

from __future__ import annotations

from xuanyuan.errors import UserError


class MixError(UserError):
    """The mix config cannot be met with the documents at hand; the message says what to change."""


class MixMismatch(RuntimeError):
    """What the apply jobs wrote differs from what the plan computed: a bug, not a user error."""
