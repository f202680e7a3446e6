"""Logging for rule scripts: messages and warnings go to the rule's `log:` file."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def logged_to(path: str) -> Iterator[logging.Logger]:
    """Send logging and stderr to `path` for the duration of a rule script."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle, contextlib.redirect_stderr(handle):
        handler = logging.StreamHandler(handle)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            yield logging.getLogger("xuanyuan")
        except BaseException:
            logging.getLogger("xuanyuan").exception("rule failed")
            raise
        finally:
            root.removeHandler(handler)
            handler.flush()
            sys.stderr.flush()
