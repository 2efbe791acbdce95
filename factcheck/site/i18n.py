"""The interface in the desk's language: one gettext catalogue per language
(`factcheck/locale/<lang>/LC_MESSAGES/factcheck.po`), for the templates
(Jinja2's i18n extension), the strings made in Python (titles, headings,
labels, the feed) and those the pages' scripts show; dates and plurals by
Babel's CLDR data; the writing direction of every language.

A desk can replace any message in config.yaml (`messages:`, keyed by the
English text), whatever its language. English, French, Spanish and Arabic
are shipped; for any other language the interface stays English (with a
warning) unless the desk translates it, while dates and plurals follow the
language all the same.

Catalogues are read from their .po source and compiled in memory (a few
milliseconds), so there is one file per language to keep, never a stale
compiled copy.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import EvalContext
from markupsafe import Markup

from ..diagnostics import Diagnostic
from .escaping import marked

LOCALES = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "factcheck"
SHIPPED = ("en", "fr", "es", "ar")
# CLDR's plural categories, for the scripts' own plurals (Intl.PluralRules).
_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; it is
    translated where it is shown."""
    return message


@cache
def _catalogue(code: str) -> Translations | None:
    path = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return None
    with path.open("rb") as f:
        catalog = read_po(f, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def babel_locale(language: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag (en-GB, zh-Hant, pt-BR), or None
    for a language CLDR does not know."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return None


def direction(language: str | None) -> str:
    """'rtl' for Arabic, Persian, Hebrew, Urdu and the other languages
    written right to left; 'ltr' otherwise."""
    locale = babel_locale(language) if language else None
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


@dataclass
class _Overrides(gettext_module.NullTranslations):
    """The desk's own messages (config.yaml `messages:`), in front of the
    catalogue: a text, or a list of plural forms."""

    messages: Mapping[str, str | list[str]] = field(default_factory=dict)
    plural: Any = None

    def __post_init__(self) -> None:
        gettext_module.NullTranslations.__init__(self)

    def gettext(self, message: str) -> str:
        found = self.messages.get(message)
        if isinstance(found, str):
            return found
        if isinstance(found, list) and found:
            return found[0]
        return self._fallback.gettext(message) if self._fallback else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.messages.get(singular)
        if isinstance(found, list) and found:
            index = self.plural(n) if self.plural else (0 if n == 1 else 1)
            return found[min(index, len(found) - 1)]
        if isinstance(found, str):
            return found
        return self._fallback.ngettext(singular, plural, n) if self._fallback else (singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.ngettext(singular, plural, n)


class Interface:
    """Everything about a language the site needs: its messages, its dates
    and numbers, its direction."""

    def __init__(self, language: str, messages: Mapping[str, str | list[str]] | None = None):
        self.language = language
        self.locale = babel_locale(language) or Locale.parse("en")
        self.dir = direction(language)
        code = _shipped(language)
        self.has_catalogue = code is not None
        catalogue = _catalogue(code or "en") or gettext_module.NullTranslations()
        self.translations = _Overrides(dict(messages or {}), getattr(catalogue, "plural", None))
        self.translations.add_fallback(catalogue)
        self._numbers: dict[tuple[type, float], str] = {}
        self._dates: dict[tuple[type, dt.date, str], str] = {}

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": self.number(n), **values}

    # Babel formats a date or a number in a tenth of a millisecond, and a
    # build asks for the same few thousand days and small numbers again and
    # again: each is formatted once per Interface.

    def number(self, n: float) -> str:
        key = (type(n), n)  # 1, 1.0 and True format differently
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = format_decimal(n, locale=self.locale)
        return found

    def date(self, day: dt.date | None, pattern: str = "long") -> str:
        if not day:
            return ""
        key = (type(day), day, pattern)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = format_date(day, format=pattern, locale=self.locale)
        return found

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """A plural message as the scripts use it: CLDR category -> text,
        with `%(num)s` standing for the number (Intl.PluralRules picks)."""
        forms = {}
        for category in _CATEGORIES:
            n = _sample(self.locale, category)
            if n is not None:
                forms[category] = self.translations.ngettext(singular, plural, n)
        return forms


def _shipped(language: str) -> str | None:
    """The catalogue for a language tag: the whole tag (pt_BR), else its language (pt)."""
    full = language.replace("-", "_")
    for code in (full, full.split("_")[0]):
        if (LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po").is_file():
            return code
    return None


@cache
def _sample(locale: Locale, category: str) -> int | None:
    """A number CLDR puts in this plural category for the locale (None if
    the category is not the locale's)."""
    for n in (*range(0, 200), 1_000_000):
        if locale.plural_form(n) == category:
            return n
    return None


def untranslated(language: str, messages: Mapping[str, object], config_file: str) -> list[Diagnostic]:
    """A warning when the interface would stay English in part: the desk's
    language has no catalogue and config.yaml's `messages` do not give all."""
    if _shipped(language) is not None:
        return []
    english = _catalogue("en")
    wanted = [m for m in (english._catalog if english else {}) if m and isinstance(m, str)]  # type: ignore[attr-defined]
    missing = [m for m in wanted if m not in messages]
    if not missing:
        return []
    return [
        Diagnostic(
            "untranslated",
            f"there is no catalogue for '{language}': {len(missing)} of the interface's {len(wanted)} messages "
            "stay in English (dates and plurals follow the language all the same)",
            file=config_file,
            hint="translate them under messages: in config.yaml (the README lists them), "
            f"or choose one of the languages shipped: {', '.join(SHIPPED)}",
            severity="warning",
        )
    ]


def template_gettext(translations: gettext_module.NullTranslations) -> dict[str, Callable[..., str]]:
    """`gettext`, `_` and `ngettext` for the templates: what Jinja2's
    `install_gettext_translations(newstyle=True)` installs (the translation
    marked safe where autoescape is on, then always formatted with the
    call's variables, escaped), with each message looked up and formatted
    once per run. Every page asks for the same few dozen messages; a build
    asks tens of thousands of times."""
    looked_up: dict[tuple[str, str | None, int | None, bool], str] = {}
    made: dict[tuple[str, bool], str] = {}

    def lookup(key: tuple[str, str | None, int | None, bool]) -> str:
        found = looked_up.get(key)
        if found is None:
            singular, plural, n, escape = key
            found = translations.ngettext(singular, plural, n or 0) if plural else translations.gettext(singular)
            found = looked_up[key] = Markup(found) if escape else found
        return found

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, /, **variables: object) -> str:
        if variables:
            return lookup((string, None, None, eval_ctx.autoescape)) % variables
        key = (string, eval_ctx.autoescape)
        found = made.get(key)
        if found is None:
            found = made[key] = lookup((string, None, None, eval_ctx.autoescape)) % {}
        return found

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: object) -> str:
        variables.setdefault("num", num)
        return lookup((singular, plural, num, eval_ctx.autoescape)) % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


class ConstantMessages(Extension):
    """`_("a message")`, a message with no values, is put in the compiled
    template as its translation, marked safe (`("Le message"|safe)`): what
    the call gives on every page, made once. A page of a check asks for some
    30 such messages; each took 1.6 us of calls (Jinja2's context.call,
    then our gettext).

    Only where `_` is surely the global one: a template (or any template
    the environment's loader has: a block sees what its parent template
    sets) that sets or takes a name `_` in any way, or does anything with
    it but call it, or turns autoescaping off in places, is compiled as it
    is. `translate` (set by `environment`) gives the message; compiled
    templates kept between runs are kept under what it depends on
    (SignedBytecodeCache's salt)."""

    def __init__(self, environment: Any):
        super().__init__(environment)
        environment.filters[_MESSAGE] = _message
        self.translate: Callable[[str], str] | None = None
        self._anywhere: bool | None = None  # does any template of the loader keep `_` from being folded?

    def filter_stream(self, stream: TokenStream) -> Any:
        tokens = list(stream)
        if self.translate is None or _unfoldable(tokens) or self.held_back():
            return tokens
        out: list[Token] = []
        n = 0
        while n < len(tokens):
            folded = self._folded(tokens, n)
            if folded is None:
                out.append(tokens[n])
                n += 1
            else:
                out.extend(folded)
                n += 4
        return out

    def _folded(self, tokens: list[Token], n: int) -> list[Token] | None:
        """The tokens of the translation for a call `_("...")` at `n`."""
        if n + 3 >= len(tokens):
            return None
        name, opening, message, closing = tokens[n : n + 4]
        if not (
            name.type == "name"
            and name.value == "_"
            and opening.type == "lparen"
            and message.type == "string"
            and closing.type == "rparen"
            and not _after_a_name_taker(tokens, n)  # (x._("...") is x's own, and left in templates folded)
        ):
            return None
        assert self.translate is not None
        try:
            text = str(Markup(self.translate(message.value)) % {})  # what the call gives (template_gettext)
        except (TypeError, ValueError, KeyError):
            return None
        line = name.lineno
        return [
            Token(line, "lparen", "("),
            Token(line, "string", text),
            Token(line, "pipe", "|"),
            Token(line, "name", _MESSAGE),
            Token(line, "rparen", ")"),
        ]

    def held_back(self) -> bool:
        """Does a template of the loader keep every template from being
        folded? (Any template: a desk's `base.txt` may be extended; but
        for the static files, copied as they are.) Asked once; compiled
        templates are kept between runs under the answer."""
        if self._anywhere is None:
            env = self.environment
            self._anywhere = False
            for name in env.list_templates(filter_func=lambda n: not n.startswith("static/")) if env.loader else ():
                try:
                    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
                    found = list(env.lexer.tokenize(source, name))
                except Exception:  # noqa: BLE001, S112 - compiling it says what is wrong with it
                    continue
                if _unfoldable(found):
                    self._anywhere = True
                    break
        return self._anywhere


_MESSAGE = "_folded_message"


@pass_context
def _message(context: Any, text: str) -> Markup:
    """A folded message, marked safe as the call marks it. (Taking the
    context keeps Jinja2 from working it out as it compiles: it would join
    it to a string beside it (`~`) as text, losing the mark, and escape it.)
    Made as Markup(text) makes it from a plain string, without looking it
    over for `__html__` (some 30 a check page)."""
    return marked(text)


def _after_a_name_taker(tokens: list[Token], n: int) -> bool:
    """Is the `_` at `n` an attribute, a filter, a test or a macro's name
    (or a filter block's, or a negated test's)?"""
    before = tokens[n - 1] if n else None
    return before is not None and (
        before.type in ("dot", "pipe")
        or (before.type == "name" and before.value in ("is", "not", "macro", "call", "filter"))
    )


def _unfoldable(tokens: list[Token]) -> bool:
    """Does the template do anything with a name `_` but call it, or turn
    autoescaping off?"""
    for n, token in enumerate(tokens):
        if token.type != "name":
            continue
        if token.value == "autoescape":
            return True
        if token.value != "_":
            continue
        before = tokens[n - 1] if n else None
        if before is not None and before.type == "dot":
            continue  # an attribute of something else
        after = tokens[n + 1] if n + 1 < len(tokens) else None
        if after is None or after.type != "lparen" or _after_a_name_taker(tokens, n):
            return True
    return False
