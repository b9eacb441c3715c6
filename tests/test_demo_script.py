"""The demo command as a user runs it: the banner appears once the site answers, and SIGTERM
(what a process manager sends) stops every process within 10 s (it used to hang a minute)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.notifications.procs import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.integration
@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    "signals",
    [[signal.SIGTERM], [signal.SIGTERM, signal.SIGTERM]],
    ids=["sigterm", "sigterm-twice"],  # twice: a process manager and its timeout both send it
)
def test_demo_banner_after_the_site_answers_and_sigterm_stops_everything(signals):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PORT"] = str(port)
    demo = subprocess.Popen(
        ["bash", "scripts/demo"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        output = []
        for line in demo.stdout:  # bounded by the test timeout
            output.append(line)
            if "is running" in line:
                break
        assert any("is running" in line for line in output), "".join(output[-30:])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200  # the banner's links work when it is shown

        started = time.monotonic()
        for number in signals:
            demo.send_signal(number)
            with contextlib.suppress(subprocess.TimeoutExpired):
                demo.wait(timeout=0.3)  # the second one lands during the cleanup
        demo.wait(timeout=15)
        stopped_after = time.monotonic() - started
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    assert stopped_after < 10
    # Nothing of the demo's process group is left running (exited children may take a moment
    # to be reaped by init).
    deadline = time.monotonic() + 3
    leftovers = ["?"]
    while leftovers and time.monotonic() < deadline:
        leftovers = subprocess.run(
            ["pgrep", "-g", str(demo.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        time.sleep(0.1)
    assert leftovers == []
