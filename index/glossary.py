"""Sector acronyms and their expansions, used to widen queries for both retrievers.

Users type "LADO" or "S47"; reports mostly spell the term out ("designated officer", "section 47
enquiries"). Each acronym maps to the phrases a report would use for it, most common first.
"""

from __future__ import annotations

import re

GLOSSARY: dict[str, tuple[str, ...]] = {
    "CSE": ("child sexual exploitation", "sexual exploitation", "extra-familial harm"),
    "CCE": ("child criminal exploitation", "criminal exploitation", "extra-familial harm"),
    "CIN": ("child in need", "children in need"),
    "CP": ("child protection",),
    "CPP": ("child protection plan", "child protection plans"),
    "CPC": ("child protection conference",),
    "ICPC": ("initial child protection conference",),
    "RCPC": ("review child protection conference",),
    "CLA": ("children looked after", "looked after children", "children in care"),
    "LAC": ("looked after children", "children looked after", "children in care"),
    "CIC": ("children in care", "children looked after"),
    "CYP": ("children and young people",),
    "LADO": ("local authority designated officer", "designated officer", "allegations against professionals"),
    "MASH": ("multi-agency safeguarding hub", "front door"),
    "IRO": ("independent reviewing officer", "independent reviewing officers"),
    "PLO": ("public law outline", "pre-proceedings"),
    "ICO": ("interim care order",),
    "SGO": ("special guardianship order", "special guardianship"),
    "CAO": ("child arrangements order",),
    "EHCP": ("education, health and care plan", "education health and care plans"),
    "SEND": ("special educational needs and disabilities", "special educational needs"),
    "SEN": ("special educational needs",),
    "PEP": ("personal education plan", "personal education plans"),
    "UASC": ("unaccompanied asylum-seeking children", "unaccompanied asylum seeking"),
    "PA": ("personal adviser", "personal advisers"),
    "NEET": ("not in education, employment or training", "not in education employment or training"),
    "EET": ("in education, employment or training",),
    "RHI": ("return home interview", "return home interviews"),
    "DOLS": ("deprivation of liberty", "deprivation of liberty safeguards"),
    "S20": ("section 20", "voluntary accommodation"),
    "S47": ("section 47", "child protection enquiries", "strategy"),
    "EH": ("early help",),
    "EHA": ("early help assessment",),
    "IFA": ("independent fostering agency", "independent fostering agencies"),
    "RAA": ("regional adoption agency",),
    "ADM": ("agency decision maker",),
    "FGC": ("family group conference", "family group conferences"),
    "MACE": ("missing and child exploitation", "missing and exploitation"),
    "MARAC": ("multi-agency risk assessment conference",),
    "MAPPA": ("multi-agency public protection arrangements",),
    "CAMHS": ("child and adolescent mental health services", "mental health services"),
    "YOT": ("youth offending team", "youth offending service"),
    "YOS": ("youth offending service", "youth justice service"),
    "YJS": ("youth justice service",),
    "LSCB": ("local safeguarding children board", "safeguarding children board"),
    "LSCP": ("local safeguarding children partnership", "safeguarding partnership"),
    "DCS": ("director of children's services",),
    "HMI": ("her majesty's inspector", "his majesty's inspector"),
    "SCR": ("serious case review", "serious case reviews"),
    "CSPR": ("child safeguarding practice review",),
    "DA": ("domestic abuse",),
    "DV": ("domestic violence", "domestic abuse"),
    "FGM": ("female genital mutilation",),
    "EDT": ("emergency duty team", "out-of-hours service"),
    "QA": ("quality assurance",),
    "ASYE": ("assessed and supported year in employment",),
    "NQSW": ("newly qualified social workers",),
    "SW": ("social worker", "social workers"),
    "DSL": ("designated safeguarding lead",),
    "VSH": ("virtual school headteacher", "virtual school"),
    "ESFA": ("education and skills funding agency",),
    "CHE": ("children's homes",),
    "UPO": ("unregistered placements", "unregistered children's homes"),
    "EHM": ("extra-familial harm",),
    "EFH": ("extra-familial harm",),
    "A&E": ("accident and emergency", "emergency department"),
    "B&B": ("bed and breakfast", "bed and breakfast accommodation"),
}

