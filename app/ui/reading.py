"""What the question's own words did to a search, shown so that each can be undone.

The searcher reports each piece of its reading of the question as an `index.search.types.Reading`
(kind, effect, label, values). Here they become data for the API (`reading_data`), chips above the results
(`chips_html`: "only Worcestershire x", "favouring the latest report x", "Worcestshire read as
Worcestershire x", "did you mean [Worcestershire] or [Warwickshire]?", "only Worcestershire, not applied:
put back"), and the `ignore=` value of the page address (`parse_ignore`, `ignore_text`).

Each chip's button carries its action as JSON in `data-reading` (ui_link.js hands it to `_App.reread`):
{"ignore": [kinds]} searches again with exactly those kinds of reading not applied; {"authority": name}
(or "region", "neighbours_of") searches again with that filter set, for a "did you mean" candidate.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from index.search import READING_KINDS, QueryError
from index.search.types import Reading

ALL = "all"  # ignore every reading: the question's text alone
# The filter a "did you mean ...?" candidate sets, by the kind of reading that asked.
ASKED_FILTERS = {"authority": "authority", "region": "region", "neighbours": "neighbours_of"}


def reading_data(readings: Iterable[Reading]) -> list[dict[str, Any]]:
    """Each reading as JSON-able data: kind, effect ("narrowed", "favoured", ...), label and values."""
    return [{"kind": r.kind, "effect": r.effect, "label": r.label, "values": list(r.values)} for r in readings]


def parse_ignore(value: str | Sequence[str] | None) -> list[str]:
    """The kinds of reading not to apply, from the address's `ignore=grade,authority` or a list.

    Args:
        value: comma-separated kinds, or a list of kinds; empty or None for none.

    Returns:
        The kinds, valid and in a fixed order ("all" first, then READING_KINDS' order).

    Raises:
        QueryError: a kind that is neither "all" nor one of READING_KINDS (the message lists them).
    """
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    kinds = {p.strip().lower() for p in parts if p and p.strip()}
    unknown = sorted(kinds - {ALL, *READING_KINDS})
    if unknown:
        raise QueryError(f"unknown reading {', '.join(map(repr, unknown))}; valid: {ALL}, {', '.join(READING_KINDS)}")
    return [k for k in (ALL, *READING_KINDS) if k in kinds]


def ignore_text(kinds: Iterable[str]) -> str:
    """The kinds as the address's comma-separated `ignore=` value (empty for none)."""
    return ",".join(parse_ignore(list(kinds)))


def _without(ignore: list[str], kind: str) -> list[str]:
    """`ignore` with `kind` applied again; under "all", every other kind stays unapplied."""
    if ALL in ignore:
        return [k for k in READING_KINDS if k != kind]
    return [k for k in ignore if k != kind]


def _action(data: dict[str, Any]) -> str:
    return html.escape(json.dumps(data, sort_keys=True), quote=True)


def _button(text: str, action: dict[str, Any], aria: str, css: str) -> str:
    return (f'<button type="button" class="{css}" data-reading="{_action(action)}" '
            f'aria-label="{html.escape(aria, quote=True)}" title="{html.escape(aria, quote=True)}">'
            f"{html.escape(text)}</button>")


def _asked_html(reading: dict[str, Any]) -> str:
    """The label with each candidate a button that searches again with it ("did you mean A or B?")."""
    label, values = reading["label"], [v for v in reading.get("values") or [] if v]
    name = ASKED_FILTERS.get(reading["kind"])
    if name is None or not values:  # nothing a click could choose: the question stays as it is
        return html.escape(label)
    out, position = [], 0
    placed = []
    for value in values:
        start = label.find(value, position)
        if start < 0:
            continue
        out.append(html.escape(label[position:start]))
        out.append(_button(value, {name: value}, f"Search again with {value}", "oq-chip-pick"))
        position = start + len(value)
        placed.append(value)
    out.append(html.escape(label[position:]))
    rest = [v for v in values if v not in placed]  # candidates the label does not spell out
    out += [" " + _button(v, {name: v}, f"Search again with {v}", "oq-chip-pick") for v in rest]
    return "".join(out)


def _chip(reading: dict[str, Any], ignore: list[str]) -> str:
    kind, effect, label = reading["kind"], reading["effect"], reading["label"]
    css = f"oq-chip oq-chip-{html.escape(effect)}"
    if effect == "asked":
        return f'<span class="{css}">{_asked_html(reading)}</span>'
    if effect == "ignored":
        put_back = _button("put back", {"ignore": _without(ignore, kind)}, f"Put back: {label}", "oq-chip-undo")
        return (f'<span class="{css}"><span class="oq-chip-label">{html.escape(label)}</span> not applied '
                f"{put_back}</span>")
    if effect == "favoured" and not label.lower().startswith("favour"):
        label = f"favouring {label}"
    remove = _button("×", {"ignore": parse_ignore([*ignore, kind])},
                     f"Remove “{label}” and search again without it", "oq-chip-x")
    return f'<span class="{css}"><span class="oq-chip-label">{html.escape(label)}</span>{remove}</span>'


def chips_html(reading: Sequence[dict[str, Any]] | None, ignore: Sequence[str] = ()) -> str:
    """The chips above the results: one per reading, in the user's words, each with its undo.

    Args:
        reading: the payload's "reading" (`reading_data`).
        ignore: the kinds of reading the search did not apply (`parse_ignore`).

    Returns:
        HTML (empty when the question's words did nothing and nothing was ignored).
    """
    ignore = parse_ignore(list(ignore))
    chips = [_chip(r, ignore) for r in reading or []]
    if ALL in ignore:
        put_back = _button("put back", {"ignore": []}, "Put back how the question was read", "oq-chip-undo")
        chips.insert(0, f'<span class="oq-chip oq-chip-ignored"><span class="oq-chip-label">your words alone'
                        f"</span> {put_back}</span>")
    if not chips:
        return ""
    return ('<div class="oq-reading" role="group" aria-label="How the question was read">'
            f'<span class="oq-reading-title">From your question:</span>{"".join(chips)}</div>')


def reading_action(text: str | None) -> dict[str, Any]:
    """A chip's action (its `data-reading` JSON) as a dict; {} when there is none or it is not one."""
    try:
        action = json.loads(text or "")
    except ValueError:
        return {}
    return action if isinstance(action, dict) else {}


def authority_suggestions(registry: Any, name: str, n: int = 3) -> list[str]:
    """Up to n authority names close to `name` (a typo), closest first: the registry's `suggestions`
    (rapidfuzz) where it has them, else its `close_names` (difflib over every name and alias)."""
    if hasattr(registry, "suggestions"):
        return list(registry.suggestions(name, n=n))[:n]
    return list(registry.close_names(name, n=n))[:n]
