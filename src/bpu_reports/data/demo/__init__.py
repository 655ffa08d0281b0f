"""Deterministic demo data: BPU members of Bali (or all Indonesia), July 2015 – December 2018.

``build_demo(path, scale="bali", seed=DEFAULT_SEED)`` writes a warehouse whose KC Bali
Denpasar figures for July 2017 are the seed's (16.800 registered, 6.800 active, 60 % on time)
for any seed. See ``docs/demo-data.md`` for what is calibrated and what is invented.
"""

from bpu_reports.data.demo.build import DEFAULT_SEED, build_demo
from bpu_reports.data.demo.organisation import SCALES

__all__ = ["DEFAULT_SEED", "SCALES", "build_demo"]
