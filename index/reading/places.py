"""Places in a question, as a person means them: authorities, regions, areas and statistical neighbours.

A council name narrows only on clear evidence that it is used as a council: a name that is no
everyday word ("Worcestershire", "hull" is one, "Rotherham" is not), or an everyday one with a
place context ("Reading's", "Bury council", "hull children in care", "in Bath" mid-sentence).
It does not count inside a longer proper noun: the gazetteer of corpus/place_names.csv ("Sutton
Coldfield", "New York", "Durham University"), or a capitalised name followed by another capitalised
word the registry does not know ("Kingston Hospital"; not after a possessive: "Sunderland's Together
for Children" is Sunderland's). An everyday-word name capitalised
mid-sentence with no other context only favours its reports.

"London" is the 33 London authorities ("City of London" is the one); the areas of corpus/areas.csv
(Greater Manchester, West Yorkshire, Inner London, ...) are sets; "councils like X", "X's
neighbours", "similar councils to X" mean X's statistical neighbours. A misspelt name is matched
to the registry's names by rapidfuzz: a clear match is read and said, a close call is asked about.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.reading.lazy_pattern import lazy_re
from index.reading.misspelt import find_misspelt
from index.spelling import english_words
from ingest.authorities import Authority, AuthorityRegistry, name_key
from ingest.vocabulary import EVERYDAY_WORDS

PLACE_NAMES = Path(__file__).resolve().parents[2] / "corpus" / "place_names.csv"

# Names that are also everyday words, beyond ingest.vocabulary's: "bucks the trend", "wilts".
_EVERYDAY = EVERYDAY_WORDS | {"bucks", "wilts"}
# Of those, the ones that are verbs people write in lower case ("reading", "barking", "bury"): never read in
# lower case without a council word beside them.
_EVERYDAY_VERBS = frozenset({"reading", "barking", "bury", "bucks"})

# Words after a name that say it is the council or its services ("hull children in care", "Bury council",
# "Bury 2021").
_SERVICE_AFTER = lazy_re(
    r"^(?:['’]s?\b|\s+(?:council|borough|city\s+council|county\s+council|children['’]?s?|childrens|social|"
    r"safeguarding|inspection|inspections|report|reports|la\b|local\s+authority|ofsted|mash|front\s+door|"
    r"early\s+help|care\s+leavers?|fostering|adoption|services|rated|judged|graded|(?:19|20)\d\d\b|"
    r"cc\b|(?:latest|last|most\s+recent|current|recent|newest)\s+(?:ofsted\s+)?(?:reports?|inspections?|ratings?|"
    r"judgements?|ilacs|grades?)\b|(?:last\s+)?inspected\b))",
    re.I,
)
_TOPIC_AFTER = lazy_re(
    r"^\s+(?:child|children|young|cse|cce|exploitation|neglect|fostering|foster|adoption|looked|send|youth|missing|"
    r"kinship|placements?|care|early|front|mash|leaving|domestic|edge|private|disabled|unaccompanied|corporate|"
    r"social\s+work(?:ers?)?|caseloads?|agency|workforce|iros?|lado|supervision|management|leadership|"
    r"inadequate|outstanding|good|requires\s+improvement|ri|"
    r"numbers?|rates?|figures|data|statistics|stats|performance|ofsted|inspections?|reports?|services?|council|"
    r"safeguarding|contextual|permanence|reunification|homelessness|sufficiency|plo|thresholds?|referrals?|"
    r"contacts?|assessments?|plans?|visits?|audits?|recruitment|retention|staffing|turnover|vacancies)\b",
    re.I,
)
_YEAR_AFTER = r"(?:19|20)\d\d\b"
_REPORT_OF_BEFORE = lazy_re(r"\b(?:inspections?|reports?|ofsted|judgements?|ratings?|monitoring\s+visits?|"
                               r"focused\s+visits?)\s+(?:of|for|on|into)\s+$", re.I)
# Skills said "in reading": "difficulties in reading", "progress in reading"
_SKILL_BEFORE = lazy_re(r"\b(?:difficult(?:y|ies)|problems?|progress|attainment|skills?|support|help|interest|"
                           r"delays?|behind|struggl\w*|gains?|improvement|confidence|ability|achievement|catch[\s-]?up|"
                           r"standards?|levels?|outcomes?|results?|ages?|fluency|engagement|pleasure)\s+in\s+$", re.I)
# Institutions named after a place, not the council: a name then one of these is another body.
_INSTITUTION_AFTER = lazy_re(
    r"^\s+(?:university|uni|college|arena|airport|cathedral|fc|afc|united|rovers|wanderers|albion|athletic|prison|"
    r"judgment|ruling|road|street|lane|avenue|drive|crescent|"
    r"station|crown\s+court|magistrates|zoo|festival|marathon|"
    # one named building or place: "Bolton Abbey", "Norfolk Island", "Brighton Rock"
    r"hospital|infirmary|abbey|priory|minster|island|pier|harbour|castle|museum|theatre|"
    r"racecourse|bridge|rock|goose|terrier|notes)\b", re.I)
_PERSON_BEFORE = lazy_re(
    r"\b(?:social\s+worker|mr|mrs|ms|miss|dr|sir|lord|lady|professor|prof|andrew|john|david|james|michael|peter|paul|"
    r"mark|richard|robert|william|thomas|george|sarah|victoria|emma|helen|jane|mary|elizabeth|anne|susan|karen|"
    r"claire|rachel|rebecca|laura|lucy|kate|katie|julie|alison|jo|ian|simon|stephen|steve|chris|christopher|tony|"
    r"gary|kevin|jamie|harry|jack|charlie|tom|sam|ben|dan|daniel|matthew|luke|nick|nicola|amanda|louise|caroline|"
    r"fiona|jenny|jennifer|joanne|lisa|michelle|natalie|samantha|sophie|hannah|amy|jessica|charlotte|olivia|"
    r"martin|neil|graham|colin|keith|alan|brian|frank|harold|eric|ronald|donald|anthony|"
    # "my son dudley", "a boy called Bradford": someone's name
    r"(?:my|our|his|her|their|your)\s+(?:(?:foster|step|adopted|eldest|youngest|little)[\s-]+)?(?:son|daughter|"
    r"child|kid|boy|girl|brother|sister|nephew|niece|grandson|granddaughter|grandchild|friend|partner|husband|"
    r"wife|cousin|baby)|(?:called|named)"
    r")\s+$", re.I)
_GOVERNMENT_NEAR = lazy_re(r"\b(?:funding|funded|funds|fund|government|ministers?|mps|parliament|politicians?|"
                              r"policy|policies|whitehall|national)\b", re.I)
_MODEL_AFTER = lazy_re(r"^(?:\s+(?!for\b|to\b|on\b|in\b)[A-Za-z'’-]+){0,3}\s+(?:model|approach|factor)\b", re.I)
# "Birmingham, Alabama": an American namesake.
_US_STATE_AFTER = lazy_re(
    r"^,?\s+(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho|"
    r"illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|"
    r"missouri|montana|nebraska|nevada|new\s+hampshire|new\s+jersey|new\s+mexico|north\s+carolina|north\s+dakota|"
    r"ohio|oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina|south\s+dakota|tennessee|texas|utah|vermont|"
    r"virginia|washington|west\s+virginia|wisconsin|wyoming|usa|us|america|canada|australia|tasmania|"
    r"new\s+south\s+wales|victoria|queensland|jamaica|ontario|ireland|new\s+zealand|scotland|wales)\b", re.I)
_INSTITUTION_BEFORE = lazy_re(r"\b(?:university|uni|college|diocese|bishop|archbishop)\s+of\s+(?:the\s+)?$", re.I)
_PLACE_BEFORE = lazy_re(r"\b(?:in|at|from|for|across|around|covering|of|by|to|about|on|within|into|is|was|did|"
                           r"does|has|had)\s+"
                           r"(?:the\s+)?$", re.I)

# Capitalised words after a name that do not make it another place ("Leeds Children's Services").
_NOT_ANOTHER_PLACE = frozenset(
    "council councils county borough city children children's childrens social safeguarding local la las "
    "ofsted inspection inspections report reports services service care leavers early help front door mash "
    "partnership trust and or the in on of for to with what how why when is was were are did does do has had "
    "have since after before between during compared versus vs i we i'd i'm i've i'll we're we've".split()
)

# Statistical neighbours: "councils like X", "similar councils to X", "X's neighbours", "X and its neighbours".
_NEIGHBOURS_BEFORE = lazy_re(
    r"(?:\b(?:councils?|authorit(?:y|ies)|las|areas?|places|boroughs|counties|ones)\s+(?:like|similar\s+to|"
    r"comparable\s+(?:to|with))|\bsimilar\s+(?:councils|authorities|las|areas|places|boroughs|counties)\s+to"
    r"|\b(?:statistical\s+|stat\s+)?neighbou?rs\s+(?:of|for)|\bcomparable\s+to|\bstatistically\s+similar\s+to"
    r"|\bsimilar\s+councils\s+(?:like|such\s+as)|\bsimilar\s+(?:profile|demographics?|size|make-?up)\s+to"
    r"|\bsimilar\s+in\s+(?:size|population|profile|demographics?|make-?up|character)\s+to"
    r"|\bcomparator\s+(?:councils|authorities|las)\s+(?:for|of|to)"
    r"|\b(?:statistical\s+|stat\s+)?neighbou?r\s+group\s+(?:for|of)"
    r"|\bpeer\s+(?:councils|authorities|las|group)\s+(?:to|of|for))\s+(?:the\s+)?$",
    re.I,
)
_NEIGHBOURS_AFTER = lazy_re(
    r"^(?:['’]s?)?\s+(?:(?:(?:and|with|vs\.?|versus|v\.?|against|compared\s+(?:to|with)|compares?\s+(?:to|with))\s+)?"
    r"(?:its|their)\s+)?(?:(?:nearest|closest)\s+)?(?:statistical\s+|stat\s+)?"
    r"(?:neighbou?rs|comparators|(?-i:SNs?\b)|"
    r"comparator\s+(?:councils|authorities|las))\b"
    r"|^\s+and\s+(?:other\s+)?(?:similar|comparable)\s+(?:councils|authorities|las|areas|places|boroughs|counties)\b"
    r"|^(?:['’]s?)?\s+family\s+of\s+similar\s+(?:councils|authorities|las)\b"
    # "how does kent compare with similar councils", "kent's peers"
    r"|^\s+(?:compared?|compares|vs\.?|versus|against)\s+(?:(?:to|with)\s+)?(?:other\s+)?(?:similar|comparable)\s+"
    r"(?:councils|authorities|las|areas|places|boroughs|counties)\b"
    r"|^['’]s?\s+peers\b"
    r"|^(?:['’]s?)?\s+(?:statistical\s+|stat\s+)?neighbou?r\s+group\b",
    re.I,
)

_AROUND_BEFORE = lazy_re(r"\b(?:councils?|authorit(?:y|ies)|las|areas|boroughs|counties|places)\s+(?:bordering|"
                            r"next\s+to|near|nearby|around|surrounding|adjacent\s+to|adjoining|neighbouring|"
                            r"close\s+to|beside)\s+(?:the\s+)?$", re.I)
_AROUND_AFTER = lazy_re(r"^(?:['’]s?)?\s+(?:geographical\s+|geographic\s+)?(?:neighbouring|bordering|adjacent|"
                           r"adjoining|surrounding|nearby)\s+(?:councils|authorities|las|boroughs|counties|areas)\b",
                           re.I)
_PART_OF = lazy_re(r"^\s+of\s+(?:the|a|this|that|our|their|its|my)\s+(?:county|borough|city|town|country|district|"
                      r"patch|authority|la|council|shire)\b", re.I)
_OTHER_BODY_AFTER = lazy_re(r"^\s+(?:police|constabulary|fire(?:\s+and\s+rescue)?|ambulance|nhs|icb|"
                               r"integrated\s+care\s+(?:board|system)|probation)\b", re.I)
# "councils near London", "outside London": not London's boroughs
_NOT_IN_LONDON_BEFORE = lazy_re(r"\b(?:near|outside|around|beyond|surrounding|neighbouring|bordering|commuting\s+to|"
                                   r"commuter\s+belt\s+(?:of|around))\s+(?:the\s+)?$", re.I)

# The user's own council, then its neighbours as "ours" ("we're Sefton; how do our stat neighbours ...").
_WHO_WE_ARE = lazy_re(r"\b(?:we['’]re|we\s+are|i['’]m\s+(?:from|at|in)|i\s+am\s+(?:from|at|in)|"
                         r"i\s+work\s+(?:in|at|for)|we\s+work\s+(?:in|at|for)|our\s+(?:council|la|local\s+authority)"
                         r"(?:\s+is)?)\s*[(:,-]?\s*(?:the\s+)?$", re.I)
_OUR_NEIGHBOURS = lazy_re(
    r"\bour\s+(?:nearest\s+|closest\s+)?(?:statistical\s+|stat\s+)?(?:neighbou?rs|comparators|"
    r"comparator\s+(?:councils|authorities|las)|neighbou?r\s+group)['’]?"
    r"|\b(?:councils|authorities|las)\s+(?:like|similar\s+to)\s+us\b", re.I)

_REGIONS = {
    "north west": "North West", "north-west": "North West", "northwest": "North West",
    "north east": "North East", "north-east": "North East", "northeast": "North East",
    "south east": "South East", "south-east": "South East", "southeast": "South East",
    "south west": "South West", "south-west": "South West", "southwest": "South West",
    "east midlands": "East Midlands", "west midlands": "West Midlands",
    "east of england": "East of England", "eastern region": "East of England",
    "yorkshire and the humber": "Yorkshire and the Humber", "yorkshire and humber": "Yorkshire and the Humber",
    "yorkshire": "Yorkshire and the Humber", "london": "London", "greater london": "London",
    "london-wide": "London", "pan-london": "London", "big smoke": "London", "capital": "London",
    "east mids": "East Midlands", "west mids": "West Midlands", "the smoke": "London",
}
# Region names no sentence uses for anything else: read without a council word beside them.
_PLAIN_REGIONS = frozenset({"yorkshire and the humber", "yorkshire and humber", "east of england", "greater london",
                            "london-wide", "pan-london", "big smoke"})
_REGION_PATTERN = lazy_re(
    r"\b(?:(?:in|across|of|from)\s+)?(?:the\s+)?(?P<region>"
    + "|".join(sorted((re.escape(k) for k in _REGIONS), key=len, reverse=True))
    + r")\b(?:\s+(?:region|councils?|authorit(?:y|ies)|boroughs?|las))?",
    re.I,
)
# A region is read only when the question speaks of councils there, not of a place in a sentence.
_REGION_CONTEXT = lazy_re(r"\b(?:councils?|authorit(?:y|ies)|boroughs?|las|region|areas?|reports?|inspections?|"
                             r"ofsted|judged|rated|graded)\b", re.I)

# Other ways people name the areas of corpus/areas.csv, beyond the area's own name.
_AREA_NAMES = {
    "West Midlands metropolitan county": (r"west\s+midlands\s+(?:metropolitan|met)\s+(?:county|boroughs?|districts?|"
                                          r"area|councils?)", r"west\s+midlands\s+combined\s+authority", r"wmca",
                                          r"(?:metropolitan|met)\s+(?:boroughs|districts|councils)\s+(?:of|in)\s+"
                                          r"the\s+west\s+midlands",
                                          r"(?:metropolitan|met)\s+county\s+of\s+(?:the\s+)?west\s+midlands"),
    "North East Combined Authority": (r"north\s+east\s+combined\s+authority", r"(?-i:NECA)"),
    "East Midlands Combined County Authority": (r"east\s+midlands\s+combined\s+(?:county\s+)?authority",
                                                r"(?-i:EMCCA)"),
    "Greater Manchester": (r"greater\s+manchester", r"(?-i:GMCA)",
                           r"(?-i:GM)(?=\s+(?:councils|authorities|las|boroughs))"),
    "Liverpool City Region": (r"liverpool\s+city\s+region", r"(?-i:LCR)"),
    # the combined authority was the Sheffield City Region until 2021
    "South Yorkshire": (r"south\s+yorks(?:hire)?", r"(?-i:SYMCA)", r"sheffield\s+city\s+region"),
    "West Yorkshire": (r"west\s+yorks(?:hire)?", r"(?-i:WYCA)"),
    "Tees Valley": (r"tees\s+valley", r"teesside", r"(?-i:TVCA)"),
    "West of England": (r"west\s+of\s+england", r"(?-i:WECA)"),
}


_POINTS = {"n": "North", "s": "South", "e": "East", "w": "West", "ne": "North East", "nw": "North West",
           "se": "South East", "sw": "South West", "c": "Central"}
_SHORT_POINT = lazy_re(r"(?<!['’])\b(?P<point>ne|nw|se|sw|[nsewc])\.?\s+(?=(?P<name>[A-Za-z]+(?:\s+[A-Za-z]+)?))",
                          re.I)
_TWO_POINTS = lazy_re(r"\b(?P<first>north|south|east|west)\s+(?:and|&)\s+(?P<second>north|south|east|west)\s+"
                         r"(?P<name>[A-Za-z]+)", re.I)


@dataclass
class Places:
    """The places a question names, as read (`find_places`)."""

    authorities: list[Authority] = field(default_factory=list)  # narrowed: named as councils (or corrected)
    favoured: list[Authority] = field(default_factory=list)  # weaker evidence: their reports ranked higher
    corrections: list[tuple[str, Authority]] = field(default_factory=list)  # (as typed, read as)
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (as typed, "did you mean" names)
    area: str | None = None  # a region ("North West") or an area of corpus/areas.csv ("Greater Manchester")
    area_kind: str | None = None  # "region" or "area"
    members: list[Authority] = field(default_factory=list)  # the area's authorities
    neighbours_of: Authority | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # read: these leave the topic
    span_kinds: dict[tuple[int, int], str] = field(default_factory=dict)  # "authority", "region", "neighbours"
    name_ends: set[int] = field(default_factory=set)  # where a council's name ends ("Kent council")


@lru_cache(maxsize=1)
def _gazetteer() -> re.Pattern[str] | None:
    if not PLACE_NAMES.exists():
        return None
    with open(PLACE_NAMES, newline="", encoding="utf-8") as handle:
        phrases = [row["phrase"].strip() for row in csv.DictReader(handle) if row.get("phrase", "").strip()]
    parts = [r"\s*[-\s]\s*".join(re.escape(w) for w in re.split(r"[\s-]+", p)) for p in phrases]
    # a plural ("Staffordshire bull terriers") is the same thing; "Manchester City Council" is the council
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + r")s?(?![A-Za-z])"
                      r"(?!\s+council)", re.I)


def _area_pattern(registry: AuthorityRegistry) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for area in registry.areas:
        forms = list(_AREA_NAMES.get(area, ()))
        parts = re.split(r"\s+and\s+", area)
        # "Cambridgeshire and Peterborough" names two councils: the area only as "... combined authority".
        if len(parts) == 2 and all(registry.resolve(p) for p in parts):
            forms.append(r"\s+".join(map(re.escape, area.split())) + r"\s+(?:combined\s+)?authority")
        elif area not in _AREA_NAMES:
            forms.append(r"\s+".join(r"(?:and|&)" if w == "and" else re.escape(w) for w in area.split()))
        for form in forms:
            out.append((re.compile(rf"\b(?:the\s+)?(?:{form})\b(?:\s+(?:area|councils?|authorities|boroughs|las))?",
                                   re.I), area))
    return out


def _town_in(between: str, first: object, second: object) -> bool:
    """True when "first <between> second" names a town in a county ("richmond in north yorkshire",
    "richmond, north yorkshire"), not two councils ("Doncaster, Rotherham and Barnsley")."""
    if re.fullmatch(r"\s+(?:in|near)\s+(?:the\s+)?", between, re.I):
        return True
    county = isinstance(second, Authority) and "county" in second.la_type.lower()
    return bool(county and re.fullmatch(r",\s*", between) and isinstance(first, Authority)
                and "county" not in first.la_type.lower())


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


def find_places(question: str, registry: AuthorityRegistry) -> Places:
    """The authorities, area or region, and statistical neighbours a question names.

    Args:
        question: the question as typed.
        registry: the authorities, their names and areas.

    Returns:
        Places: what was read, how strongly, and the spans read (they leave the topic).
    """
    places = Places()
    gazetteer = _gazetteer()
    blocked = [m.span() for m in gazetteer.finditer(question)] if gazetteer else []

    # Candidates: (span, kind, value); the longest wins where they overlap.
    candidates: list[tuple[tuple[int, int], str, object]] = []
    for pattern, area in _area_pattern(registry):
        for match in pattern.finditer(question):
            candidates.append((match.span(), "area", area))
    for match in _REGION_PATTERN.finditer(question):
        word = match.group("region").lower()
        # "east yorkshire", "north yorkshire": a council or an area, not the region
        if word == "yorkshire" and re.search(r"\b(?:north|south|east|west)\s+$", question[:match.start("region")],
                                             re.I):
            continue
        context = question[max(0, match.start() - 40): match.end() + 40]
        # a region said of councils, or beside a topic as a council's name is ("east midlands UASC", "CSE in
        # the north east"): at the start, or after "in" / "across" / "from"
        before_region = question[:match.start()]
        beside_topic = " " in word and (
            not before_region.strip()
            or re.search(r"(?:\b(?:in|across|from|anywhere\s+in)|,)\s+(?:the\s+)?$", before_region, re.I)
            or match.group(0).lower().startswith(("in ", "across ", "from ")))
        after = question[match.end():]
        # "south east london councils": a part of London; "the north west of the county": a part of a county
        if re.match(r"\s+london\b", after, re.I) or _PART_OF.match(after):
            continue
        if "london" in word and _NOT_IN_LONDON_BEFORE.search(question[:match.start()]):
            continue
        if word in _PLAIN_REGIONS or _REGION_CONTEXT.search(context) or beside_topic:
            candidates.append((match.span(), "region", _REGIONS[word]))
    # "greater manchester police", "west midlands fire service": another body that covers the area
    for span in [c[0] for c in candidates if _OTHER_BODY_AFTER.match(question[c[0][1]:])]:
        blocked.append(span)
    candidates = [c for c in candidates if not _overlaps(c[0], blocked)]
    for authority, span in registry.find_in_text(question, everyday_lower_case=True):
        if not _split_name(question[span[0]:span[1]], authority):
            candidates.append((span, "authority", authority))
    # "N Tyneside", "S. Glos", "W Berks", "C Beds": a point of the compass shortened.
    for match in _SHORT_POINT.finditer(question):
        point = _POINTS[match.group("point").lower()]
        for words in (2, 1):
            name = " ".join(match.group("name").split()[:words])
            found = registry.resolve(f"{point} {name}")
            if found is not None:
                end = match.start("name") + len(name)
                candidates.append(((match.start(), end), "authority", found))
                break
    # "north and west Northamptonshire": two councils, the name said once.
    for match in _TWO_POINTS.finditer(question):
        for point, span in ((match.group("first"), match.span("first")),
                            (match.group("second"), (match.start("second"), match.end()))):
            found = registry.resolve(f"{point} {match.group('name')}")
            if found is not None:
                candidates.append((span, "authority", found))
    for span, members in _councils_of_a_county(question, registry):
        candidates.append((span, "councils", members))
    # "north west leicestershire", "north east derbyshire": a district of that county, not the region
    starts = {c[0][0] for c in candidates if c[1] == "authority"}
    candidates = [c for c in candidates
                  if not (c[1] == "region" and any(re.fullmatch(r"\s+", question[c[0][1]:s]) for s in starts
                                                   if s > c[0][1]))]
    # "greater lincolnshire children's services": the area, not "lincolnshire children's services"
    areas = [c[0] for c in candidates if c[1] == "area"]
    candidates = [c for c in candidates if not (c[1] == "authority" and any(a < c[0][0] < b for a, b in areas))]
    candidates.sort(key=lambda c: (-(c[0][1] - c[0][0]), c[0][0]))
    chosen: list[tuple[tuple[int, int], str, object]] = []
    for candidate in candidates:
        span = candidate[0]
        if _overlaps(span, blocked) or _overlaps(span, [c[0] for c in chosen]):
            continue
        chosen.append(candidate)
    chosen.sort(key=lambda c: c[0])
    # "richmond in north yorkshire": a town named with the county it is in is a place in that county
    chosen = [c for i, c in enumerate(chosen)
              if not (c[1] == "authority" and i + 1 < len(chosen) and chosen[i + 1][1] == "authority"
                      and _town_in(question[c[0][1]:chosen[i + 1][0][0]], c[2], chosen[i + 1][2]))]

    for span, kind, value in chosen:
        if kind == "councils":
            assert isinstance(value, list)
            places.authorities += [a for a in value if a not in places.authorities]
            places.spans.append(span)
            places.span_kinds[span] = "authority"
            continue
        if kind in ("area", "region"):
            if places.area is None:
                places.area, places.area_kind = str(value), kind
                places.members = (registry.in_region(str(value)) if kind == "region"
                                  else registry.in_area(str(value)))
            places.spans.append(span)
            places.span_kinds[span] = "region"
            continue
        authority = value
        assert isinstance(authority, Authority)
        text = question[span[0]:span[1]]
        bare = re.sub(r"^the\s+|['’]s?$", "", text, flags=re.I)
        if re.sub(r"\s+(?:borough|council)s?$", "", bare.lower()) == "london":
            # "London" is the London boroughs, not the City of London: read when said of councils there
            # ("councils in London": a region candidate, longer) or as where ("in London").
            said_of_councils = bare.lower() != "london" or _REGION_CONTEXT.search(
                question[max(0, span[0] - 40): span[1] + 40])
            if _NOT_IN_LONDON_BEFORE.search(question[:span[0]]):
                continue
            if places.area is None and (said_of_councils or re.search(r"\b(?:in|across|within)\s+$",
                                                                      question[:span[0]], re.I)):
                places.area, places.area_kind, places.members = "London", "region", registry.in_region("London")
                places.spans.append(span)
                places.span_kinds[span] = "region"
            continue
        possessive = re.search(r"['’]s?$", text)
        name_end = span[1] - (len(possessive.group(0)) if possessive else 0)
        neighbours_after = _NEIGHBOURS_AFTER.match(question[name_end:])
        neighbours_before = _NEIGHBOURS_BEFORE.search(question[:span[0]])
        ours = _OUR_NEIGHBOURS.search(question) if _WHO_WE_ARE.search(question[:span[0]]) else None
        if ours and places.neighbours_of is None:
            # "we're Bolton: what about our stat neighbours": the user's own council, whose neighbours are asked for
            places.neighbours_of = authority
            for said in (span, ours.span()):
                places.spans.append(said)
                places.span_kinds[said] = "neighbours"
            continue
        if neighbours_before or neighbours_after:
            if places.neighbours_of is None:
                places.neighbours_of = authority
            said = (neighbours_before.start() if neighbours_before else span[0],
                    name_end + neighbours_after.end() if neighbours_after else span[1])
            places.spans.append(said)
            places.span_kinds[said] = "neighbours"
            continue
        strength = _strength(question, span, bare)
        if strength is None:
            # "halton and warrington": an everyday-word name listed with another council's name
            listed = re.match(r"\s*(?:,|and|&|or|vs\.?|versus|v\.?|compared\s+(?:to|with))\s+", question[span[1]:])
            listed_after = re.search(r"(?:,|\band|&|\bor|\bvs\.?|\bversus|\bv\.?|\bcompared\s+(?:to|with))\s+$",
                                     question[:span[0]])
            others = [(s, v) for s, k, v in chosen if k == "authority" and s != span]
            if not any((listed and s[0] == span[1] + listed.end()) or (listed_after and s[1] == listed_after.start()
                       or (listed_after and s[1] <= span[0] and re.fullmatch(
                           r"\s*(?:,|and|&|or|vs\.?|versus|v\.?|compared\s+(?:to|with))\s*", question[s[1]:span[0]])))
                       for s, _ in others):
                continue
            strength = "narrowed"
        target = places.authorities if strength == "narrowed" else places.favoured
        if authority not in places.authorities and authority not in target:
            target.append(authority)
        places.spans.append(span)
        places.span_kinds[span] = "authority"
        places.name_ends.add(span[1])
    places.favoured = [a for a in places.favoured if a not in places.authorities]
    misspelt = find_misspelt(question, registry, places.spans + blocked)
    places.asked += misspelt.asked
    for typed, authority, span in misspelt.corrections:
        if authority not in places.authorities:
            places.authorities.append(authority)
        places.corrections.append((typed, authority))
        places.spans.append(span)
        places.span_kinds[span] = "authority"
        places.name_ends.add(span[1])
    if _OTHER_COUNCILS.search(question) and places.area is None and places.neighbours_of is None:
        # "how did other councils respond to the Jay report on Rotherham": the council named is not where
        # the answer is; its reports are favoured, not the only ones searched
        places.favoured = places.authorities + [a for a in places.favoured if a not in places.authorities]
        places.authorities = []
    return places


_OTHER_COUNCILS = lazy_re(r"\b(?:other|another)\s+(?:councils?|authorit(?:y|ies)|las?|local\s+authorit(?:y|ies)|"
                             r"areas?|boroughs?|counties|county)\b|\belsewhere\b", re.I)
# "both cheshire councils", "the two sussex county councils", "the two cheshires": the councils a former
# county is now, each named with the county's name
_COUNTY_COUNCILS = lazy_re(
    r"\b(?:both(?:\s+the)?|the\s+(?P<n>two|three|four))\s+(?P<county>[A-Za-z]+)\s+(?:county\s+)?"
    r"(?:councils|authorities|las|unitar(?:y|ies)(?:\s+councils)?)\b"
    r"|\b(?:both|the)\s+(?P<n2>two|three|four)\s+(?P<county2>[A-Za-z]+?)s\b", re.I)
_COUNTS = {"two": 2, "three": 3, "four": 4}


def _councils_of_a_county(question: str, registry: AuthorityRegistry) -> list[tuple[tuple[int, int], list[Authority]]]:
    """Spans naming the councils a former county is now, with those councils."""
    found = []
    for match in _COUNTY_COUNCILS.finditer(question):
        county = re.escape((match.group("county") or match.group("county2")).lower())
        count = _COUNTS.get((match.group("n") or match.group("n2") or "two").lower(), 2)
        named = re.compile(rf"(?:(?:north|south|east|west|central)\s+{county}|{county}\s+(?:north|south|east|west)\b)",
                           re.I)
        members = [a for a in registry.authorities if named.match(a.name)]
        if len(members) == count:
            found.append((match.span(), members))
    return found



def _split_name(text: str, authority: Authority) -> bool:
    """True for a one-word name typed as ordinary lower-case words ("the south end of the county": not
    Southend-on-Sea), where the name's own first word is not the first word typed."""
    words = re.findall(r"[A-Za-z]+", re.sub(r"^the\s+|['’]s?$", "", text, flags=re.I))
    if len(words) < 2 or not text.islower() or not all(w in english_words() for w in words):
        return False
    key = name_key(" ".join(words))
    if key != "".join(words).lower() or re.findall(r"[A-Za-z]+", authority.name)[0].lower() == words[0].lower():
        return False
    # a form of the name written in words ("County Durham", "the Square Mile")
    return not any(len(re.findall(r"[A-Za-z]+", name)) > 1 and name_key(name) == key
                   for name in (authority.name, *authority.aliases))


