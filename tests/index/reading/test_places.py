"""Places read as a person means them: councils only on clear evidence, areas as sets, neighbours, typos."""

from __future__ import annotations

import pytest

from index.reading.places import find_places
from ingest.authorities import default_registry


def read(question: str):
    return find_places(question, default_registry())


def names(question: str) -> list[str]:
    return [a.name for a in read(question).authorities]


@pytest.mark.parametrize("question", [
    "my sister lives in Sutton Coldfield, what about child protection?",
    "early help in Bury St Edmunds",
    "how does child protection compare with New York?",
    "how does child protection compare with the new york system?",
    "students from Newcastle-under-Lyme",
    "Durham University research on signs of safety",
    "social workers sent to Coventry by their managers",
    "Reading the reports, what do inspectors say about neglect?",
    "do councils bury bad news about complaints?",
    "bath time routines in foster homes",
    "a Staffordshire bull terrier bite",
    "discharge planning at Kingston Hospital",  # a capitalised word no council has: another place
])
def test_a_place_word_that_is_not_the_council_is_not_read(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == [] and places.area is None


@pytest.mark.parametrize(("question", "expected"), [
    ("Reading's front door", ["Reading"]),
    ("what did inspectors find in Reading?", ["Reading"]),
    ("hull children in care", ["Kingston upon Hull"]),
    ("Bury council's early help", ["Bury"]),
    ("halton and warrington neglect", ["Halton", "Warrington"]),
    ("my sister lives in Sutton Coldfield, what about child protection in birmingham", ["Birmingham"]),
    ("north and west northamptonshire", ["North Northamptonshire", "West Northamptonshire"]),
])
def test_a_council_named_as_a_council_is_read(question, expected):
    assert names(question) == expected


def test_an_everyday_word_name_capitalised_mid_sentence_only_favours():
    places = read("foster carers near Bath and the coast")
    assert places.authorities == [] and [a.name for a in places.favoured] == ["Bath and North East Somerset"]


@pytest.mark.parametrize(("question", "area", "count"), [
    ("London boroughs rated outstanding", "London", 33),
    ("councils in London", "London", 33),
    ("each london borough's latest report", "London", 33),
    ("Greater Manchester councils", "Greater Manchester", 10),
    ("West Yorkshire councils", "West Yorkshire", 5),
    ("liverpool city region councils and county lines", "Liverpool City Region", 6),
    ("edge of care in the west midlands metropolitan boroughs", "West Midlands metropolitan county", 7),
    ("inner london unaccompanied children", "Inner London", 14),
    ("councils in the West Midlands", "West Midlands", 14),
])
def test_areas_and_regions_are_their_councils(question, area, count):
    places = read(question)
    assert places.area == area and len(places.members) == count
    assert places.authorities == []  # not Manchester, Liverpool or the City of London alone


def test_london_alone_is_not_the_city_of_london():
    assert read("young people who moved to London").authorities == []
    assert names("the City of London's children's services") == ["City of London"]


@pytest.mark.parametrize(("question", "expected"), [
    ("BANES early help", "Bath and North East Somerset"),
    ("B&NES care leavers", "Bath and North East Somerset"),
    ("RBKC fostering", "Kensington and Chelsea"),
    ("LBBD MASH", "Barking and Dagenham"),
    ("H&F social work practice", "Hammersmith and Fulham"),
    ("KCC unaccompanied children", "Kent"),
    ("how has brum's trust done", "Birmingham"),
    ("children in care in the potteries", "Stoke-on-Trent"),
    ("fostering in pompey", "Portsmouth"),
    ("MK front door", "Milton Keynes"),
    ("how are scouse care leavers supported", "Liverpool"),
])
def test_abbreviations_and_nicknames(question, expected):
    assert names(question) == [expected]


@pytest.mark.parametrize("question", [
    "councils like Worcestershire", "Worcestershire's neighbours", "similar councils to Worcestershire",
    "Worcestershire and its statistical neighbours", "authorities comparable to worcestershire",
])
def test_councils_like_x_are_its_statistical_neighbours(question):
    places = read(question)
    assert places.neighbours_of is not None and places.neighbours_of.name == "Worcestershire"
    assert places.authorities == []


@pytest.mark.parametrize(("question", "typed", "expected"), [
    ("care leavers in Worcestshire", "Worcestshire", "Worcestershire"),
    ("harringey child protection", "harringey", "Haringey"),
    ("Barking and Dagenam agency staff", "Barking and Dagenam", "Barking and Dagenham"),
    ("southhampton edge of care", "southhampton", "Southampton"),
])
def test_a_misspelt_council_is_read_and_said(question, typed, expected):
    places = read(question)
    assert names(question) == [expected]
    assert [(t, a.name) for t, a in places.corrections] == [(typed, expected)]


def test_an_ambiguous_misspelling_is_asked_not_applied():
    # "Herfordshire" is one letter from Herefordshire and one from Hertfordshire.
    places = read("care leavers in Herfordshire")
    assert places.authorities == []
    assert places.asked == [("Herfordshire", ("Herefordshire", "Hertfordshire"))] or \
        places.asked == [("Herfordshire", ("Hertfordshire", "Herefordshire"))]


def test_a_name_only_somewhat_like_a_council_is_not_read():
    # below the threshold and more than one vowel's slip: not taken, not asked
    assert read("care leavers in Tarbrey").authorities == [] and read("care leavers in Tarbrey").asked == []


def test_ordinary_words_are_never_read_as_misspelt_councils():
    for question in ("safegaurding thresholds", "recieving placements", "neglect and exploitation",
                     "permanence planning", "independent reviewing officers", "reunification"):
        places = read(question)
        assert places.authorities == [] and places.asked == [], question


def test_a_capitalised_word_after_a_possessive_name_is_the_councils_own():
    assert names("has Sunderland's Together for Children company kept its rating?") == ["Sunderland"]


def test_a_borough_whose_name_is_a_rare_word_needs_no_context():
    assert names("Harrow dropped from good to inadequate in 2025 - what went wrong?") == ["Harrow"]


@pytest.mark.parametrize("question", [
    "manchester university students on placement",
    "the University of Kent's research on fostering",
    "use of the bristol stool chart in neglect assessments",
    "reading child protection plans carefully",
    "difficulties in reading",
    "children in the bath",
])
def test_institutions_and_verbs_are_not_councils(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


@pytest.mark.parametrize(("question", "expected"), [
    ("sutton child sexual exploitation", "Sutton"),  # lower case: a name, then a topic of the reports
    ("care leavers in bath", "Bath and North East Somerset"),  # lower case: where, at the end
])
def test_an_everyday_word_name_in_lower_case_beside_a_topic_is_favoured(question, expected):
    places = read(question)
    assert places.authorities == [] and [a.name for a in places.favoured] == [expected]


@pytest.mark.parametrize(("question", "area"), [
    ("South Yorks CSE", "South Yorkshire"),
    ("teesside councils", "Tees Valley"),
    ("London-wide child exploitation work", "London"),
])
def test_areas_said_loosely(question, area):
    assert read(question).area == area


def test_an_everyday_word_name_compared_with_another_council_is_read():
    assert names("derbyshire vs derby") == ["Derbyshire", "Derby"]


@pytest.mark.parametrize("question", ["Wigan and similar councils", "compare Wigan with its statistical neighbours",
                                      "Wigan's comparator authorities"])
def test_neighbours_said_after_the_name(question):
    assert read(question).neighbours_of.name == "Wigan"


@pytest.mark.parametrize("question", [
    "do any reports mention the bradford factor for staff sickness",
    "staffordshire bull terriers and dog risk in family homes",
    "new hampshire child welfare comparisons",
    "out of home care in newcastle new south wales",
    "how does child welfare in birmingham, alabama compare",
    "children going missing to brent cross shopping centre",
    "applying the southwark judgment to homeless 16 and 17 year olds",
])
def test_other_places_and_things_named_after_a_council(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


def test_a_practice_model_named_after_a_council_only_favours_it():
    places = read("which councils use the solihull approach for parenting")
    assert places.authorities == [] and [a.name for a in places.favoured] == ["Solihull"]


@pytest.mark.parametrize(("question", "expected"), [
    ("manchester city council leadership", "Manchester"),
    ("the square mile children's social care", "City of London"),
    ("what did ofsted find in reading in 2022", "Reading"),
    ("n tyneside early help", "North Tyneside"),
    ("C Beds care leavers", "Central Bedfordshire"),
])
def test_councils_in_more_words(question, expected):
    places = read(question)
    assert expected in [a.name for a in places.authorities + places.favoured]


@pytest.mark.parametrize(("question", "area"), [
    ("EMCCA councils early help", "East Midlands Combined County Authority"),
    ("children's services in councils in the capital", "London"),
    ("GM councils and CSE", "Greater Manchester"),
])
def test_areas_in_more_words(question, area):
    assert read(question).area == area


@pytest.mark.parametrize("question", ["councils with a similar profile to ealing",
                                      "coventry's nearest statistical neighbours",
                                      "comparator authorities for hertfordshire", "warrington SN group reports"])
def test_neighbours_in_more_words(question):
    assert read(question).neighbours_of is not None


def test_a_town_named_with_its_county_is_in_that_county():
    assert names("children's services around richmond in north yorkshire") == ["North Yorkshire"]


def test_westminster_as_the_government_is_not_the_borough():
    places = read("what do reports say about funding from westminster for children's social care")
    assert places.authorities == [] and places.favoured == []


@pytest.mark.parametrize(("question", "area"), [
    ("CSE in the north east between 2014 and 2017", "North East"),
    ("east mids fostering", "East Midlands"),
    ("the seven metropolitan boroughs of the west midlands - exploitation", "West Midlands metropolitan county"),
])
def test_regions_beside_a_topic(question, area):
    assert read(question).area == area


@pytest.mark.parametrize(("question", "expected"), [
    ("children's homes in richmond, north yorkshire", ["North Yorkshire"]),  # a town, then its county
    ("What did Ofsted say about care leavers in Doncaster, Rotherham and Barnsley", ["Doncaster", "Rotherham",
                                                                                      "Barnsley"]),
    ("bucks care leavers 2023", ["Buckinghamshire"]),
    ("wilts private fostering", ["Wiltshire"]),
])
def test_lists_towns_and_lower_case_names(question, expected):
    places = read(question)
    assert [a.name for a in places.authorities + places.favoured] == expected


def test_reading_as_the_first_verb_is_not_the_council():
    assert read("reading ofsted reports as a newly qualified social worker").favoured == []
    assert names("reading ofsted reports as a newly qualified social worker") == []


def test_areas_with_an_ampersand_and_a_name_before_a_pronoun():
    assert read("tyne & wear councils missing children").area == "Tyne and Wear"
    assert "Tameside" in names("as a councillor in Tameside I'd like to know how our care leavers were described")


def test_east_yorkshire_is_the_east_riding_not_the_region():
    places = read("east yorkshire council care leavers")
    assert places.area is None and [a.name for a in places.authorities] == ["East Riding of Yorkshire"]


@pytest.mark.parametrize("question", ["the old kent road and county lines", "leicester square missing children",
                                      "R (G) v Southwark 2009 and homeless 16 and 17 year olds"])
def test_roads_squares_and_law_reports_are_not_councils(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


def test_peer_councils_are_neighbours():
    assert read("peer councils to derbyshire on fostering").neighbours_of.name == "Derbyshire"


@pytest.mark.parametrize("question", ["andrew wakefield and vaccine hesitancy among foster carers",
                                      "my social worker dudley said my case is closing", "york road children's home"])
def test_people_and_roads_named_like_councils(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


def test_an_area_wins_over_the_council_inside_its_name():
    places = read("greater lincolnshire children's services")
    assert places.area == "Greater Lincolnshire"


@pytest.mark.parametrize(("question", "expected"), [
    ("the scillies - who inspects children's services there", ["Isles of Scilly"]),
    ("eryc children's services", ["East Riding of Yorkshire"]),
    ("kingston upon hul care leavers", ["Kingston upon Hull"]),
    ("east ridding fostering", ["East Riding of Yorkshire"]),
    ("isle of white care leavers", ["Isle of Wight"]),
])
def test_more_names_and_long_names_misspelt(question, expected):
    assert names(question) == expected


@pytest.mark.parametrize("question", [
    "the south end of the county and rural isolation",  # not Southend-on-Sea
    "covering 600 square miles",  # not the Square Mile
    "merton compliant age assessments for unaccompanied children",  # a legal standard
    "avon and somerset police - exploitation disruption",
    "my son dudley is in foster care - what should his IRO be doing",
])
def test_english_phrases_standards_forces_and_people_are_not_councils(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


@pytest.mark.parametrize(("question", "area"), [
    ("councils in the smoke and UASC", "London"),
    ("sheffield city region councils and child exploitation", "South Yorkshire"),
    ("midlands councils and exploitation", None),  # East and West Midlands are not one place to people
])
def test_areas_by_their_other_names(question, area):
    assert read(question).area == area


@pytest.mark.parametrize(("question", "council"), [
    ("we're Sefton; how do our stat neighbours handle PLO", "Sefton"),
    ("inspection readiness: latest reports for our stat neighbours (we're Bolton)", "Bolton"),
    ("Our council (Stockport) has a focused visit next month - what have ofsted said about our statistical "
     "neighbours' front doors?", "Stockport"),
])
def test_the_users_own_council_and_our_neighbours(question, council):
    places = read(question)
    assert places.neighbours_of.name == council and places.authorities == []


def test_the_users_own_council_alone_is_that_council():
    assert names("we're Sefton; what did ofsted say about us") == ["Sefton"]


@pytest.mark.parametrize(("question", "area"), [
    ("south east london councils and gangs", "London"),  # a part of London, not the South East
    ("the north west of the county and rural poverty", None),
    ("councils near london and UASC", None),
    ("greater manchester police and CSE", None),  # the force, not the councils
    ("west midlands police and county lines", None),
    ("the north east of england care leavers", "North East"),
])
def test_parts_of_places_and_other_bodies_are_not_areas(question, area):
    assert read(question).area == area


@pytest.mark.parametrize("question", ["councils bordering kent and UASC", "kent's neighbouring councils",
                                      "councils near kent - fostering"])
def test_the_councils_around_a_council_are_not_it(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == [] and places.neighbours_of is None


@pytest.mark.parametrize("question", ["bolton abbey trip for children in care", "norfolk island adoption",
                                      "brighton rock and county lines"])
def test_named_buildings_and_places_are_not_councils(question):
    places = read(question)
    assert places.authorities == [] and places.favoured == []


@pytest.mark.parametrize(("question", "expected"), [
    ("bolten care leavers", ["Bolton"]), ("torbey inspection", ["Torbay"]), ("medwey fostering", ["Medway"]),
])
def test_one_vowel_for_another_in_a_short_name_is_corrected(question, expected):
    assert names(question) == expected and read(question).corrections


@pytest.mark.parametrize("question", ["boston care leavers", "melton mowbray fostering", "walton care leavers"])
def test_other_towns_a_consonant_away_are_not_councils(question):
    assert read(question).authorities == []


@pytest.mark.parametrize(("question", "expected"), [
    ("CEC children in care", ["Cheshire East"]), ("NYCC no wrong door", ["North Yorkshire"]),
    ("WNC children's trust", ["West Northamptonshire"]), ("R&C fostering", ["Redcar and Cleveland"]),
])
def test_more_councils_own_abbreviations(question, expected):
    assert names(question) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("north west leicestershire care leavers", ["Leicestershire"]),  # a district of the county
    ("north east derbyshire fostering", ["Derbyshire"]),
])
def test_a_compass_point_before_a_county_is_a_district_not_a_region(question, expected):
    places = read(question)
    assert places.area is None and [a.name for a in places.authorities] == expected


@pytest.mark.parametrize("question", [
    "how does kent compare with similar councils", "kent vs its neighbours", "councils similar in size to kent",
    "kent's peers on caseloads", "kent compared to its stat neighbours on caseloads",
])
def test_neighbours_said_in_comparisons(question):
    places = read(question)
    assert places.neighbours_of.name == "Kent" and places.authorities == []


@pytest.mark.parametrize(("question", "expected"), [
    ("both cheshire councils compared on care leavers", ["Cheshire East", "Cheshire West and Chester"]),
    ("the two sussex county councils and UASC", ["East Sussex", "West Sussex"]),
    ("the two northamptonshire councils", ["North Northamptonshire", "West Northamptonshire"]),
    ("the two cheshires - care leavers", ["Cheshire East", "Cheshire West and Chester"]),
])
def test_the_councils_a_county_is_now(question, expected):
    assert sorted(names(question)) == expected


def test_the_councils_of_a_county_only_when_the_count_fits():
    assert names("the two yorkshires") == []


def test_a_council_named_beside_other_councils_is_favoured_not_narrowed():
    places = read("how did other councils respond to the jay report on rotherham")
    assert places.authorities == [] and [a.name for a in places.favoured] == ["Rotherham"]


@pytest.mark.parametrize(("question", "narrowed", "favoured"), [
    ("the last inspection of havering", ["Havering"], []),
    ("brighter futures for children in reading", [], ["Reading"]),
    ("hull number of children looked after rising", [], ["Kingston upon Hull"]),
    ("children with difficulties in reading", [], []),
    ("ofsted reports on reading in schools", [], []),
])
def test_everyday_word_names_beside_reports_and_where(question, narrowed, favoured):
    places = read(question)
    assert ([a.name for a in places.authorities], [a.name for a in places.favoured]) == (narrowed, favoured)


def test_st_helens_with_an_apostrophe_and_towns_on_rivers():
    assert names("st helen's care leavers") == ["St Helens"]
    assert names("bradford on avon family hub in wiltshire") == ["Wiltshire"]
