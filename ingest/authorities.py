"""Every English local authority with children's services, by every name people and reports use.

Read from `corpus/la_lookup.csv` (a copy of `../shared/corpus/la_lookup.csv`: 156 authorities with
their ONS names, other names, region, LA codes and statistical neighbours). The registry gives each
authority one canonical display name and key, however a report prints it or a user types it:
"Bristol, City of", "City of Bristol", "Bristol City Council" and "bristol" are one authority, as are
"Telford", "Telford & Wrekin" and "Telford and Wrekin Council".

Short names are derived by general rules, not listed per authority: the part before "and", "with",
"upon" or "-on-" when no other authority shares it ("Brighton", "Windsor", "Stoke"), the county
abbreviations in common use ("Herts", "Notts"), "County Durham" / "Durham", the name without
"City of", "Borough" or the article ("the Wirral"), and the name in the council's own web address
(kingston.gov.uk: "Kingston"; northnorthants.gov.uk: "North Northants"; westberks.gov.uk: "West
Berks"), which settles a short name two authorities share: Hull's address is hullcc.gov.uk.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.environment import environment
from ingest.vocabulary import (
    COUNTY_ABBREVIATIONS,
    EVERYDAY_WORDS,
    alias_key,
    aliases_of,
    fold_to_ascii,
    name_key,
)

_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DEFAULT_LOOKUP = _CORPUS / "la_lookup.csv"
# Abbreviations and nicknames people type (BANES, LBBD, Brum), each with the authority it means.
DEFAULT_ABBREVIATIONS = _CORPUS / "authority_abbreviations.csv"
# Groupings people name that are not regions (Greater Manchester, West Yorkshire, Inner London):
# a copy of ../shared/corpus/areas.csv (see corpus/README.md for its source).
DEFAULT_AREAS = _CORPUS / "areas.csv"
# How alike (rapidfuzz's ratio on name keys, 0-100) a typed name must be to an authority's to be read
# as it, and how far ahead of the next authority it must be to be taken without asking. The dev half
# of eval/reading.jsonl's misspelt councils all score 92 or more ("rotheram" 94, "Worcestshire" 92);
# of the full corpus's 1,572 words that are neither English nor a council's name, every one scoring
# 86 or more is a council's name with a letter lost ("otherham", "utton"); between 84 and 86 there is
# one, "reating" (85.7, a fragment of a broken PDF line no question types), and the next are at 83.3
# ("rding", "eaving"). On the dev reading set (1,386 questions) 82 to 85 read the same, 84 took two
# more misspelt councils than 86 ("croyden", "portsmith") and nothing wrong; 80 read 13 wrong. Two
# councils one letter apart score alike ("Herfordshire": Herefordshire and Hertfordshire, 96 each):
# asked about.
FUZZY_TAKE = 84.0
FUZZY_MARGIN = 4.0

_VOWELS = frozenset("aeiouy")

# Words that name no place by themselves: a derived short name made only of these is not kept.
_NOT_A_NAME = frozenset("north south east west central greater city county isle isles new old upper lower st".split())


@dataclass(frozen=True)
class Authority:
    """One local authority: its canonical name and key, and what is known of it."""

    key: str
    name: str
    la_code: str
    la_code_new: str
    urn: str
    region: str
    la_type: str
    aliases: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()  # LA codes of its statistical neighbours, closest first


def _display_name(ons_name: str) -> str:
    name = ons_name.strip()
    match = re.fullmatch(r"(.+),\s*City of", name)
    if match:
        name = match.group(1)
    name = re.sub(r"\s+Borough$", "", name)
    name = name.replace("St. ", "St ").replace(" Upon ", " upon ")
    return name


def _read_rows(path: str | Path | None) -> list[dict[str, str]]:
    """The rows of an optional CSV file ([] when no path is given or the file is not there)."""
    if path is None or not Path(path).exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _split_list(value: str) -> list[str]:
    value = (value or "").strip().strip("[]")
    return [part.strip().strip("'\"") for part in value.split(",") if part.strip()]


@dataclass
class AuthorityRegistry:
    """All authorities, with lookups by any of their names, by region and by LA code."""

    authorities: list[Authority] = field(default_factory=list)
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)  # area name -> member authority keys

    def __post_init__(self) -> None:
        self._by_key: dict[str, Authority] = {}
        for authority in self.authorities:
            for alias in (authority.name, *authority.aliases):
                self._by_key.setdefault(name_key(alias), authority)
        self._by_code = {a.la_code: a for a in self.authorities if a.la_code}
        self._by_code.update({a.la_code_new: a for a in self.authorities if a.la_code_new})
        self._by_urn = {a.urn: a for a in self.authorities if a.urn}

    @classmethod
    def load(
        cls, path: str | Path | None = None, abbreviations: str | Path | None = DEFAULT_ABBREVIATIONS,
        areas: str | Path | None = DEFAULT_AREAS,
    ) -> AuthorityRegistry:
        """Read la_lookup.csv (default: corpus/la_lookup.csv, or $OFSTED_QA_LA_LOOKUP), with the
        abbreviations and areas files when they are there.

        Args:
            path: the lookup.
            abbreviations: corpus/authority_abbreviations.csv (name, authority): more names to know.
            areas: corpus/areas.csv (area, kind, local_authority_ons_name): groupings by name.

        Raises:
            FileNotFoundError: the lookup is not there.
            ValueError: it lacks the columns this reads, or the abbreviations or areas name an
                authority it does not hold.
        """
        path = Path(path or environment().la_lookup or DEFAULT_LOOKUP)
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        needed = {"urn", "la_code", "local_authority_ons_name", "also_known_as", "region_name", "stat_neighbours"}
        if rows and not needed <= rows[0].keys():
            raise ValueError(f"{path} lacks the columns {sorted(needed - rows[0].keys())}")
        authorities = _authorities_from_rows(rows)
        plain = cls(authorities)
        extra: dict[str, list[str]] = {}
        for row in _read_rows(abbreviations):
            found = plain.resolve(row["authority"])
            if found is None:
                raise ValueError(f"{abbreviations}: {row['authority']!r} is not an authority of {path}")
            extra.setdefault(found.key, []).append(row["name"].strip())
        authorities = [a if a.key not in extra else
                       dataclasses.replace(a, aliases=a.aliases + tuple(n for n in extra[a.key] if n not in a.aliases))
                       for a in authorities]
        members: dict[str, list[str]] = {}
        for row in _read_rows(areas):
            found = plain.resolve(row["local_authority_ons_name"])
            if found is None:
                raise ValueError(f"{areas}: {row['local_authority_ons_name']!r} is not an authority of {path}")
            members.setdefault(row["area"].strip(), []).append(found.key)
        return cls(authorities, {area: tuple(keys) for area, keys in members.items()})

    def resolve(self, name: str | None) -> Authority | None:
        """The authority this name means (any alias, case, punctuation or council words), or None."""
        if not name:
            return None
        return self._by_key.get(name_key(name))

    def canonical_key(self, name: str) -> str:
        """The authority's canonical key; for a name the registry does not know, its normalised letters
        (or, for one of ingest.vocabulary's AUTHORITY_ALIASES, the key of the authority it means)."""
        found = self.resolve(name)
        return found.key if found else alias_key(name_key(name))

    def by_code(self, code: str) -> Authority | None:
        return self._by_code.get(str(code).strip())

    def by_urn(self, urn: str) -> Authority | None:
        return self._by_urn.get(str(urn).strip())

    def regions(self) -> list[str]:
        return sorted({a.region for a in self.authorities if a.region})

    def in_region(self, region: str) -> list[Authority]:
        wanted = region.strip().lower()
        return [a for a in self.authorities if a.region.lower() == wanted]

    def in_area(self, area: str) -> list[Authority]:
        """The members of an area of corpus/areas.csv ("Greater Manchester"), any case; [] if unknown."""
        wanted = " ".join(area.lower().split())
        keys = next((k for name, k in self.areas.items() if name.lower() == wanted), ())
        return [self._by_key[key] for key in keys]

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """The authorities whose names (or other names) are most like `name`, best first, for
        "no authority called X; did you mean ...?".

        Args:
            name: the name as typed.
            n: at most this many.

        Returns:
            Display names, most alike first; [] when none is at all close.
        """
        return [a.name for a, _ in self.fuzzy_matches(name, n=n, cutoff=60.0)]

    def fuzzy_matches(self, name: str, n: int = 3, cutoff: float = FUZZY_TAKE) -> list[tuple[Authority, float]]:
        """Authorities whose names are like a typed name (rapidfuzz's ratio on the names' keys),
        best first, one score per authority (its best-matching name).

        Args:
            name: the name as typed ("Worcestshire", "barking and dagenam").
            n: at most this many authorities.
            cutoff: the lowest score kept (0-100).
        """
        from rapidfuzz import fuzz, process

        key = name_key(name)
        if len(key) < 3:
            return []
        found = process.extract(key, self._fuzzy_keys(), scorer=fuzz.ratio, score_cutoff=cutoff, limit=n * 4)
        best: dict[str, tuple[Authority, float]] = {}
        for _, score, index in found:
            authority = self._by_key[self._fuzzy_keys()[index]]
            if authority.key not in best or best[authority.key][1] < score:
                best[authority.key] = (authority, float(score))
        return sorted(best.values(), key=lambda pair: -pair[1])[:n]

    def one_vowel_off(self, name: str) -> Authority | None:
        """The one authority whose name this is with one vowel typed for another ("bolten", "torbey",
        "seftun"), or None (none, or more than one). The commonest slip in short names, which the
        similarity cut cannot take for them (one letter in six scores 83); consonant slips are left
        out, because they make other towns' names ("boston", "melton").

        Args:
            name: a word as typed, five letters or more.
        """
        key = name_key(name)
        if len(key) < 5:
            return None
        found: dict[str, Authority] = {}
        for other in self._fuzzy_keys():
            if len(other) == len(key):
                differ = [(a, b) for a, b in zip(key, other, strict=True) if a != b]
                if len(differ) == 1 and differ[0][0] in _VOWELS and differ[0][1] in _VOWELS:
                    found[self._by_key[other].key] = self._by_key[other]
        return next(iter(found.values())) if len(found) == 1 else None

    def _fuzzy_keys(self) -> list[str]:
        # Keys of full names and other names long enough to misspell (not "BCP" or "KCC").
        if not hasattr(self, "_fuzzy_cache"):
            self._fuzzy_cache = [k for k in self._by_key if len(k) >= 4]
        return self._fuzzy_cache

    def neighbours(self, name: str) -> list[Authority]:
        """Statistical neighbours of an authority, closest first.

        Raises:
            ValueError: the name is not an authority (the message suggests close names).
        """
        authority = self.resolve(name)
        if authority is None:
            raise ValueError(f"{name!r} is not a local authority; {self.suggestion(name)}")
        return [n for n in (self.by_code(code) for code in authority.neighbours) if n is not None]

    def suggestion(self, name: str) -> str:
        close = self.close_names(name)
        return f"did you mean {', '.join(close)}?" if close else "no authority has a similar name"

    def close_names(self, name: str, n: int = 3) -> list[str]:
        import difflib

        names = {alias: a.name for a in self.authorities for alias in (a.name, *a.aliases)}
        found = difflib.get_close_matches(name.strip(), list(names), n=n * 3, cutoff=0.6)
        found += difflib.get_close_matches(name.strip().title(), list(names), n=n * 3, cutoff=0.6)
        out: list[str] = []
        for alias in found:
            if names[alias] not in out:
                out.append(names[alias])
        return out[:n]

    def find_in_text(self, text: str, everyday_lower_case: bool = False) -> list[tuple[Authority, tuple[int, int]]]:
        """Each authority named in free text, with the character span of its mention, in order.

        Word sequences of up to six words are looked up by key, longest first, so "North East
        Lincolnshire" wins over a shorter name inside it; "the" before a name and a possessive after
        it ("the Wirral's", "Leeds'") belong to the mention. A name that is also an everyday word
        ("reading", "bury") counts only when capitalised, unless `everyday_lower_case` (the caller
        judges them by their context: index/reading/places.py).
        """
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(_ascii_keep_length(text))]
        found: list[tuple[Authority, tuple[int, int]]] = []
        i = 0
        while i < len(tokens):
            match = None
            for n in range(min(_MAX_NAME_WORDS, len(tokens) - i), 0, -1):
                words = [t[0] for t in tokens[i:i + n]]
                if any(w.isdigit() for w in words):  # "Medway 2013" is a name and a year
                    continue
                last = re.sub(r"['’]s?$", "", words[-1])
                phrase = " ".join([*words[:-1], last])
                if not re.search(r"[A-Za-z]", phrase):
                    continue
                authority = self._by_key.get(name_key(phrase))
                if authority is None:
                    continue
                if phrase.lower() in EVERYDAY_WORDS and not phrase[:1].isupper() and not everyday_lower_case:
                    continue
                if n == 1 and words[0].lower() in ("the", "city", "county", "council", "borough"):
                    continue
                match = (authority, n)
                break
            if match is None:
                i += 1
                continue
            authority, n = match
            start, end = tokens[i][1], tokens[i + n - 1][2]
            if end < len(text) and text[end] in "'’":  # "Leeds'"
                end += 1
            before = text[:start].rstrip()
            if before.lower().endswith("the") and (len(before) == 3 or not before[-4].isalnum()):
                start = len(before) - 3
            found.append((authority, (start, end)))
            i += n
        return found


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|&")
_MAX_NAME_WORDS = 6


