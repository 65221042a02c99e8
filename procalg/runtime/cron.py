"""Cron expressions: the five-field Vixie-cron syntax, evaluated in UTC.

``minute hour day-of-month month day-of-week``; each field is ``*``, a
number, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of
those; months and weekdays also by three-letter English name (``jan``,
``mon``); weekday 0 and 7 are Sunday. As in Vixie cron (and POSIX), when
both day fields are restricted a day matches if EITHER matches.

Written here rather than taken from a library: the five-field syntax is
small, the engine needs only "the next due time after t" in UTC (a
durable engine's schedules must not move with a host's time zone or
daylight saving), and the runtime layer stays free of dependencies.

:meth:`Cron.next_after` skips whole months, days and hours that cannot
match, so it takes at most a few hundred steps for any expression.

Example:
    >>> c = Cron.parse("30 9 * * mon-fri")
    >>> import datetime as dt
    >>> t = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc).timestamp()  # a Saturday
    >>> dt.datetime.fromtimestamp(c.next_after(t), dt.timezone.utc).isoformat()
    '2026-12-07T09:30:00+00:00'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from procalg.errors import UsageError

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                        "sep", "oct", "nov", "dec"], start=1)}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))
_SEARCH_YEARS = 8
"""How far ahead a next time is looked for (Feb 29 on a Monday recurs within 28 years,
but an expression that fires less than once in eight years is almost surely a mistake)."""


def _error(text: str, why: str) -> UsageError:
    return UsageError(f"bad cron expression {text!r}: {why}",
                      hint="five fields: minute hour day-of-month month day-of-week, "
                           "e.g. '0 * * * *' (hourly) or '30 9 * * mon-fri'")


def _number(token: str, names: dict[str, int], text: str) -> int:
    token = token.lower()
    if token in names:
        return names[token]
    if not token.isdigit():
        raise _error(text, f"{token!r} is not a number")
    return int(token)


def _field(part: str, index: int, text: str) -> frozenset[int]:
    name, low, high, names = _FIELDS[index]
    values: set[int] = set()
    for item in part.split(","):
        span, slash, step_text = item.partition("/")
        step = _number(step_text, {}, text) if slash else 1
        if step < 1:
            raise _error(text, f"a step must be at least 1 in {item!r}")
        if span == "*":
            first, last = low, high
        else:
            a, dash, b = span.partition("-")
            first = _number(a, names, text)
            last = _number(b, names, text) if dash else (high if slash else first)
        if not low <= first <= last <= high:
            raise _error(text, f"{item!r} is outside the {name} range {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed cron expression: the allowed values of each field.

    Attributes:
        text: the expression as written.
        minutes, hours, days, months: allowed values.
        weekdays: allowed weekdays, 0 = Sunday (7 is folded into 0).
        any_day, any_weekday: the day fields were ``*`` (decides AND versus OR).
    """

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        """Parse five fields; :class:`~procalg.errors.UsageError` naming the bad one."""
        parts = text.split()
        if len(parts) != 5:
            raise _error(text, f"{len(parts)} fields, not 5")
        minutes, hours, days, months, weekdays = (_field(p, i, text) for i, p in enumerate(parts))
        cron = cls(text, minutes, hours, days, months,
                   frozenset(d % 7 for d in weekdays), parts[2] == "*", parts[4] == "*")
        cron.next_after(0.0)  # '0 0 31 2 *' never fires: say so now, not in a worker
        return cron

    def _day_matches(self, day: dt.datetime) -> bool:
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, t: float) -> float:
        """The first matching minute strictly after epoch seconds ``t`` (UTC)."""
        now = dt.datetime.fromtimestamp(t, dt.UTC).replace(second=0, microsecond=0)
        at = now + dt.timedelta(minutes=1)
        limit = now.year + _SEARCH_YEARS
        while at.year <= limit:
            if at.month not in self.months:
                at = (at.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
            elif not self._day_matches(at):
                at = at.replace(hour=0, minute=0) + dt.timedelta(days=1)
            elif at.hour not in self.hours:
                at = at.replace(minute=0) + dt.timedelta(hours=1)
            elif at.minute not in self.minutes:
                at += dt.timedelta(minutes=1)
            else:
                return at.timestamp()
        raise _error(self.text, f"it matches no time in {_SEARCH_YEARS} years")
