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


# The end-to-end default pipeline is the longest chain of the suite: when the whole workflow
# folder is selected, the session starts it at once in the background (tests/workflow/conftest.py
# runs it under a lock, so the tests that need it wait for this run instead of starting another),
# and the unit tests run beside it on every worker. Tests that need the finished run go last in
# collection order, so that xdist hands them out when the unit tests are done instead of parking
# a worker on the lock; the SLURM group (which needs no default run) goes first. Tests marked
# `beside_pipeline` do long work of their own before they ask for the finished run: they go between,
# so that they run while the default run trains and evaluates (mostly one or two processes).
FIRST_GROUPS = ("slurm",)
_pipeline: dict = {}


def _group_name(item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return (marker.args[0] if marker.args else marker.kwargs.get("name")) if marker else None


def _group_rank(item) -> int:
    group = _group_name(item)
    if group in FIRST_GROUPS:
        return FIRST_GROUPS.index(group)
    if item.get_closest_marker("beside_pipeline"):
        return len(FIRST_GROUPS) + 1
    return len(FIRST_GROUPS) + 2 * ("default_run" in getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_group_rank)  # stable: the order within each rank is kept


# Each xdist group shares one long setup (a SLURM run, a pipeline run). pytest-xdist groups by a
# suffix it writes into each grouped test's node id, which some pytest versions silently drop
# (pytest-dev/pytest-xdist#1386); the tests still pass (their setups are shared under a lock), but
# every worker but one waits on the lock. Said at the end of the run, in the controller.
_ungrouped: list[str] = []


def pytest_runtest_logreport(report):
    if "xdist_group" in report.keywords and "@" not in report.nodeid and report.when == "setup":
        _ungrouped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter, config):
    if _ungrouped and config.getvalue("dist") == "loadgroup":
        terminalreporter.write_sep("=", "xdist groups were split", red=True)
        terminalreporter.write_line(
            f"{len(_ungrouped)} tests marked xdist_group ran without their group (e.g. {_ungrouped[0]}), so the "
            "workers waited on each other's setups: this pytest breaks --dist loadgroup "
            "(pytest-dev/pytest-xdist#1386); install the pytest that pyproject.toml's `dev` extra pins.")


def _selects_the_whole_workflow_folder(config) -> bool:
    if config.option.markexpr or config.option.keyword or config.option.collectonly:
        return False
    workflow = (REPO / "tests" / "workflow").resolve()
    for arg in config.args or [str(REPO / "tests")]:
        path = (Path(config.invocation_params.dir) / arg.split("::")[0]).resolve()
        if "::" not in arg and workflow.is_relative_to(path):
            return True
    return False


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if hasattr(config, "workerinput") or not _selects_the_whole_workflow_folder(config):
        return  # workers, and runs that select only some tests, start the pipeline when a test needs it
    import threading

    from tests.workflow.conftest import ensure_default_run

    shared = config._tmp_path_factory.getbasetemp()

    def run():
        try:
            ensure_default_run(shared)
        except Exception:
            pass  # written to default_run.failed: every test that needs the run reports it

    _pipeline["thread"] = threading.Thread(target=run, name="default-pipeline", daemon=True)
    _pipeline["thread"].start()


def pytest_unconfigure(config):
    thread = _pipeline.get("thread")
    if thread is not None and thread.is_alive():
        # The session ended before the pipeline did (-x, Ctrl-C): stop it with the session.
        import psutil

        for child in psutil.Process().children(recursive=True):
            child.kill()
