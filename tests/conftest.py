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


# Long serial groups first: xdist hands work units out in collection order, so the end-to-end
# pipeline (the longest chain of the suite) starts on one worker at once and the SLURM run on the
# other, and the unit tests fill in beside them instead of delaying them. Heavy tests that only
# read the finished default run (and are in no group) go last, to whichever worker is free then;
# earlier they would hold a worker idle on the default run's lock.
FIRST_GROUPS = ("pipeline", "slurm")


def _group_rank(item) -> int:
    marker = item.get_closest_marker("xdist_group")
    group = (marker.args[0] if marker.args else marker.kwargs.get("name")) if marker else None
    if group in FIRST_GROUPS:
        return FIRST_GROUPS.index(group)
    return len(FIRST_GROUPS) + ("default_run" in getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_group_rank)  # stable: the order within each rank is kept
