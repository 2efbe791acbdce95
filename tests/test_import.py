"""`factcheck import`: a saved web page archived as an article of the corpus."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest

from factcheck.cli import main
from factcheck.editor.archive import _write_new, extract
from factcheck.verify.corpus import load_corpus

from .conftest import FIXTURES, REPO, Desk, Run

PAGES = FIXTURES / "import"


@pytest.fixture
def empty_desk(tmp_path: Path) -> Desk:
    """The sample desk's config and templates, with empty content folders."""
    root = tmp_path / "desk"
    (root / "content" / "checks").mkdir(parents=True)
    (root / "content" / "articles").mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    return Desk(root)


def run(desk: Desk, *args: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(["import", *map(str, args), "--config", str(desk.config)], stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def article_file(front: list[str], paragraphs: list[str]) -> str:
    body = "\n\n".join(paragraphs) + "\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return "---\n" + "".join(line + "\n" for line in front) + f"sha256: {digest}\n---\n" + body


def files(folder: Path) -> dict[str, bytes]:
    """Every file below a folder, hidden ones included (a left-over temporary file would show)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_loads_cleanly(desk: Desk, article_id: str) -> None:
    articles, diagnostics = load_corpus(desk.articles, desk.root)
    assert diagnostics == []
    article = articles[article_id]
    assert article.sha256 == hashlib.sha256(article.body.encode("utf-8")).hexdigest()
    check = desk.run("check", "--strict")
    assert check.code == 0, check.out
    assert check.out.startswith("ok: ")


# --- the four layouts ---------------------------------------------------------

HARBOUR = article_file(
    [
        'title: "Ferry link to Kessock Island suspended after storm damages pier"',
        'publisher: "The Harbour Gazette"',
        'author: "Maria Okafor"',
        'url: "https://www.harbourgazette.example/news/2023/oct/18/kessock-ferry-suspended"',
        "published: 2023-10-18",
        'language: "en-GB"',
    ],
    [
        "The ferry between Kessock Point and the island was suspended on Tuesday after Storm Agnes tore a "
        "12-metre section from the pier, the operator, Firth Ferries & Co, said.",
        "Engineers inspected the structure on Wednesday morning. Their initial report found that two of the "
        "pier\u2019s timber piles had been \u201csheared clean through\u201d by the swell.",
        "About 180 people live on Kessock Island, and the Morven ferry is their only direct link to the "
        "mainland. Without it, the nearest crossing is the bridge at Dunmore, 40 miles to the north.",
        "Detour adds an hour",
        "Islanders said the detour would add more than an hour to journeys to the secondary school and the "
        "health centre in Kessock Point.",
        "\u201cWe were told last spring that the pier was safe for another ten years,\u201d said Ailsa Grant, "
        "who chairs the island\u2019s community council.",
        "Firth Ferries said it would put on replacement services while the pier is repaired:",
        "a minibus from the island slipway to Dunmore at 07.10 and 16.30 on weekdays;",
        "a water taxi for medical appointments, booked through the health centre.",
        "The council\u2019s harbour committee will meet on Friday to discuss the cost of the repairs, which "
        "officials estimate at \u00a31.2m.",
    ],
)


def test_news_article_with_json_ld(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html")
    assert result.code == 0, result.err
    assert result.err == ""
    written = empty_desk.articles / "harbour-gazette-2023-10-18.txt"
    assert written.read_bytes().decode("utf-8") == HARBOUR
    assert result.out == (
        "archived content/articles/harbour-gazette-2023-10-18.txt: id harbour-gazette-2023-10-18, "
        '"Ferry link to Kessock Island suspended after storm damages pier", 10 paragraphs; '
        'cite it as article: harbour-gazette-2023-10-18 (factcheck find "words from it" '
        "prints ready-to-paste citations)\n"
    )
    body = written.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    for furniture in (
        "Skip to content",
        "cookies",
        "Sections",
        "Sport",
        "Advertisement",
        "Sponsored",
        "Transport",  # the kicker link, the tags
        "Maria Okafor",  # byline
        "Wed 18 Oct",
        "Photograph",  # figure caption
        "dataLayer",  # scripts
        "gtag",
        "trackPageView",
        "first-letter",  # style
        "READ MORE",
        "Island school",  # related stories
        "Share on",
        "Email this story",
        "Topics",
        "Got a story",  # the story's footer
        "Comments",
        "Join the conversation",
        "All rights reserved",  # the site's footer
        "Privacy",
        "Harbour Gazette Online",  # og:site_name loses to JSON-LD
        "2023-10-19",  # article:published_time loses to JSON-LD
        "utm_source",  # og:url loses to JSON-LD
    ):
        assert furniture not in body, furniture
    assert 'author: "Maria Okafor"' in written.read_text(encoding="utf-8")  # the byline, as metadata
    assert_loads_cleanly(empty_desk, "harbour-gazette-2023-10-18")


def test_open_graph_only(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "riverside-echo-hosepipe.html")
    assert result.code == 0, result.err
    assert result.err == ""
    written = empty_desk.articles / "riverside-echo-2022-09-02.txt"
    assert written.read_text(encoding="utf-8") == article_file(
        [
            'title: "Hosepipe ban lifted across Lower Tamsin valley after wettest August on record"',
            'publisher: "Riverside Echo"',
            'url: "https://riverside-echo.example/local/hosepipe-ban-lifted-lower-tamsin"',
            "published: 2022-09-02",
            'language: "en-US"',
        ],
        [
            "Tamsin Water says reservoir levels have recovered to 87 per cent of capacity, the highest for the "
            "time of year since 2012.",
            "Households across the Lower Tamsin valley can use hosepipes and sprinklers again from Saturday, "
            "after the wettest August since local records began in 1871.",
            "Tamsin Water introduced the ban on 11 July, when the main reservoir at Carrow Moss had fallen to "
            "49 per cent of capacity after eight weeks with almost no rain.",
            "The company's operations director, Priya Raman, thanked customers for cutting their use by about "
            'a tenth during the ban. "It made a real difference to how long our supplies lasted," she said.',
            "Campaigners said the ban should not have been needed. The Tamsin Rivers Trust said the company "
            "still loses about a fifth of the water it treats through leaking pipes.",
            "The company said it would publish its updated leakage figures in October.",
        ],
    )
    text = written.read_text(encoding="utf-8")
    for furniture in ("Dan Whitlock", "WhatsApp", "also like", "Walkers return", "morning briefing", "Most read"):
        assert furniture not in text, furniture
    assert "6 paragraphs" in result.out
    assert_loads_cleanly(empty_desk, "riverside-echo-2022-09-02")


def test_page_without_metadata_falls_back_to_what_it_shows(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "Council_Vote_Report.html")
    assert result.code == 0, result.err
    written = empty_desk.articles / "council-vote-report.txt"  # no publisher: the file's name, as an id
    assert written.read_text(encoding="utf-8") == article_file(
        ['title: "Library hours to be cut after council budget vote"', "published: 2019-03-07"],
        [
            "Northfield's two public libraries will open for 12 fewer hours a week from April, after the "
            "district council approved its budget on Wednesday night by 23 votes to 19.",
            "The central library on Market Street will close on Mondays, and the branch library in Eastbrook "
            "will open only in the mornings, except on Saturdays.",
            "The council's finance lead, Councillor Tom Beddoes, said the cuts would save about \u00a3140,000 a "
            'year. "Nobody on this council wanted to do this," he told the meeting.',
            "More than 2,000 people signed a petition against the cuts, which was presented to the council "
            "before the vote.",
        ],
    )
    assert result.out.startswith("archived content/articles/council-vote-report.txt: id council-vote-report, ")
    assert result.err.splitlines()[0] == (
        "content/articles/council-vote-report.txt: warning[import]: "
        "the page does not give the article's publisher or address (url)"
    )
    assert (
        '  help: if you know it, add it to the front matter by hand (publisher: "…", url: "https://…"); '
        "the sha256 pins only the body, so the front matter can be completed"
    ) in result.err
    assert_loads_cleanly(empty_desk, "council-vote-report")


def test_latin1_page_is_archived_as_utf8(empty_desk: Desk) -> None:
    page = PAGES / "courrier-vallee-crue.html"
    assert b"\xe9vacu\xe9s" in page.read_bytes()  # the fixture really is Latin-1
    result = run(empty_desk, page)
    assert result.code == 0, result.err
    written = empty_desk.articles / "le-courrier-de-la-vallee-2018-04-12.txt"
    assert written.read_bytes().decode("utf-8") == article_file(
        [
            'title: "Crue de l\'Arve : les habitants du quartier des \u00celes \u00e9vacu\u00e9s"',
            'publisher: "Le Courrier de la Vall\u00e9e"',
            'url: "https://www.courrier-vallee.example/sallanches/crue-arve-evacuation"',
            "published: 2018-04-12",
            'language: "fr"',
        ],
        [
            "Une quarantaine de familles ont pass\u00e9 la nuit au gymnase municipal apr\u00e8s la mont\u00e9e "
            "des eaux.",
            "L'Arve a atteint mercredi soir une hauteur de 3,40 m\u00e8tres au pont de Saint-Martin, soit "
            "pr\u00e8s d'un m\u00e8tre au-dessus de son niveau d'alerte, selon la pr\u00e9fecture de la "
            "Haute-Savoie.",
            "\u00ab Nous avons pr\u00e9f\u00e9r\u00e9 \u00e9vacuer le quartier par pr\u00e9caution \u00bb, a "
            "expliqu\u00e9 le maire, Georges Morand, jeudi matin. Les pompiers sont intervenus \u00e0 23 "
            "reprises pendant la nuit.",
            "La fonte des neiges, acc\u00e9l\u00e9r\u00e9e par des temp\u00e9ratures de 18 \u00b0C en altitude, "
            "et deux jours de pluie continue expliquent cette crue, la plus forte depuis 2015.",
            "Les habitants pourront regagner leur domicile d\u00e8s que le niveau de la rivi\u00e8re sera "
            "redescendu sous la cote d'alerte, probablement vendredi.",
        ],
    )
    assert "Partager" not in written.read_text(encoding="utf-8")
    assert_loads_cleanly(empty_desk, "le-courrier-de-la-vallee-2018-04-12")


# --- less common pages --------------------------------------------------------------


def test_page_declared_latin1_is_read_as_windows_1252() -> None:
    page = extract(
        b'<html><head><meta charset="ISO-8859-1"><title>Caf\xe9s</title></head>'
        b"<body><article><p>The owner said: \x93We\x92re open.\x94 \x96 and so they were.</p></article></body></html>"
    )
    assert page.paragraphs == ("The owner said: \u201cWe\u2019re open.\u201d \u2013 and so they were.",)
    assert page.title == "Caf\u00e9s"


def test_undecodable_bytes_are_a_warning(empty_desk: Desk, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    page = tmp_path / "undeclared.html"
    page.write_bytes(b"<html><body><h1>Caf\xe9</h1><p>The caf\xe9 \x81 closed after forty years.</p></body></html>")
    result = run(empty_desk, page)
    assert result.code == 0, result.err
    assert f"{page}: warning[import]: some bytes are not text in the page's encoding (utf-8)" in result.err
    assert "The caf\ufffd \ufffd closed after forty years." in (empty_desk.articles / "undeclared.txt").read_text(
        encoding="utf-8"
    )
    assert [r.getMessage() for r in caplog.records] == []  # bs4's own note would reach the terminal unformatted


def test_article_body_from_json_ld_when_the_page_shows_no_story() -> None:
    page = extract(
        b"""<html><head><script type="application/ld+json">[{"@type": "WebSite", "name": "Wire"},
        {"@type": ["ReportageNewsArticle"], "headline": "Dam inspection finds cracks",
         "datePublished": "Tue, 06 Dec 2016 09:00:00 GMT", "publisher": {"@type": "Organization", "name": "Wire"},
         "articleBody": "Inspectors found two cracks in the dam.\\nRepairs will start in spring."}]</script>
        </head><body><div class="app"><p>Loading\xe2\x80\xa6</p></div></body></html>"""
    )
    assert page.paragraphs == ("Inspectors found two cracks in the dam.", "Repairs will start in spring.")
    assert (page.title, page.publisher, str(page.published)) == ("Dam inspection finds cracks", "Wire", "2016-12-06")


def test_teaser_cards_do_not_win_over_the_story() -> None:
    story = "".join(f"<p>Paragraph {n} of the story, long enough to be the story's own text.</p>" for n in range(6))
    page = extract(
        f"<html><body><h1>Story</h1><div id='story'>{story}</div>"
        "<div class='more'><article><p>A teaser.</p></article></div></body></html>".encode()
    )
    story = [f"Paragraph {n} of the story, long enough to be the story's own text." for n in range(6)]
    assert [p for p in page.paragraphs if p.startswith("Paragraph")] == story


# --- refusing -----------------------------------------------------------------------


def test_refuses_to_overwrite_an_archived_article(empty_desk: Desk) -> None:
    assert run(empty_desk, PAGES / "harbour-gazette-ferry.html").code == 0
    before = files(empty_desk.articles)

    again = run(empty_desk, PAGES / "harbour-gazette-ferry.html")
    assert again.code == 1
    assert again.out == ""
    assert again.err.splitlines() == [
        f"{PAGES / 'harbour-gazette-ferry.html'}: error[import]: article id 'harbour-gazette-2023-10-18' (made "
        "from the page's publisher and date) already exists: content/articles/harbour-gazette-2023-10-18.txt; "
        "archived articles are never overwritten",
        "  help: if this is another article or a later version, give it an id of its own: "
        "--id harbour-gazette-2023-10-18-2",
        "1 error, 0 warnings",
    ]

    other = run(empty_desk, PAGES / "riverside-echo-hosepipe.html", "--id", "harbour-gazette-2023-10-18")
    assert other.code == 1
    assert "article id 'harbour-gazette-2023-10-18' already exists" in other.err
    assert other.err.splitlines()[1].endswith("give it an id of its own: --id riverside-echo-2022-09-02")
    assert files(empty_desk.articles) == before  # byte for byte, and no temporary file left behind


def test_the_same_text_under_another_id_is_refused(empty_desk: Desk) -> None:
    assert run(empty_desk, PAGES / "harbour-gazette-ferry.html").code == 0
    before = files(empty_desk.articles)
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html", "--id", "kessock-ferry")
    assert result.code == 1
    assert "this text is already archived as article 'harbour-gazette-2023-10-18'" in result.err
    assert files(empty_desk.articles) == before


def test_existing_id_in_a_subfolder_counts(empty_desk: Desk) -> None:
    (empty_desk.articles / "2022").mkdir()
    (empty_desk.articles / "2022" / "riverside-echo-2022-09-02.txt").write_text("An older text.\n", encoding="utf-8")
    result = run(empty_desk, PAGES / "riverside-echo-hosepipe.html")
    assert result.code == 1
    assert "already exists: content/articles/2022/riverside-echo-2022-09-02.txt" in result.err
    assert not (empty_desk.articles / "riverside-echo-2022-09-02.txt").exists()


def test_id_option(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html", "--id", "kessock-ferry")
    assert result.code == 0, result.err
    assert (empty_desk.articles / "kessock-ferry.txt").read_text(encoding="utf-8") == HARBOUR
    assert_loads_cleanly(empty_desk, "kessock-ferry")


@pytest.mark.parametrize("bad", ["Kessock_Ferry", "-ferry", "ferry.txt", "x" * 81, ""])
def test_invalid_id_is_a_usage_error(empty_desk: Desk, bad: str) -> None:
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html", f"--id={bad}")
    assert result.code == 2
    assert f"error[import]: '{bad}' is not a valid article id" in result.err
    assert "help: ids are lowercase letters, digits and '-'" in result.err
    assert files(empty_desk.articles) == {}


def test_invalid_id_hint_names_a_valid_one(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html", "--id", "Kessock_Ferry")
    assert result.err.splitlines()[1].endswith("try --id kessock-ferry")


def test_missing_file_and_folder_are_usage_errors(empty_desk: Desk, tmp_path: Path) -> None:
    missing = run(empty_desk, tmp_path / "nowhere.html")
    assert missing.code == 2
    assert missing.err.startswith(f"{tmp_path / 'nowhere.html'}: error[import]: no such file\n")
    folder = run(empty_desk, tmp_path)
    assert folder.code == 2
    assert "error[import]: this is a folder, not a saved page" in folder.err
    assert files(empty_desk.articles) == {}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n", "an MHTML archive"),
        (b"---\ntitle: An article\n---\nIts text.\n", "a plain text file"),
    ],
)
def test_what_is_not_a_web_page(empty_desk: Desk, tmp_path: Path, data: bytes, kind: str) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes(data)
    result = run(empty_desk, page)
    assert result.code == 2
    assert f"{page}: error[import]: this is {kind}" in result.err
    assert ", not a web page, a WARC capture or a PDF" in result.err
    assert files(empty_desk.articles) == {}


def test_page_without_article_text_is_an_error(empty_desk: Desk, tmp_path: Path) -> None:
    page = tmp_path / "front.html"
    page.write_text(
        "<html><head><title>Front page | Wire</title><script>var story = 'not text';</script></head><body>"
        "<nav><p>News</p><p>Sport</p></nav><div class='ad'><p>Advertisement</p></div>"
        "<footer><p>\u00a9 Wire</p></footer></body></html>",
        encoding="utf-8",
    )
    result = run(empty_desk, page)
    assert result.code == 1
    assert result.out == ""
    assert f"{page}: error[import]: no article text found in the page" in result.err
    assert files(empty_desk.articles) == {}


def test_bad_config_is_a_usage_error(empty_desk: Desk, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["import", str(PAGES / "harbour-gazette-ferry.html"), "--config", str(tmp_path / "missing.yaml")],
        stdout=out,
        stderr=err,
    )
    assert code == 2
    assert "error[config]: config file not found" in err.getvalue()
    shutil.rmtree(empty_desk.articles)
    result = run(empty_desk, PAGES / "harbour-gazette-ferry.html")
    assert result.code == 2
    assert "error[config]: the article folder does not exist: content/articles" in result.err


def test_file_is_required() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["import"], stdout=out, stderr=err) == 2
    assert "the following arguments are required: FILE" in err.getvalue()


def test_write_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_bytes(b"archived\n")
    assert _write_new(target, b"new\n") is False
    assert files(tmp_path) == {"x.txt": b"archived\n"}
    assert _write_new(tmp_path / "y.txt", b"new\n") is True
    assert files(tmp_path) == {"x.txt": b"archived\n", "y.txt": b"new\n"}


def test_several_pages_at_once(empty_desk: Desk) -> None:
    pages = sorted(PAGES.glob("*.html"))
    assert len(pages) >= 4
    result = run(empty_desk, *pages)
    assert result.code == 0, result.err
    assert result.out.count("archived content/articles/") == len(pages)
    assert f"imported {len(pages)} of {len(pages)} pages" in result.err
    assert len(list(empty_desk.articles.glob("*.txt"))) == len(pages)
    again = run(empty_desk, *pages)  # every one is archived already: nothing changes
    assert again.code == 1 and f"imported 0 of {len(pages)} pages" in again.err


def test_id_goes_with_one_page_only(empty_desk: Desk) -> None:
    pages = sorted(PAGES.glob("*.html"))[:2]
    result = run(empty_desk, *pages, "--id", "one-id")
    assert result.code == 2 and "--id names one article" in result.err
    assert not list(empty_desk.articles.iterdir())


# --- lines that are not the article ----------------------------------------------

STORY = [
    "The river burst its banks on Sunday night, flooding forty homes in the lower town.",
    "Contact with the families on Mill Lane was lost for several hours, the fire service said.",
    "Volunteers filled sandbags through the night. \u201cWe had no warning,\u201d one resident said.",
    "Follow the money, the council leader told the meeting: the flood defences were never finished.",
]


def test_kickers_bylines_contact_and_copyright_lines_are_not_the_article() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    page = extract(
        (
            "<html lang='en'><head><title>Flood | Valley Post</title></head><body><main><article>"
            "<p class='section-label'><a href='/news/weather'>Weather</a></p>"
            "<h1>Forty homes flooded as river bursts its banks</h1>"
            "<p>By Jane Doe and Sam Lee</p>"
            f"{paragraphs}"
            "<p>Read more: Flood defences delayed again</p>"
            "<p>Contact the reporter at jane.doe@valleypost.example or on 0161 555 0199.</p>"
            "<p>Follow Jane on Twitter @janedoe</p>"
            "<p>\u00a9 2023 Valley Post Media Ltd. All rights reserved.</p>"
            "</article></main></body></html>"
        ).encode()
    )
    assert page.title == "Forty homes flooded as river bursts its banks"
    assert list(page.paragraphs) == STORY  # the story's sentences stay, even those that start like furniture


def test_a_page_that_gives_nothing_to_make_an_id_of_asks_for_one(empty_desk: Desk, tmp_path: Path) -> None:
    page = tmp_path / "——.html"  # no publisher, no date, and a name with no letter or digit
    page.write_bytes((PAGES / "Council_Vote_Report.html").read_bytes().replace(b"2019", b"20l9"))
    result = run(empty_desk, page)
    assert result.code == 2
    assert "cannot make an article id" in result.err and "--id publisher-YYYY-MM-DD" in result.err
    assert list(empty_desk.articles.iterdir()) == []
    assert run(empty_desk, page, "--id", "council-2019-03-07").code == 0
