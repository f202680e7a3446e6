import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """../shared/data beside the checkout, or $XUANYUAN_SHARED_DATA; None on a user's clone."""
    candidate = Path(os.environ.get("XUANYUAN_SHARED_DATA", REPO.parent / "shared" / "data"))
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not present (it only exists on the project's dev/CI machines)")
    return path


@pytest.fixture
def repo() -> Path:
    return REPO
