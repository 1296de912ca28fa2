from index.fusion import reciprocal_rank_fusion
from index.glossary import GLOSSARY, expand_for_embedding, expansions, find_acronyms
from index.tokenize import clean_query, fts_match_expression, query_terms

REQUIRED = "CSE CCE CIN CP CPP CLA LAC CIC LADO MASH IRO PLO PA RHI UASC EHCP SEND S20 S47 SGO ICPC RCPC PEP NEET " \
           "DOLS FGC MARAC CAMHS YOT LSCB DCS EH".split()


def test_glossary_covers_the_sector_terms():
    assert len(GLOSSARY) >= 40
    for acronym in REQUIRED:
        assert acronym in GLOSSARY, acronym


def test_acronyms_found_in_any_case_and_plural():
    assert find_acronyms("what about cse screening?") == ["CSE"]
    assert find_acronyms("Are IROs effective") == ["IRO"]
    assert find_acronyms("LADO and s47") == ["LADO", "S47"]
    assert "child sexual exploitation" in expansions("CSE")


def test_ambiguous_acronyms_need_capitals():
    assert find_acronyms("send me the report") == []
    assert find_acronyms("SEND support") == ["SEND"]
    assert find_acronyms("a pa for care leavers") == []


def test_expand_for_embedding_spells_out():
    assert expand_for_embedding("UASC placements") == "UASC placements (unaccompanied asylum-seeking children)"
    assert expand_for_embedding("no acronyms here") == "no acronyms here"


def test_query_terms_drop_stopwords_and_add_phrases():
    terms = query_terms("what did inspectors say about CSE screening?")
    assert "cse" in terms and "screening" in terms
    assert "child sexual exploitation" in terms
    assert "what" not in terms and "inspectors" not in terms


def test_fts_expression_quotes_everything():
    odd = ['"unbalanced', "a AND b OR NOT c", "NEAR(a b)", "col:value", "x* ^y", "(((", "'; DROP TABLE chunks;--"]
    for query in odd:
        expr = fts_match_expression(query)
        assert expr is None or all(part.startswith('"') and part.endswith('"') for part in expr.split(" OR "))
    assert fts_match_expression("?!...") is None


def test_clean_query_removes_control_characters_and_caps_length():
    assert clean_query("a\x00b\x1bc\n d") == "a b c d"
    assert len(clean_query("word " * 5000)) <= 2000


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]], k=10)
    assert [i for i, _ in fused][:2] == [1, 3]
    assert {i for i, _ in fused} == {1, 2, 3, 4}


def test_ampersand_acronyms_are_read_and_spelled_out():
    assert find_acronyms("young people at A&E after self-harm") == ["A&E"]
    assert find_acronyms("b&bs for 16 year olds") == ["B&B"]
    assert "accident and emergency" in query_terms("seen at A&E")
    assert find_acronyms("R&D budgets") == []


def test_stems_of_many_words_are_stem_of_each_and_their_memory_is_bounded(monkeypatch):
    import index.tokenize as tokenize

    tokens = ["assessments", "children's", "caring", "plans", "plans", "LADO", "x"]
    assert tokenize.stems(tokens) == [tokenize.stem(t) for t in tokens]
    assert tokenize.text_stems("Assessments of caring plans.") == \
        tuple(tokenize.stem(w) for w in tokenize.words("Assessments of caring plans."))
    monkeypatch.setattr(tokenize, "STEMS_REMEMBERED", 3)
    tokenize._STEMS.clear()
    tokenize.stems(["one", "two", "three", "four", "fives"])
    assert len(tokenize._STEMS) <= 3
    assert tokenize.stems(["fives"]) == ["five"]
