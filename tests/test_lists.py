"""Lists cut into pages (factcheck/site/lists.py): a list made from another
by a change (`Listing.replaced`, the preview's quick rebuild) has the pages a
list cut from nothing has, and carries over the pages of the years the
change leaves alone."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.site.lists import PER_PAGE, Listing

Item = tuple[dt.date, int]  # (day, id): ids keep equal days apart


def listing(items: list[Item]) -> Listing[Item]:
    ordered = tuple(sorted(set(items), reverse=True))  # newest first, as the site's lists
    return Listing("tags/x/", "tags/x/", ordered, lambda item: item[0])


# Over three years, so that a year often has several pages.
days = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2020, 12, 31))
items = st.lists(st.tuples(days, st.integers(0, 10_000)), min_size=40, max_size=200)  # pages to cut


@settings(max_examples=200, deadline=None)
@given(
    before=items,
    removed=st.sets(st.integers(0, 199)),
    added=st.lists(st.tuples(days, st.integers(0, 10_000)), max_size=30),
)
def test_a_list_replaced_has_the_pages_of_a_list_cut_from_nothing(
    before: list[Item], removed: set[int], added: list[Item]
) -> None:
    old = listing(before)
    _ = old.pages  # cut, as the site cuts a list it has shown
    gone = [item for n, item in enumerate(old.items) if n in removed]
    after = [item for item in old.items if item not in gone] + added
    years = {day.year for day, _ in (*gone, *added)}
    made = listing(after)
    replaced = old.replaced(made.items, years)
    assert replaced.pages == made.pages
    assert replaced.years == made.years and replaced.more == made.more
    # What it carried over is of the years the change left alone, and as it was.
    was = {page.folder: page for page in old.pages}
    assert all(was[folder] in replaced.pages for folder in replaced.reused)
    assert not any(int(folder.split("/")[2]) in years for folder in replaced.reused)


def test_an_edit_in_one_year_cuts_that_year_alone_again() -> None:
    before = [(dt.date(year, 1 + n % 12, 1 + n % 28), n) for year in (2018, 2019, 2020) for n in range(45)]
    old = listing(before)
    assert old.pages
    edited = dict(old.items[50:51])  # one item of 2019, the same day: a new version of it
    made = old.replaced(tuple(old.items), {next(iter(edited)).year})
    assert made.pages == listing(before).pages
    assert {f.split("/")[2] for f in made.reused} == {"2018", "2020"}
    assert len(made.reused) == 2 * -(-45 // PER_PAGE)
