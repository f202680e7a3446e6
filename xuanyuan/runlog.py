"""Logging for rule scripts: messages and warnings go to the rule's `log:` file."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Iterator

from xuanyuan.errors import UserError


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
        except UserError as exc:
            # A mistake in the config or inputs: the message is the whole story, no traceback.
            logging.getLogger("xuanyuan").error("%s", exc)
            print(f"error: {exc}", file=sys.__stderr__)
            raise SystemExit(1) from None
        except BaseException:
            logging.getLogger("xuanyuan").exception("rule failed")
            raise
        finally:
            root.removeHandler(handler)
            handler.flush()
            sys.stderr.flush()


def limit_threads(threads: int) -> None:
    """Keep native thread pools (the HF tokenizers' Rayon pool, OpenMP, PyTorch's) to the job's `threads`.

    Otherwise every job on a node starts one thread per core, and parallel jobs fight over them.
    Call before the first tokenizer is used. OpenMP reads OMP_NUM_THREADS when it loads, so a
    PyTorch imported before this call (most torch jobs import it with their modules) is told directly.
    """
    import os

    threads = max(1, int(threads))
    for variable in ("RAYON_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[variable] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
