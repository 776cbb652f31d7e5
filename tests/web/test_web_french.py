"""The French UI: every catalogue is complete and compiled, and pages follow the reader's language.

The catalogues live in each app's locale/ directory (carnet/<app>/locale/fr/LC_MESSAGES/django.po).
To refresh one after changing strings, from the app's directory (carnet/<app>):
    django-admin makemessages -l fr --settings=carnet.settings
translate every new or fuzzy entry (these tests fail until that is done), then
    django-admin compilemessages --settings=carnet.settings
makemessages also creates an empty carnet/locale (settings.LOCALE_PATHS); it may be deleted. Strings of
the modules at the top of the package (carnet/*.py) may go in any app's catalogue.
"""

import ast
import gettext
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

import carnet
from carnet.customers.models import Customer

PACKAGE = Path(carnet.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE.glob("*/locale/fr/LC_MESSAGES/django.po"))
# %(name)s, %(n)d, %s and {name}: what a translation must keep, exactly.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete #~ entries left out). polib is not a dependency."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry.msgstr or entry.msgid:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if target and target[0] == "msgstr":
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if target and target[0] == "msgstr":
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string outside an entry"
            text = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + text)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and target and target[0] == "msgstr":
                finish()
            text = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                entry.msgstr[index] = text
                target = ("msgstr", index)
            else:
                assert keyword in ("msgctxt", "msgid", "msgid_plural"), f"{path}:{number}: {keyword}?"
                setattr(entry, keyword, text)
                target = (keyword, 0)
                if keyword == "msgid":
                    entry.line = number
    finish()
    return [e for e in entries if e.msgid]


def where(path: Path, entry: Entry) -> str:
    return f"{path.relative_to(PACKAGE)}:{entry.line} {entry.msgid!r}"


@pytest.fixture(autouse=True)
def keep_language() -> Iterator[None]:
    """LocaleMiddleware leaves the request's language active in this thread: restore it after each test."""
    with translation.override(translation.get_language()):
        yield


def test_each_app_with_ui_strings_has_a_french_catalogue() -> None:
    apps = {path.relative_to(PACKAGE).parts[0] for path in CATALOGUES}
    assert {"accounts", "customers", "web"} <= apps
    for path in CATALOGUES:
        assert path.with_suffix(".mo").exists(), f"{path} is not compiled: run compilemessages"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.relative_to(PACKAGE).parts[0])
def test_the_catalogue_is_complete(path: Path) -> None:
    entries = read_po(path)
    assert len(entries) > 10
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where(path, entry)}")
        expected_forms = {0, 1} if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected_forms or not all(s.strip() for s in entry.msgstr.values()):
            problems.append(f"untranslated: {where(path, entry)}")
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {where(path, entry)} -> {text!r}")
    assert problems == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.relative_to(PACKAGE).parts[0])
def test_the_compiled_catalogue_matches_the_po_file(path: Path) -> None:
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in read_po(path):
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            ok = compiled.gettext(key) == entry.msgstr[0]
        else:
            ok = [compiled.ngettext(key, entry.msgid_plural, n) for n in (1, 2)] == [
                entry.msgstr[0],
                entry.msgstr[1],
            ]
        if not ok:
            stale.append(where(path, entry))
    assert stale == [], "the .mo file is older than the .po file: run compilemessages"


def _copy_sources(source: Path, target: Path, recursive: bool = True) -> None:
    pattern = "**/*" if recursive else "*"
    for path in source.glob(pattern):
        if path.suffix in {".py", ".html", ".txt"} and "locale" not in path.relative_to(source).parts:
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext) to extract strings"
)
def test_every_string_marked_for_translation_is_in_a_catalogue(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages run on a copy of the sources finds no string that the catalogues lack."""
    # With LOCALE_PATHS set, makemessages would write every app's strings to that one directory.
    settings.LOCALE_PATHS = []
    catalogued: dict[str, set[str]] = {
        path.relative_to(PACKAGE).parts[0]: {e.msgid for e in read_po(path)} for path in CATALOGUES
    }
    everything = set().union(*catalogued.values())
    missing = []
    # Each app with a catalogue, then the modules at the top of the package (their strings may be in
    # any catalogue).
    sources = [(app, PACKAGE / app, True) for app in catalogued] + [("(top level)", PACKAGE, False)]
    for name, source, recursive in sources:
        work = tmp_path / name
        (work / "locale").mkdir(parents=True)
        _copy_sources(source, work, recursive)
        monkeypatch.chdir(work)
        call_command("makemessages", locale=["fr"], verbosity=0)
        extracted = {e.msgid for e in read_po(work / "locale/fr/LC_MESSAGES/django.po")}
        known = catalogued.get(name, everything)
        missing += [f"{name}: {msgid!r}" for msgid in sorted(extracted - known)]
    assert missing == [], "run makemessages in these apps and translate the new strings"


def test_the_customer_list_is_in_french_for_a_french_reader(
    controller_client: Client, customer: Customer
) -> None:
    html = controller_client.get("/customers/", headers={"accept-language": "fr-CA,fr;q=0.9"}).content
    page = html.decode()
    assert '<html lang="fr">' in page
    assert "<title>Clients · Carnet</title>" in page
    assert "<h1>Clients</h1>" in page
    assert "Nouveau client" in page
    assert "Se déconnecter" in page
    assert "1 client" in page and "clients fermés masqués" in page
    assert "Approuvé" in page  # the status badge of the customer
    assert "Customers" not in page and "New customer" not in page


def test_the_customer_list_is_in_english_for_an_english_reader(
    controller_client: Client, customer: Customer
) -> None:
    page = controller_client.get(
        "/customers/", headers={"accept-language": "en-CA,en;q=0.9"}
    ).content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Customers</h1>" in page
    assert "New customer" in page and "Log out" in page
    assert "1 customer" in page and "Approved" in page
    assert "Nouveau client" not in page and "Approuvé" not in page


def test_the_plural_follows_the_french_rule(controller_client: Client, make_customer: Any) -> None:
    make_customer("Boulangerie Saint-Roch", status="approved")
    make_customer("Quincaillerie Lévis", status="approved")
    page = controller_client.get("/customers/", headers={"accept-language": "fr"}).content.decode()
    assert "2 clients" in page


def test_the_sign_in_page_is_in_french(db: Any) -> None:
    client = Client(headers={"accept-language": "fr"})
    page = client.get("/customers/", follow=True).content.decode()  # not signed in: sent to sign in
    assert "<h1>Connexion à Carnet</h1>" in page
    assert "Se connecter" in page and "Sign in" not in page


def test_a_rule_broken_on_the_create_form_is_explained_in_french(controller_client: Client) -> None:
    response = controller_client.post(
        "/customers/new/",
        {
            "name": "Transports Laurentides inc.",
            "categories": ["customer"],
            "language": "fr",
            "currency": "CAD",
            "phone": "12",
            "payment_terms_days": "30",
            "invoice_delivery": "email",
            "invoice_copies": "1",
            "payment_advice": "email",
            "default_invoice_state": "posted",
            "shipper_identification": "standard",
            "address-country": "CA",
            "address-province": "QC",
        },
        headers={"accept-language": "fr"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "pas le bon nombre de chiffres pour son pays." in page  # the phone number's error
    assert "Créer le client" in page
