"""The link scanner (factcheck/site/links.py) remembers where a link that
climbs to the site's root leads, once for every page at that depth: that is
exact only if such a link leads to the same place from every page there."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.site.links import _SCHEME, LinkScanner, _path_of

names = st.text("abcé-_.0", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))
folders = st.lists(names, max_size=4)
tails = st.lists(st.sampled_from(["x", "y.html", "..", ".", "", "ü%20z", "index.html"]), max_size=4).map("/".join)
suffixes = st.sampled_from(["", "/", "?q=1", "#f", "/#f", "?a#b"])


@given(first=folders, second=folders, extra=st.integers(0, 2), tail=tails, suffix=suffixes)
def test_a_link_that_climbs_to_the_root_leads_alike_from_every_page_at_its_depth(
    first: list[str], second: list[str], extra: int, tail: str, suffix: str
) -> None:
    depth = min(len(first), len(second))
    one = "/".join([*first[:depth], "index.html"])
    other = "/".join([*second[:depth], "page.html"])
    ref = "../" * (depth + extra) + tail + suffix
    scanner = LinkScanner("/")
    assert scanner.resolve(one, ref) == scanner.resolve(other, ref)


def test_the_remembered_target_is_the_one_worked_out() -> None:
    remembered, fresh = LinkScanner("/"), LinkScanner("/")
    pages = ["checks/a/index.html", "checks/b/index.html", "tags/x/2020/1/index.html", "index.html"]
    for page in pages:
        html = '<a href="../../static/s.css"></a><a href="../../../../checks/a/"></a><a href="x/"></a>'
        remembered.scan(page, html.encode())
        fresh._from_root.clear()
        fresh._as_written.clear()
        fresh.scan(page, html.encode())
    assert remembered._first == fresh._first


# `check` renders an entry's Markdown to find its links only when `_may_link`
# says it may hold one to a file of the site: that is exact only if a text it
# passes over never renders such a link.
_PIECES = [
    "[a]",
    "(",
    ")",
    "](",
    "]:",
    "[r]: ",
    "<",
    ">",
    " ",
    "\n",
    "\n\n",
    "\\",
    "&#47;",
    "&amp;",
    "`",
    "!",
    "*",
    "https://x.org/a",
    "HTTP:y",
    "mailto:m@x.org",
    "c:d",
    "javascript:z",
    "/x",
    "../y/",
    "checks/c/",
    "#f",
    "?q",
    "z.png",
    "<https://a.b>",
    "<m@x.org>",
    "\t",
    '"t"',
    "[r]",
    "[]",
]


_TARGETS = st.lists(st.sampled_from(_PIECES[17:] + [" ", "<", ">", "\n"]), min_size=1, max_size=3).map("".join)
_LINKS = st.one_of(
    _TARGETS.map(lambda t: f"[a]({t})"),
    _TARGETS.map(lambda t: f"![i]({t})"),
    _TARGETS.map(lambda t: f"[a]( <{t}> )"),
    _TARGETS.map(lambda t: f"[r]\n\n[r]: {t}\n"),
)


@given(st.lists(st.one_of(st.sampled_from(_PIECES), _LINKS), max_size=6).map("".join))
def test_a_text_check_passes_over_holds_no_link_to_the_site(text: str) -> None:
    from factcheck.site.links import _links_of, _may_link
    from factcheck.site.markdown import render_markdown

    if _may_link(text):
        return
    links = _links_of(LinkScanner("/"), "checks/x/index.html", str(render_markdown(text)))
    assert links == []


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                " ",
                "\n",
                "x",
                '"',
                "=",
                "<a",
                ">",
                "href",
                "src",
                "srcset",
                "set",
                "poster",
                "action",
                "data-bundles",
                'href="',
                ' src="',
                "../a/",
                "é",
                "\u00a0",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_attributes_are_found_as_the_regular_expression_finds_them(text: str) -> None:
    """links.attributes, made with str.find for speed, gives what the
    pattern it stands for gives, malformed HTML included."""
    from factcheck.site.links import _ATTRIBUTE, attributes

    assert attributes(text) == _ATTRIBUTE.findall(text)


@given(st.text("ab/.:#?%20\t\n\r é\x01\x1b\x7f", max_size=12))
def test_a_links_path_is_what_urlsplit_reads(ref: str) -> None:
    # The links resolve() reads: no scheme, not beginning with "//".
    if ref.strip().startswith("//") or _SCHEME.match(ref.strip()):
        return
    assert _path_of(ref.strip()) == urlsplit(ref.strip()).path
