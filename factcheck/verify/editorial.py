"""Editorial safeguards: mistakes a desk makes in a check whose every quote
is right. Warnings, errors with `--strict`:

- `future-date`: a `published` or `updated` date after the day of the build
  (the check would go out dated in the future);
- `verdict-evidence`: the best rating of the scale with nothing supporting
  the claim and something contradicting it, or the worst with the reverse;
- `unsourced-claim`: no citation shows where the claim was made.

They need the config's scale or the day of the build, so they run on every
check, never from a cached parse. (The order of a check's own dates,
`date-order`, is in entries.py: it needs neither.)
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence

from ..diagnostics import Diagnostic, Location
from ..model import Check


def build_day() -> dt.date:
    """The day of the build: today, or the day of `SOURCE_DATE_EPOCH` (the
    reproducible-builds convention) when it is set, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def editorial(
    check: Check, loc: Callable[[str], Location], verdicts: Sequence[str], today: dt.date | None
) -> Iterator[Diagnostic]:
    """`loc(field)`: where a field of the entry is. `verdicts`: the scale's
    keys, best first. No `today`: no date is in the future."""
    if today is not None:
        yield from _future_dates(check, loc, today)
    yield from _verdict_evidence(check, loc, verdicts)
    if not any(c.stance == "claim" for c in check.citations):
        yield Diagnostic.at(
            loc("citations"),
            "unsourced-claim",
            "no citation shows where the claim was made",
            hint="add a citation with 'stance: claim' quoting the claimant's words, if the archive has them "
            "(import the page or document where the claim was made)",
            severity="warning",
        )


def _future_dates(check: Check, loc: Callable[[str], Location], today: dt.date) -> Iterator[Diagnostic]:
    for name, day in (("published", check.published), ("updated", check.updated)):
        if day is not None and day > today:
            yield Diagnostic.at(
                loc(name),
                "future-date",
                f"'{name}' ({day}) is after the day of this build ({today})",
                hint="a build publishes the check at once, dated as if it had appeared then; "
                "write the day it goes out, or keep it out of the site with 'draft: true' until then",
                severity="warning",
            )


def _verdict_evidence(check: Check, loc: Callable[[str], Location], verdicts: Sequence[str]) -> Iterator[Diagnostic]:
    if len(verdicts) < 2 or check.verdict not in verdicts:
        return
    supports = sum(c.stance == "supports" for c in check.citations)
    contradicts = sum(c.stance == "contradicts" for c in check.citations)
    place = verdicts.index(check.verdict)
    if place == 0 and not supports and contradicts:
        where, evidence = "best", f"no citation supports the claim and {contradicts} contradict{_s(contradicts)} it"
    elif place == len(verdicts) - 1 and not contradicts and supports:
        where, evidence = "worst", f"no citation contradicts the claim and {supports} support{_s(supports)} it"
    else:
        return
    yield Diagnostic.at(
        loc("verdict"),
        "verdict-evidence",
        f"'{check.verdict}' is the {where} rating of the scale, but {evidence}",
        hint=f"{supports} supporting, {contradicts} contradicting; '{check.verdict}' is {place + 1} of "
        f"{len(verdicts)} on the scale, best first: check the verdict, and the stance of each citation",
        severity="warning",
    )


def _s(n: int) -> str:
    """The verb's ending: 1 contradicts, 2 contradict."""
    return "s" if n == 1 else ""