def _ascii_keep_length(text: str) -> str:
    """Accents folded one character for one, so spans stay those of the original text."""
    return "".join(folded if len(folded := fold_to_ascii(ch)) == 1 else ch for ch in text)


def _domain_name(domain: str) -> str | None:
    """The council's own short name from its web address: 'kingston.gov.uk' -> 'kingston',
    'northnorthants.gov.uk' -> 'northnorthants' (the key of "North Northants"). Only gov.uk
    addresses: a trust's or a contractor's address names no place."""
    host = (domain or "").strip().lower().removeprefix("www.").removeprefix("my.")
    if not host.endswith(".gov.uk"):
        return None
    label = host.removesuffix(".gov.uk").replace("-", "")
    return label if "." not in label and len(label) >= 3 else None


def _authorities_from_rows(rows: list[dict[str, str]]) -> list[Authority]:
    # A web-address name counts only when one authority has it (two rows share a merged council's).
    domains: dict[str, int] = {}
    for row in rows:
        if (label := _domain_name(row.get("domain", ""))) is not None:
            domains[label] = domains.get(label, 0) + 1
    base: list[tuple[dict[str, str], str, list[str]]] = []
    for row in rows:
        ons = (row.get("local_authority_ons_name") or "").strip()
        if not ons:
            continue
        display = _display_name(ons)
        names = [display, ons, *_split_list(row.get("also_known_as", ""))]
        for column in ("ltla23nm", "utla23nm"):
            if row.get(column, "").strip():
                names.append(row[column].strip())
        names += aliases_of(display)
        if "," in ons and "city of" in ons.lower():
            names.append("City of " + display)
        label = _domain_name(row.get("domain", ""))
        if label is not None and domains[label] == 1:
            names.append(label)
        base.append((row, display, names))

    # Derived short names: kept only when exactly one authority would have them, and when the
    # short name is not itself the full name of another authority.
    full_keys = {name_key(n) for _, _, names in base for n in names}
    candidates: dict[str, set[str]] = {}
    for _, display, _ in base:
        for short in _short_forms(display):
            candidates.setdefault(name_key(short), set()).add(display)
    for abbreviation, county in COUNTY_ABBREVIATIONS.items():
        candidates.setdefault(abbreviation, set()).add(county)
    shorts: dict[str, list[str]] = {}
    for _, display, _ in base:
        for short in _short_forms(display):
            key = name_key(short)
            if len(candidates[key]) == 1 and key not in full_keys:
                shorts.setdefault(display, []).append(short)
    for abbreviation, county in COUNTY_ABBREVIATIONS.items():
        if len(candidates[abbreviation]) == 1 and any(d == county for _, d, _ in base):
            shorts.setdefault(county, []).append(abbreviation.capitalize())

    out = []
    for row, display, names in base:
        aliases: list[str] = []
        for alias in [*names, *shorts.get(display, [])]:
            if alias != display and alias not in aliases:
                aliases.append(alias)
        out.append(Authority(
            key=name_key(display), name=display, la_code=(row.get("la_code") or "").strip(),
            la_code_new=(row.get("la_code_new") or "").strip(), urn=(row.get("urn") or "").strip(),
            region=(row.get("region_name") or "").strip(), la_type=(row.get("ons_la_type") or "").strip(),
            aliases=tuple(aliases), neighbours=tuple(_split_list(row.get("stat_neighbours", ""))),
        ))
    return out


def _short_forms(display: str) -> list[str]:
    """Shorter names people use: the part before 'and' / 'with' / 'upon' / '-on-', 'Isle of X' -> X."""
    forms = []
    match = re.match(r"(.+?)(?:\s+and\s+|\s+with\s+|\s+upon\s+|-on-|,\s*)", display, re.I)
    if match:
        forms.append(match.group(1).strip())
    match = re.match(r"(.+?)\s+of\s+(.+)", display)
    if match and len(match.group(1).split()) > 1:  # "East Riding of Yorkshire" -> "East Riding"
        forms.append(match.group(1))
    match = re.match(r"Isles?\s+of\s+(.+)", display)
    if match:
        forms.append(match.group(1))
    return [f for f in forms if f and not set(f.lower().split()) <= _NOT_A_NAME]


@lru_cache(maxsize=1)
def default_registry() -> AuthorityRegistry:
    """The registry of corpus/la_lookup.csv (an empty one, with a warning, if the file is missing)."""
    try:
        return AuthorityRegistry.load()
    except (OSError, ValueError) as exc:
        import logging

        logging.getLogger(__name__).warning("no authority lookup (%s): names are matched as printed", exc)
        return AuthorityRegistry([])
