"""A worker ends with `os._exit` after its work (no interpreter teardown): what it printed and logged
must still arrive, and its exit code must be the one it chose."""

import os
import subprocess
import sys
import textwrap


def test_a_worker_ended_without_teardown_still_delivers_its_buffered_output_and_exit_code(tmp_path):
    log_file = tmp_path / "worker.log"
    script = textwrap.dedent(f"""
        import logging
        from xuanyuan.train.distributed import end_worker

        logging.basicConfig(level=logging.INFO, handlers=[logging.StreamHandler(sys.stderr),
                                                         logging.FileHandler({str(log_file)!r})])
        print("stdout line, block-buffered into a pipe")
        logging.getLogger("xuanyuan.train").info("the last log line")
        end_worker(3)
        print("never printed")
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout stays block-buffered
    done = subprocess.run([sys.executable, "-c", "import sys\n" + script], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "stdout line, block-buffered into a pipe\n"
    assert "the last log line" in done.stderr
    assert "the last log line" in log_file.read_text()
