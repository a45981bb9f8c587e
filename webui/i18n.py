"""The languages of the web pages: compiled catalogs and the language switch.

The English catalog is kept as `translations/en/LC_MESSAGES/messages.po` (msgids are the
Chinese text). Its compiled `.mo` is not kept in git: it is built from the `.po` when the app
starts and whenever the `.po` is newer, next to it or, if that folder is read-only, in the
instance folder.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import LazyString, get_locale, get_translations, gettext, lazy_gettext
from jinja2.runtime import Context
from jinja2.utils import pass_context

from engine.core.text import Text, in_language
from engine.features.accounts.preferences import LOCALE_NAMES, LOCALES
from engine.features.notifications.messages import Translate

log = logging.getLogger("duban.web")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
CATALOG = "LC_MESSAGES/messages"


def compiled_catalogs(app: Flask) -> Path:
    """The folder of up-to-date `.mo` files for Flask-Babel: the sources' own, or the instance's copy."""
    try:
        compile_catalogs(TRANSLATIONS, TRANSLATIONS)
        return TRANSLATIONS
    except OSError:
        target = Path(app.instance_path) / "translations"
        log.info("translations folder is read-only; compiling the catalogs into %s", target)
        compile_catalogs(TRANSLATIONS, target)
        return target


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile every `.po` under source whose `.mo` under target is missing or older; the compiled ones."""
    compiled = []
    for po in sorted(source.glob(f"*/{CATALOG}.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            _compile(po, mo)
            compiled.append(mo)
    return compiled


def _compile(po: Path, mo: Path) -> None:
    """Written aside and renamed into place: workers starting at once never read half a file."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parts[-3])
    mo.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def message_translator(app: Flask) -> Translate:
    """How the engine's messages (e-mail, SMS, robots) are put in their reader's language: the pages' catalogs."""
    folder = str(compiled_catalogs(app))
    catalogs: dict[str, NullTranslations] = {}

    def translate(locale: str, msgid: str, params: dict[str, object]) -> str:
        if locale not in catalogs:
            catalogs[locale] = Translations.load(folder, [locale])
        return in_language(Text(msgid, **params), catalogs[locale].gettext)

    return translate


#: the template variable that carries the catalogue of a render
CATALOGUE = "catalogue"


def translate_templates(app: Flask) -> None:
    """Templates translate with their render's catalogue, looked up once a render: Flask-Babel's own template
    functions look the locale and the catalogue up again for every text (a page has hundreds)."""
    app.context_processor(lambda: {CATALOGUE: get_translations()})
    app.jinja_env.install_gettext_callables(gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True,
                                            pgettext=_template_pgettext, npgettext=_template_npgettext)
    app.add_template_filter(_template_translated, "t")


def _catalogue(context: Context) -> NullTranslations:
    """The render's catalogue; a template rendered without Flask's context processors looks it up."""
    catalogue = context.get(CATALOGUE)
    return catalogue if isinstance(catalogue, NullTranslations) else get_translations()


@pass_context
def _template_gettext(context: Context, string: str) -> str:
    return _catalogue(context).ugettext(string)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _catalogue(context).ungettext(singular, plural, n)


@pass_context
def _template_pgettext(context: Context, message_context: str, string: str) -> str:
    return _catalogue(context).upgettext(message_context, string)


@pass_context
def _template_npgettext(context: Context, message_context: str, singular: str, plural: str, n: int) -> str:
    return _catalogue(context).unpgettext(message_context, singular, plural, n)


def language_switch() -> dict[str, object]:
    """For the header: the language in use, the others (each named in its own language) and this page."""
    current = str(get_locale() or LOCALES[0])
    others = [(code, LOCALE_NAMES[code]) for code in LOCALES if code != current]
    return {"current_locale": current, "html_lang": "zh-CN" if current == LOCALES[0] else current,
            "other_locales": others, "this_page": request.full_path.rstrip("?")}


def translated(text: object, lookup: Callable[[str], str] = gettext) -> str:
    """A text that comes from the engine, roles.yaml or a BPMN file, in the reader's language.

    Texts the engine marked with `N_` carry their parameters; other known texts (step, lane and
    role names) are looked up as they are; anything not in the catalog is shown unchanged.
    """
    if isinstance(text, Text):
        return in_language(text, lookup)
    if isinstance(text, str):
        return lookup(text) if text else text
    return "" if text is None else str(text)


def render_gettext(context: Context) -> Callable[..., str]:
    """`gettext` with the render's catalogue, for the helpers a template calls on every row of a list."""
    catalogue = _catalogue(context)

    def lookup(msgid: str, **params: object) -> str:
        found = catalogue.ugettext(msgid)
        return found % params if params else found

    return lookup


@pass_context
def _template_translated(context: Context, text: object) -> str:
    """The `t` filter: `translated` with the render's catalogue (a list translates a name on every row)."""
    return translated(text, _catalogue(context).ugettext)


def lazy(text: str) -> LazyString:
    """A text the engine marked with `N_`, translated each time it is shown (a form's label built once)."""
    if isinstance(text, Text):
        return lazy_gettext(text.msgid, **text.params)
    return lazy_gettext(text)


def error_text(error: BaseException) -> str:
    """What an exception says, translated: the message it was raised with, not its repr."""
    return translated(error.args[0]) if error.args else ""


def parenthetical(text: object) -> str:
    """A remark in brackets after what it qualifies: （江阳区） in Chinese, " (江阳区)" in English."""
    return gettext("（%(text)s）", text=text)
