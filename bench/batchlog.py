"""What a batch's log file (OUT/PERIOD/logs/generate-*.log) tells about its pace."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

OK = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO\s+ok\s")


def finished(out: Path, period: str) -> list[float]:
    """When each report of the latest batch of ``period`` finished, in seconds (epoch)."""
    log = max((out / period / "logs").glob("generate-*.log"))
    times = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if m := OK.match(line):
            stamp = dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
            times.append(stamp.timestamp())
    return sorted(times)


def steady_rate(out: Path, period: str, workers: int) -> float:
    """Reports a second once every worker has finished its first: the batch's throughput
    without its start-up (the CLI, the metric pass, the workers getting ready) and end."""
    times = finished(out, period)
    if len(times) <= workers:
        raise ValueError(f"{len(times)} reports: too few to see {workers} worker(s) at pace")
    return (len(times) - workers) / (times[-1] - times[workers - 1])
