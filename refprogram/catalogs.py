"""The interface's translation catalogs (``locale/<language>/LC_MESSAGES/django.po``) compiled to
the ``.mo`` files Django reads, with polib, so installing needs no GNU gettext.

``python -m refprogram.catalogs`` (no Django settings needed) runs from ``scripts/bootstrap.sh``
(install) and the Dockerfile (build); ``manage.py compile_translations`` does the same for the
``LOCALE_PATHS`` of the settings. Quick and idempotent: a catalog is compiled only when its
``.po`` is newer than its ``.mo``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogs(roots: Iterable[Path] = (LOCALE_DIR,), *, force: bool = False) -> list[Path]:
    """Compile every ``.po`` under ``roots`` that changed since it was last compiled; the compiled
    catalogs' paths. Fuzzy entries are left out, as msgfmt does."""
    done = []
    for root in roots:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalog = polib.pofile(str(po_path))
            for entry in [e for e in catalog if e.fuzzy]:
                catalog.remove(entry)
            catalog.save_as_mofile(str(mo_path))
            done.append(mo_path)
    return done


if __name__ == "__main__":
    compiled = compile_catalogs(force="--force" in sys.argv)
    print(f"{len(compiled)} translation catalog(s) compiled.")
