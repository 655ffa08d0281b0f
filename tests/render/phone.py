"""A page as a phone shows it: headless Chromium driven over the DevTools protocol (through
``--remote-debugging-pipe``, standard library only), its viewport emulated at a phone's width
with the mobile flag set, so the page's ``<meta name="viewport">`` and media queries apply as
on a phone. (``--window-size`` cannot do this: headless Chromium keeps a window at least 500
px wide.)

    with Phone(412) as phone:
        phone.open(path)
        width = phone.eval("document.scrollingElement.scrollWidth")
        phone.screenshot(png)
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _high(fd: int) -> int:
    """``fd`` moved above 9 (not inherited)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def chromium() -> str:
    """The Chromium binary; the check fails (not skips) when it is missing, as the other
    Chromium checks of the suite do."""
    found = shutil.which("chromium")
    assert found, "chromium is needed: `make test` installs it (scripts/system-deps.sh)"
    return found


class Phone:
    """One headless Chromium with one tab whose viewport is ``width`` × ``height`` CSS px
    (device scale factor 1, mobile)."""

    def __init__(self, width: int, height: int = 900, timeout: float = 60.0):
        self.width, self.height, self.timeout = width, height, timeout
        self._id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self.session = ""

    def __enter__(self) -> Phone:
        self._profile = tempfile.TemporaryDirectory(prefix="phone-profile-")
        # the protocol pipe is Chromium's fd 3 (it reads) and fd 4 (it writes); our ends and
        # the copies are kept above fd 9 so that placing them cannot overwrite one another
        reads, self._to_chrome = (_high(fd) for fd in os.pipe())
        self._from_chrome, writes = (_high(fd) for fd in os.pipe())

        def place() -> None:  # in the child, before Chromium starts
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        self._process = subprocess.Popen(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={self._profile.name}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=place,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(reads)
        os.close(writes)
        try:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            attached = self.send("Target.attachToTarget", targetId=target, flatten=True)
            self.session = attached["sessionId"]
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=self.width,
                height=self.height,
                deviceScaleFactor=1,
                mobile=True,
            )
            self.send("Page.enable")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session = ""
            self.send("Browser.close")
        except (OSError, AssertionError, TimeoutError):
            pass
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()

    # -- the protocol ---------------------------------------------------------------------

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method`` in the tab (or the browser, before a tab is attached) and return
        its result; events that arrive meanwhile are kept for ``wait_for``."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, event: str) -> dict[str, Any]:
        while True:
            for i, seen in enumerate(self._events):
                if seen["method"] == event:
                    return self._events.pop(i)
            self._events.append(self._read())

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise OSError("Chromium closed the protocol pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    # -- what a test does -----------------------------------------------------------------

    def open(self, page: Path) -> None:
        """Load ``page`` (a file) and wait for its load event and its fonts."""
        self._events = [e for e in self._events if e["method"] != "Page.loadEventFired"]
        self.send("Page.navigate", url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.eval("document.fonts.ready.then(() => true)")

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """A PNG of the viewport (or of the whole page's height, at the viewport's width)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            height = self.eval("document.scrollingElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path
