"""The English catalog: up to date with the sources, every text translated, compiled when it changes."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask

from webui import i18n
from webui.i18n import TRANSLATIONS, compile_catalogs

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = TRANSLATIONS / "messages.pot"
ENGLISH = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as source:
        return {message.id for message in read_po(source) if message.id}


def test_the_template_holds_every_text_of_the_sources(tmp_path: Path) -> None:
    """As `make translations` extracts them: templates, Python (N_ included), BPMN names and roles."""
    fresh = tmp_path / "messages.pot"
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                                    "--no-location", "-o", str(fresh), "."])
    finally:
        os.chdir(cwd)
    new, gone = _msgids(fresh) - _msgids(TEMPLATE), _msgids(TEMPLATE) - _msgids(fresh)
    assert not new and not gone, f"run `make translations`; new: {sorted(new)[:20]}, gone: {sorted(gone)[:20]}"


def test_every_text_has_its_english_translation() -> None:
    with ENGLISH.open("rb") as source:
        catalog = read_po(source, locale="en")
    by_id = {message.id: message for message in catalog if message.id}
    missing = sorted(_msgids(TEMPLATE) - {key for key, message in by_id.items() if message.string})
    fuzzy = sorted(key for key, message in by_id.items() if message.fuzzy)
    assert not missing and not fuzzy, f"untranslated: {missing[:20]}, fuzzy: {fuzzy[:20]}"
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert not problems, f"placeholders differ from the msgid: {problems[:10]}"


def test_the_compiled_catalog_follows_the_po_file(tmp_path: Path) -> None:
    source = tmp_path / "source"
    po = source / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(ENGLISH.read_bytes())
    target = tmp_path / "compiled"
    assert compile_catalogs(source, target) == [target / "en" / "LC_MESSAGES" / "messages.mo"]
    assert compile_catalogs(source, target) == []  # up to date: left alone
    mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as compiled:
        assert read_mo(compiled).get("我的待办").string == "My to-do list"
    po.write_text(po.read_text(encoding="utf-8").replace('"My to-do list"', '"My work"'), encoding="utf-8")
    later = time.time() + 5
    os.utime(po, (later, later))
    assert compile_catalogs(source, target) == [mo]
    with mo.open("rb") as compiled:
        assert read_mo(compiled).get("我的待办").string == "My work"
    assert not list(mo.parent.glob("*.tmp"))


def test_a_read_only_translations_folder_compiles_into_the_instance(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def compile_or_refuse(source: Path, target: Path) -> list[Path]:
        calls.append(target)
        if target == source:
            raise PermissionError("read-only")
        return []

    monkeypatch.setattr(i18n, "compile_catalogs", compile_or_refuse)
    app = Flask(__name__, instance_path=str(tmp_path))
    assert i18n.compiled_catalogs(app) == tmp_path / "translations"
    assert calls == [TRANSLATIONS, tmp_path / "translations"]
