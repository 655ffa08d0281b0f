"""A stop whose ``Interrupted`` is swallowed by the code it lands in (as an event loop can),
which then fails on what the stop ended: the failure is reported as the stop, not as a broken
report (a kernel killed by the stop once surfaced as ``DeadKernelError``, exit 1)."""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from bpu_reports.errors import Interrupted
from bpu_reports.run import stop


def swallowing_code_that_then_fails() -> None:
    with contextlib.suppress(Interrupted):  # swallowed, as an event loop's task would
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here and raises Interrupted
    raise RuntimeError("Kernel died while waiting for execute reply")


def test_a_failure_after_a_swallowed_stop_is_the_stop():
    with pytest.raises(Interrupted) as caught, stop.on_signals():
        swallowing_code_that_then_fails()
    assert caught.value.signum == signal.SIGTERM and caught.value.exit_code == 143
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert stop.requested() is None  # over once the stop is handled


def test_a_failure_without_a_stop_is_left_as_it_is():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError, match="on its own"), stop.on_signals():
        raise RuntimeError("on its own")
    assert signal.getsignal(signal.SIGTERM) is before  # the previous handler is back
