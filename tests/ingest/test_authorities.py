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
