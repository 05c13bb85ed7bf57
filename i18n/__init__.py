"""Interface texts in Finnish, Swedish and English: one catalogue format for every part.

A bottom layer (it imports only :mod:`wire.types`, no Qt): the kiosk, the console and the
server's operator dashboard all load their texts with it, so the apps and the server share the
format without the server importing a client package.

One TOML file per language (``fi.toml``, ``sv.toml``, ``en.toml``) in a catalogue directory;
tables nest keys, so ``[call]`` + ``end = "..."`` is the key ``call.end``.  Values are
:meth:`str.format` templates.  Views never hold user-visible text: they ask a
:class:`Catalogue` by key.  The parity tests of each catalogue check that every language has
every key, filled, translated and with the same placeholders.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Final, Self
from zoneinfo import ZoneInfo

from wire.types import LANGUAGES, Language

LOCAL_TZ: Final = ZoneInfo("Europe/Helsinki")
"""Every time a citizen or a clerk reads is Finnish time, whatever zone the machine is in."""


def local_time(epoch: float) -> dt.datetime:
    """``epoch`` as a Europe/Helsinki wall-clock time."""
    return dt.datetime.fromtimestamp(epoch, LOCAL_TZ)


class MissingTranslation(KeyError):
    """A key is missing from a language's catalogue."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise TypeError(f"{name}: translations are strings, not {type(value).__name__}")
    return out


def read_catalogue(path: Path) -> dict[str, str]:
    """One language's TOML file as flat ``{dotted key: text}``."""
    with path.open("rb") as f:
        return _flatten(tomllib.load(f))


class Catalogue:
    """Every interface text of an app in fi, sv and en.

    A subclass names its directory in :attr:`directory` so that :meth:`load` needs no
    argument.
    """

    directory: ClassVar[Path | None] = None

    def __init__(self, texts: Mapping[Language, Mapping[str, str]]) -> None:
        self.texts: dict[Language, dict[str, str]] = {lang: dict(texts[lang]) for lang in LANGUAGES}

    @classmethod
    def load(cls, directory: Path | None = None) -> Self:
        """Read ``<directory>/<lang>.toml`` for each language."""
        where = directory or cls.directory
        if where is None:
            raise ValueError(f"{cls.__name__} has no catalogue directory")
        return cls({lang: read_catalogue(where / f"{lang}.toml") for lang in LANGUAGES})

    def keys(self, lang: Language) -> set[str]:
        """Every key of one language."""
        return set(self.texts[lang])

    def lookup(self, lang: Language, key: str) -> str | None:
        """The raw template of ``key`` in ``lang``, or None."""
        return self.texts[lang].get(key)

    def tr(self, lang: Language, key: str, **params: object) -> str:
        """The text of ``key`` in ``lang``, formatted with ``params``; raises if missing."""
        template = self.lookup(lang, key)
        if template is None:
            raise MissingTranslation(f"{lang}: {key}")
        return template.format(**params) if params else template
