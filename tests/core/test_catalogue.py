"""Every user-facing string is in the English and Vietnamese catalogues, translated and compiled."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def entries(po: Path) -> dict[str, tuple[list[str], bool]]:
    """msgid → (msgstr values, fuzzy) from a .po file (the header entry excluded)."""
    result: dict[str, tuple[list[str], bool]] = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        current: str | None = None
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                assert current is not None
                fields[current] += line[1:-1]
            else:
                key, _, rest = line.partition(" ")
                current = key
                fields[key] = rest[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            result[fields["msgid"]] = (strs, fuzzy)
    return result


CATALOGUES = sorted((ROOT / "congvu").glob("**/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po: Path) -> None:
    catalogue = entries(po)
    assert len(catalogue) > 100
    assert "#| msgid" not in po.read_text(encoding="utf-8")  # no leftover of a fuzzy match
    untranslated = [msgid for msgid, (strs, fuzzy) in catalogue.items() if fuzzy or not all(strs)]
    assert untranslated == []
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for msgid, (strs, _fuzzy) in catalogue.items():
        if len(strs) == 1:
            assert compiled.gettext(msgid.replace('\\"', '"').replace("\\n", "\n")) == strs[0].replace(
                '\\"', '"'
            ).replace("\\n", "\n"), msgid


def test_every_string_of_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings again from a copy of the code and compare with the committed catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (Debian package gettext) is needed to check the catalogue")
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "congvu", copy / "congvu", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = dict(os.environ, PYTHONPATH=str(copy), CONGVU_DATA_DIR=str(tmp_path / "data"))
    subprocess.run(
        [sys.executable, "-m", "congvu", "makemessages", "-l", "en", "--ignore=migrations", "--no-obsolete"],
        cwd=copy / "congvu",
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {msgid for po in (copy / "congvu").glob("**/locale/en/LC_MESSAGES/django.po") for msgid in entries(po)}
    committed = {msgid for po in CATALOGUES if "/en/" in str(po) for msgid in entries(po)}
    assert sorted(extracted - committed) == []
