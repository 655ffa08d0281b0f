"""One explanation of a large change of the report month: the ``Driver`` record that
``metrics.drivers`` finds and the report turns into a sentence, with the metrics it explains
and the kinds of driver. No words here, and no figures computed: see ``metrics.drivers``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Metric = Literal["on_time_rate", "active", "new_registrations"]
Kind = Literal["late_joiners", "event", "segment", "channel", "rates", "due_date"]


@dataclass(frozen=True)
class Driver:
    """One explanation of a large change of ``metric`` in the report month.

    ``change`` is the report month's figure minus the previous month's (rate units for the
    on-time rate: -0.078 is a fall of 7,8 points; members otherwise); ``effect`` is how much of
    it this driver explains, in the same unit (NaN: not measurable from the figures, for
    ``kind="rates"``). ``subject`` names what drove it: the event's venue, a segment or channel
    code, or the legal basis of a rates-table change (``"PP 49/2020"``). ``figures`` holds what
    a sentence needs, plain Python values; by kind:

    - ``late_joiners``: ``members`` (late joiners of the subject this month),
      ``members_previous``, ``late_joiners_all`` (from every source), ``due_date``, ``rate``,
      ``rate_previous``, ``rate_without`` and ``rate_without_previous`` (the on-time rates with
      the subject's late joiners left out), ``source`` ('event' | 'channel'), and ``event_id``,
      ``venue``, ``held_on``, ``title`` for an event or ``channel`` for a channel;
    - ``event``: ``members`` (active new members, or registrations, this month),
      ``members_previous`` (registrations last month), ``new_registrations``, ``event_id``,
      ``venue``, ``held_on``, ``title``;
    - ``segment`` / ``channel``: ``members`` and ``members_previous`` (active members or new
      registrations of the subject); for the on-time rate ``active``, ``active_previous``,
      ``rate``, ``rate_previous``;
    - ``due_date``: ``due_date``, ``due_date_previous_rule``, ``due_day``,
      ``due_day_previous``, ``rate``, ``rate_previous_rule``;
    - ``rates``: ``sectors``, ``basis``, ``basis_previous``, ``minimum`` and
      ``minimum_previous`` (monthly contribution at ``MIN_INCOME`` without JHT), ``jkk_rate``,
      ``jkm_amount``, ``jht_rate`` and their ``…_previous``.
    """

    metric: Metric
    change: float
    kind: Kind
    subject: str
    effect: float
    figures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def share(self) -> float:
        """The part of the change this driver explains (1.0 = all of it; NaN for rates)."""
        return self.effect / self.change if self.change else math.nan