# Acronyms that are also ordinary English words: expanded only when typed in capitals.
_AMBIGUOUS = {"PA", "SEND", "CIN", "CAO", "DA", "EH", "SW", "QA", "CHE", "PEP", "ADM", "SEN", "CP", "EET"}

_TOKEN = re.compile(r"[A-Za-z]&[A-Za-z]s?\b|[A-Za-z][A-Za-z0-9']*|\d+")


def find_acronyms(query: str) -> list[str]:
    """Acronyms of the glossary that the query uses, in order, without repeats."""
    found: list[str] = []
    for match in _TOKEN.finditer(query):
        word = match.group(0)
        key = word.upper().replace("'", "")
        if key.endswith("S") and key not in GLOSSARY and key[:-1] in GLOSSARY:
            key = key[:-1]  # plurals: "IROs", "PEPs", "CPPs"
        if key not in GLOSSARY:
            continue
        if key in _AMBIGUOUS and not word.replace("'", "").rstrip("s").isupper():
            continue
        if key not in found:
            found.append(key)
    return found


def expansions(query: str) -> list[str]:
    """The phrases the query's acronyms stand for."""
    phrases: list[str] = []
    for acronym in find_acronyms(query):
        for phrase in GLOSSARY[acronym]:
            if phrase not in phrases:
                phrases.append(phrase)
    return phrases


def expand_for_embedding(query: str) -> str:
    """The query with each acronym's main expansion written beside it, for the dense retriever."""
    acronyms = find_acronyms(query)
    if not acronyms:
        return query
    spelled = "; ".join(GLOSSARY[a][0] for a in acronyms)
    return f"{query} ({spelled})"


def _partial_forms() -> dict[str, str]:
    """Word sequences (2+ words) of the expansions that belong to one acronym only -> that acronym.

    "reviewing officer" (of "independent reviewing officer") -> IRO, "personal adviser" -> PA,
    "designated officer" -> LADO; "child protection" belongs to several acronyms and maps to none.
    """
    owners: dict[str, set[str]] = {}
    for acronym, phrases in GLOSSARY.items():
        for phrase in phrases:
            tokens = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", phrase)]
            for i in range(len(tokens)):
                for j in range(i + 2, len(tokens) + 1):
                    part = tokens[i:j]
                    if part[0] in _EDGE_WORDS or part[-1] in _EDGE_WORDS:
                        continue
                    owners.setdefault(" ".join(part), set()).add(acronym)
    return {part: next(iter(found)) for part, found in owners.items() if len(found) == 1}


# A partial form does not start or end on a function word ("of liberty", "education and").
_EDGE_WORDS = frozenset({"and", "or", "of", "the", "in", "to", "for", "with", "a", "an", "not"})
_PARTIALS: dict[str, str] | None = None
# Acronyms for everyday phrases ("young people", "social worker"): searching them adds nothing.
_TOO_GENERAL = frozenset({"CYP", "SW", "QA", "DA", "DV", "EH", "CP", "HMI", "CHE", "EET"})


def reverse_acronyms(query: str) -> list[str]:
    """Acronyms whose expansion, or a part of it that no other acronym shares, the query spells out.

    Reports often print the acronym alone ("IROs challenge plans", "PAs keep in touch"), so a
    question in words finds those passages too when the acronym is searched beside the words.
    """
    global _PARTIALS
    if _PARTIALS is None:
        _PARTIALS = _partial_forms()
    tokens = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", query)]
    text = " " + " ".join(tokens) + " "
    found: list[str] = []
    for part, acronym in sorted(_PARTIALS.items(), key=lambda item: -len(item[0])):
        if acronym in _TOO_GENERAL:
            continue
        if f" {part} " in text and acronym not in found and acronym not in find_acronyms(query):
            found.append(acronym)
    return found
