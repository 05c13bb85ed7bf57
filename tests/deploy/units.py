"""systemd unit files read the way systemd reads them.

:class:`Unit` parses a unit file and its drop-ins (continuation lines, comments, repeated
keys, an empty assignment resetting a list) and expands what ``ExecStart=`` means: specifiers
(``%t``, ``%S``, ``%U``...), ``${VAR}`` inside a word and ``$VAR`` as whole words, with the
environment built from ``Environment=`` and ``EnvironmentFile=`` in systemd's order.
:mod:`tests.deploy.service` runs the result.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_VAR_WORD = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_VAR_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LIST_KEYS = frozenset(
    {"Environment", "EnvironmentFile", "ExecStartPre", "ExecStartPost", "ExecStop",
     "RuntimeDirectory", "StateDirectory", "AmbientCapabilities", "CapabilityBoundingSet",
     "SystemCallFilter", "RestrictAddressFamilies", "ReadWritePaths", "After", "Wants",
     "Conflicts", "WantedBy", "Documentation"}
)


class UnitError(ValueError):
    """A unit file or a value in it that systemd would not accept either."""


@dataclass
class Unit:
    """A parsed unit: section -> list of ``(key, value)`` in file order, drop-ins appended."""

    name: str
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, dropins: Sequence[str] = (), instance: str | None = None) -> Unit:
        """Parse ``path`` and then each drop-in text, as systemd merges ``NAME.d/*.conf``;
        ``instance`` names an instance of a template (``NAME@.service`` as ``NAME@i.service``)."""
        name = path.name.replace("@.", f"@{instance}.") if instance else path.name
        unit = cls(name)
        unit._parse(path.read_text(encoding="utf-8"))
        for text in dropins:
            unit._parse(text)
        return unit

    def _parse(self, text: str) -> None:
        section: str | None = None
        logical: list[str] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not logical and (not line or line.startswith(("#", ";"))):
                continue
            if logical and line.startswith(("#", ";")):
                continue  # comments inside a continued line are skipped
            if line.endswith("\\"):
                logical.append(line[:-1].strip())
                continue
            logical.append(line)
            whole = " ".join(part for part in logical if part)
            logical = []
            if whole.startswith("[") and whole.endswith("]"):
                section = whole[1:-1]
                self.sections.setdefault(section, [])
                continue
            if section is None or "=" not in whole:
                raise UnitError(f"{self.name}: cannot parse {whole!r}")
            key, _, value = whole.partition("=")
            self.sections[section].append((key.strip(), value.strip()))

    def values(self, section: str, key: str) -> list[str]:
        """Every value of ``key``; an empty assignment drops those before it (list keys)."""
        out: list[str] = []
        for k, v in self.sections.get(section, []):
            if k != key:
                continue
            if v == "" and key in _LIST_KEYS:
                out = []
            else:
                out.append(v)
        return out

    def get(self, section: str, key: str, default: str | None = None) -> str | None:
        """The last value of ``key`` (the one systemd uses for a single-valued setting)."""
        found = self.values(section, key)
        return found[-1] if found else default

    def keys(self, section: str) -> set[str]:
        """Every key set in ``section``."""
        return {k for k, _ in self.sections.get(section, [])}


def expand_specifiers(value: str, specifiers: Mapping[str, str]) -> str:
    """``%t`` and friends, as systemd expands them; an unknown one is an error."""

    def one(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter == "%":
            return "%"
        if letter not in specifiers:
            raise UnitError(f"specifier %{letter} is not known here")
        return specifiers[letter]

    return re.sub(r"%(.)", one, value)


def parse_assignments(value: str) -> dict[str, str]:
    """``Environment=`` syntax: space-separated ``KEY=VALUE`` words, quotes allowed."""
    out: dict[str, str] = {}
    for word in shlex.split(value):
        key, sep, val = word.partition("=")
        if not sep or not key:
            raise UnitError(f"not an assignment: {word!r}")
        out[key] = val
    return out


def parse_environment_file(text: str) -> dict[str, str]:
    """``EnvironmentFile=`` syntax: one ``KEY=VALUE`` a line, ``#`` comments, quotes."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, val = line.partition("=")
        if not sep:
            raise UnitError(f"not an assignment: {line!r}")
        words = shlex.split(val) if val.strip() else [""]
        out[key.strip()] = " ".join(words)
    return out


def service_environment(
    unit: Unit, specifiers: Mapping[str, str], read: Callable[[str], str | None]
) -> dict[str, str]:
    """``Environment=`` then ``EnvironmentFile=`` (which wins, as in systemd).

    ``read(path)`` returns a file's text, or None when it does not exist.
    """
    env: dict[str, str] = {}
    for line in unit.values("Service", "Environment"):
        env.update(parse_assignments(expand_specifiers(line, specifiers)))
    for entry in unit.values("Service", "EnvironmentFile"):
        optional = entry.startswith("-")
        path = expand_specifiers(entry.lstrip("-"), specifiers)
        text = read(path)
        if text is None:
            if optional:
                continue
            raise UnitError(f"EnvironmentFile {path} does not exist")
        env.update(parse_environment_file(text))
    return env


def command_line(value: str, specifiers: Mapping[str, str], env: Mapping[str, str]) -> list[str]:
    """An ``Exec*=`` value as argv: specifiers, then words, then ``${V}`` and ``$V``."""
    value = expand_specifiers(value, specifiers)
    if value[:1] in "-@:+!":
        raise UnitError(f"Exec prefix {value[0]!r} is not supported by this runner")
    argv: list[str] = []
    for word in shlex.split(value):
        whole = _VAR_WORD.fullmatch(word)
        if whole:
            argv.extend(env.get(whole.group(1), "").split())
        else:
            argv.append(_VAR_BRACED.sub(lambda m: env.get(m.group(1), ""), word))
    return argv


def seconds(value: str | None) -> float | None:
    """A systemd time span (``30``, ``30s``, ``500ms``, ``2min``, ``infinity``) in seconds."""
    if value is None or value == "":
        return None
    if value == "infinity":
        return float("inf")
    total = 0.0
    for number, unit in re.findall(r"([\d.]+)\s*(ms|s|sec|min|m|h)?", value):
        scale = {"ms": 0.001, "min": 60.0, "m": 60.0, "h": 3600.0}.get(unit, 1.0)
        total += float(number) * scale
    return total
