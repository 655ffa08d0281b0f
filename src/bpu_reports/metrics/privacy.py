"""Small-cell suppression (SPEC §2): in any breakdown below branch level, a count under 5 is
shown as "< 5" and the rates computed from it are withheld."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

THRESHOLD = 5
SMALL = "< 5"
WITHHELD = "–"


def suppress_small_cells(
    frame: pd.DataFrame,
    counts: Sequence[str],
    rates: Mapping[str, Sequence[str]] | None = None,
    threshold: int = THRESHOLD,
) -> pd.DataFrame:
    """A display-safe copy of ``frame``.

    Each column in ``counts`` whose value is under ``threshold`` becomes ``SMALL``; each rate
    column in ``rates`` (mapped to the counts it is computed from) becomes ``WITHHELD`` on rows
    where any of its counts was suppressed. Other columns are untouched.
    """
    out = frame.copy()
    small = {c: frame[c].notna() & (frame[c] < threshold) for c in counts}
    for rate, bases in (rates or {}).items():
        mask = pd.Series(False, index=frame.index)
        for base in bases:
            mask |= small[base] if base in small else frame[base] < threshold
        out[rate] = out[rate].astype(object).where(~mask, WITHHELD)
    for c, mask in small.items():
        out[c] = out[c].astype(object).where(~mask, SMALL)
    return out
