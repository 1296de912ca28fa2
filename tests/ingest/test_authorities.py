"""The authority registry (corpus/la_lookup.csv): canonical names and keys, aliases, regions, neighbours."""

from __future__ import annotations

import pytest

from ingest.authorities import AuthorityRegistry, default_registry
from ingest.vocabulary import name_key, strip_council_words


@pytest.fixture(scope="module")
def registry() -> AuthorityRegistry:
    return default_registry()


def test_every_authority_of_the_lookup_is_there(registry):
    assert len(registry.authorities) == 156
    assert len({a.key for a in registry.authorities}) == 156


@pytest.mark.parametrize("printed, canonical", [
    ("Bristol, City of", "Bristol"),
    ("City of Bristol", "Bristol"),
    ("Bristol City Council", "Bristol"),
    ("Kingston Upon Hull, City of", "Kingston upon Hull"),
    ("Hull", "Kingston upon Hull"),
    ("BCP", "Bournemouth, Christchurch and Poole"),
    ("bournemouth, christchurch & poole", "Bournemouth, Christchurch and Poole"),
    ("London Borough of Barking and Dagenham", "Barking and Dagenham"),
    ("The Royal Borough of Windsor and Maidenhead", "Windsor and Maidenhead"),
    ("windsor & maidenhead", "Windsor and Maidenhead"),
    ("Windsor", "Windsor and Maidenhead"),
    ("Telford", "Telford and Wrekin"),
    ("Brighton", "Brighton and Hove"),
    ("ROCHDALE METROPOLITAN BOROUGH COUNCIL", "Rochdale"),
    ("rochdale metropolitan borough", "Rochdale"),
    ("St. Helens", "St Helens"),
    ("Saint Helens", "St Helens"),
    ("County Durham", "Durham"),
    ("Bedford Borough", "Bedford"),
    ("london corporation", "City of London"),
    ("Herts", "Hertfordshire"),
    ("Southend", "Southend-on-Sea"),
])
def test_every_printed_form_resolves_to_one_canonical_name(registry, printed, canonical):
    found = registry.resolve(printed)
    assert found is not None and found.name == canonical


@pytest.mark.parametrize("name", ["Cheshire", "North", "Northamptonshire County", "Narnia", ""])
def test_ambiguous_or_unknown_names_resolve_to_nothing(registry, name):
    found = registry.resolve(name)
    assert found is None or found.name == "Northamptonshire"


def test_a_short_name_two_authorities_share_goes_to_the_one_whose_web_address_it_is(registry):
    kingston = {a.name for a in registry.authorities if a.name.startswith("Kingston")}
    assert kingston == {"Kingston upon Thames", "Kingston upon Hull"}
    assert registry.resolve("Kingston").name == "Kingston upon Thames"  # kingston.gov.uk; Hull is hullcc.gov.uk
    assert registry.resolve("Hull").name == "Kingston upon Hull"


@pytest.mark.parametrize(("typed", "canonical"), [
    ("North Northants", "North Northamptonshire"), ("West Berks", "West Berkshire"),
    ("NE Lincs", "North East Lincolnshire"), ("South Glos", "South Gloucestershire"),
    ("RBKC", "Kensington and Chelsea"), ("Northants", "Northamptonshire"),
])
def test_the_councils_own_web_address_names_it(registry, typed, canonical):
    assert registry.resolve(typed).name == canonical


def test_a_web_address_two_rows_share_or_a_trusts_names_nothing():
    from ingest.authorities import _authorities_from_rows

    rows = [{"local_authority_ons_name": name, "domain": domain, "urn": str(i), "la_code": str(i)}
            for i, (name, domain) in enumerate([("Bournemouth", "bcp.gov.uk"), ("Poole", "bcp.gov.uk"),
                                                ("Slough", "brighterfuturesforchildren.org")])]
    registry = AuthorityRegistry(_authorities_from_rows(rows))
    assert registry.resolve("bcp") is None and registry.resolve("brighterfuturesforchildren") is None
    assert registry.resolve("Poole").name == "Poole"


def test_regions_and_neighbours(registry):
    assert "North West" in registry.regions()
    north_west = {a.name for a in registry.in_region("north west")}
    assert {"Manchester", "Wirral", "Blackpool"} <= north_west and "Kent" not in north_west
    neighbours = registry.neighbours("Bradford")
    assert len(neighbours) == 10 and neighbours[0].name == "Blackburn with Darwen"


def test_neighbours_of_an_unknown_authority_suggest_names(registry):
    with pytest.raises(ValueError, match="did you mean Worcestershire"):
        registry.neighbours("Worcestershre")


def test_name_key_ignores_council_words_case_and_punctuation():
    assert name_key("Stoke-on-Trent City Council") == name_key("stoke on trent") == "stokeontrent"
    assert strip_council_words("Bristol City Council1") == "Bristol"
    assert strip_council_words("the Isle of Wight Council") == "Isle of Wight"


def test_a_lookup_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "la.csv"
    path.write_text("urn,name\n1,x\n")
    with pytest.raises(ValueError, match="lacks the columns"):
        AuthorityRegistry.load(path)


def test_abbreviations_and_nicknames_of_the_data_file(registry):
    assert registry.resolve("B&NES").name == "Bath and North East Somerset"
    assert registry.resolve("RBKC").name == "Kensington and Chelsea"
    assert registry.resolve("Brum").name == "Birmingham"


def test_an_abbreviation_naming_no_authority_is_refused(tmp_path):
    wrong = tmp_path / "abbreviations.csv"
    wrong.write_text("name,authority,kind,source\nWXYZ,Wessex,abbreviation,made up\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Wessex' is not an authority"):
        AuthorityRegistry.load(abbreviations=wrong)


def test_areas_are_sets_of_authorities(registry):
    assert {a.name for a in registry.in_area("greater manchester")} >= {"Manchester", "Salford", "Wigan"}
    assert len(registry.in_area("West Yorkshire")) == 5
    assert registry.in_area("Wessex") == []


@pytest.mark.parametrize(("typed", "expected"), [
    ("Worcestshire", "Worcestershire"), ("rotheram", "Rotherham"), ("Barking and Dagenam", "Barking and Dagenham"),
])
def test_suggestions_and_fuzzy_matches(registry, typed, expected):
    assert registry.suggestions(typed)[0] == expected
    assert registry.fuzzy_matches(typed)[0][0].name == expected


def test_suggestions_for_a_name_like_none_are_empty(registry):
    assert registry.suggestions("zzzzqqq") == []
    assert len(registry.suggestions("Herfordshire", n=2)) == 2


def test_no_sector_term_of_the_concepts_is_read_as_a_misspelt_council():
    # The reports' own words (corpus/concepts.csv): none may be taken for a council with a slip.
    import csv

    from index.reading.places import find_places
    from tests.conftest import REPO

    registry = default_registry()
    with open(REPO / "corpus" / "concepts.csv", newline="", encoding="utf-8") as handle:
        terms = {t.strip() for row in csv.DictReader(handle)
                 for column in ("sector_terms", "everyday_terms") for t in row[column].split("|") if t.strip()}
    misread = [t for t in terms if (found := find_places(t, registry)).corrections or found.asked]
    assert misread == []


def test_one_vowel_off_takes_a_single_vowel_slip_only():
    registry = default_registry()
    assert registry.one_vowel_off("torbey").name == "Torbay"
    assert registry.one_vowel_off("Bolten").name == "Bolton"
    assert registry.one_vowel_off("boston") is None  # a consonant apart: another town
    assert registry.one_vowel_off("luton") is None  # the name itself is no slip
    assert registry.one_vowel_off("bury") is None  # too short to judge
