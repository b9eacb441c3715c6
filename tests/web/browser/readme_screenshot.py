"""Make docs/event-page.png: the Egvekinot/Fairbanks ceremony page with the demo data.

    .venv/bin/python -m tests.web.browser.readme_screenshot

Uses a throw-away SQLite database and a private runserver port; touches nothing else.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

from tests.web.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT

PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
EVENT = "/events/alsib-wreaths-egvekinot-fairbanks-2020/"
TARGET = ROOT / "docs" / "event-page.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "TWINNING_VAR_DIR": tmp,
            "DEBUG": "0",
            # Production settings need a private key and say plain HTTP on loopback.
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
            "PLAIN_HTTP": "1",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "load_demo", "--no-user"], env=env, check=True, cwd=ROOT)
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload", "--insecure"],
            env=env,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{PORT}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 - local URL
                    break
                except OSError:
                    time.sleep(0.2)
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(
                    viewport={"width": 1100, "height": 800},
                    locale="en-US",
                    timezone_id="Europe/Berlin",
                )
                page.goto(base + EVENT)
                page.locator("time[data-rendered=true]").wait_for()
                TARGET.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(TARGET), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