def _strength(question: str, span: tuple[int, int], bare: str) -> str | None:
    """How clearly a name found in the question means the council: "narrowed", "favoured" or None."""
    text = question[span[0]:span[1]]
    after = question[span[1]:]
    before = question[:span[0]]
    first_word = not re.search(r"[A-Za-z0-9]", before) or bool(re.search(r"[.?!:;]\s*$", before))
    capitalised = bare[:1].isupper()
    # "Kingston Hospital", "Durham Constabulary": a capitalised name, then a capitalised word no council has.
    following = re.match(r"\s+([A-Z][A-Za-z'’]*)", after)
    possessive = text.endswith(("'s", "’s")) or bool(re.match(r"['’]s?\b", after))
    # "Sunderland's Together for Children": what follows a possessive is the council's own.
    if capitalised and not possessive and following and following.group(1).lower() not in _NOT_ANOTHER_PLACE \
            and not following.group(1).isupper() and not _title_case(question):
        return None
    # "manchester university students", "the University of Kent", "Leeds United": another institution.
    if _INSTITUTION_AFTER.match(after) or _INSTITUTION_BEFORE.search(before) or _US_STATE_AFTER.match(after) \
            or re.search(r"\bR\s*\([^)]*\)\s+v\.?\s+$", before):  # "R (G) v Southwark": a law report
        return None
    # "councils bordering Kent", "Kent's neighbouring councils": the councils around it, not it
    if _AROUND_BEFORE.search(before) or _AROUND_AFTER.match(after):
        return None
    # "andrew wakefield", "my social worker dudley": a person
    if _PERSON_BEFORE.search(before):
        return None
    # "funding from Westminster": the seat of government, not the borough
    if bare.lower() == "westminster" and _GOVERNMENT_NEAR.search(question):
        return None
    # "the hertfordshire family safeguarding model", "the solihull approach": a practice model, named after the
    # council that made it, and used by others: favoured, not narrowed
    if not possessive and _MODEL_AFTER.match(after):
        return "favoured"
    if bare.lower() not in _EVERYDAY:
        return "narrowed"
    if bare.lower() in _EVERYDAY_VERBS and first_word and not capitalised and not possessive and re.match(
            r"\s+(?:ofsted|reports?|inspections?|the|a|an|about|through|up|over|between|into|out)\b", after, re.I) \
            and not re.match(rf"\s+\w+\s+{_YEAR_AFTER}", after):  # "reading ofsted 2019" is the council
        return None  # "reading ofsted reports as a newly qualified social worker": the verb
    if possessive or _SERVICE_AFTER.match(after):
        return "narrowed"
    if capitalised and _PLACE_BEFORE.search(before):
        return "narrowed"
    if first_word and re.match(r"\s*[-:–]\s", after):  # "Havering - latest findings", "havering: ..."
        return "narrowed" if capitalised else "favoured"
    if capitalised and not first_word:
        return "favoured"
    # In lower case, weaker evidence still: "sutton child sexual exploitation" (a name first, then a topic of
    # the reports), "care leavers in bath" (where, at the end). Favoured: a misreading only ranks.
    clause_ends_here = bool(re.match(r"\s*(?:[?.!,;:]|\s-\s|$)", after))
    period_after = re.match(rf"\s+(?:(?:since|before|after|from|in|during|until)\s+)?{_YEAR_AFTER}", after)
    at_end = re.search(r"\bfor\s+$", before) and re.match(r"\s*[?.!]*\s*$", after) and bare.lower() != "reading"
    in_then_comma = re.search(r"\bin\s+$", before) and re.match(r"\s*,", after)  # "in reading, how are ..."
    # "the last inspection of havering", "ofsted's report on bury": a report's council
    if _REPORT_OF_BEFORE.search(before) and (bare.lower() not in _EVERYDAY_VERBS or clause_ends_here):
        return "narrowed"
    # "brighter futures for children in reading": where, at the end (not "difficulties in reading")
    if re.search(r"\bin\s+$", before) and clause_ends_here and not _SKILL_BEFORE.search(before) \
            and not text.lower().startswith("the "):
        return "favoured"
    if bare.lower() in _EVERYDAY_VERBS and not at_end and not in_then_comma \
            and not (period_after and re.search(r"\b(?:in|at|for|about)\s+$", before)):
        return None  # "reading child protection plans", "difficulties in reading"; not "in reading in 2022"
    if first_word and _TOPIC_AFTER.match(after):
        return "favoured"
    where = re.search(r"\b(?:in|at|from|around|for|about|inspected|inspect|visited|visit)\s+$", before)
    clause_ends = re.match(rf"\s*(?:[?.!,;:]|\s-\s|$|(?:(?:since|before|after|from|in|during|until)\s+)?"
                           rf"{_YEAR_AFTER}|\s(?:what|how|why|when|did|and)\b)", after)
    if not text.lower().startswith("the ") and where and clause_ends:
        return "favoured"
    return None


def _title_case(question: str) -> bool:
    """True when most words are capitalised (a headline): capitals then say nothing of names."""
    words = re.findall(r"[A-Za-z]{4,}", question)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.7
