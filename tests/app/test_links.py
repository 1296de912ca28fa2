"""Links in exports (app/links.py): the public address, and the order and labels of a passage's links."""

from __future__ import annotations

import pytest

from app.links import (
    REACH_ANYONE,
    REACH_COMPUTER,
    REACH_SERVER,
    LinkBase,
    app_page,
    doc_id_of,
    public_url,
    report_links,
)

OFSTED = "https://files.ofsted.gov.uk/v1/file/50012345"


def test_a_public_address_is_checked_and_loses_its_trailing_slash():
    assert public_url("https://ofsted-qa.council.example/") == "https://ofsted-qa.council.example"
    assert public_url(" http://10.0.0.5:7860/qa ") == "http://10.0.0.5:7860/qa"
    assert public_url(None) is None and public_url("  ") is None
    for bad in ("ofsted-qa.council.example", "ftp://host", "https://", "https://h/?q=1", "https://h/#x"):
        with pytest.raises(ValueError, match="public address"):
            public_url(bad)


def test_with_a_public_address_the_apps_page_comes_first():
    links = report_links(19, OFSTED, "/pdf/14#page=19", LinkBase("https://qa.example", public=True))
    assert (links.local, links.reach) == ("https://qa.example/pdf/14#page=19", REACH_ANYONE)
    assert [(link.label, link.url) for link in links.ordered()] == [
        ("open the report at page 19", "https://qa.example/pdf/14#page=19"),
        ("Ofsted's published copy, page 19", OFSTED + "#page=19"),
    ]


def test_without_one_ofsteds_copy_leads_and_the_local_link_says_where_it_works():
    served = report_links(19, OFSTED, "/pdf/14#page=19", LinkBase("http://127.0.0.1:7860", public=False))
    assert served.reach == REACH_SERVER
    assert [link.url for link in served.ordered()] == [OFSTED + "#page=19", "http://127.0.0.1:7860/pdf/14#page=19"]
    assert served.ordered()[1].label.endswith(f"(works {REACH_SERVER})")
    pinned_here = report_links(3, None, None, None, file_link="file:///r/a.pdf#page=3")
    assert pinned_here.reach == REACH_COMPUTER and pinned_here.ordered()[0].label.endswith(f"(works {REACH_COMPUTER})")
    # No address for the app: its bare path is never given as a link.
    assert [link.url for link in report_links(3, OFSTED, "/pdf/14#page=3", None).ordered()] == [OFSTED + "#page=3"]
    assert report_links(3, None, "/pdf/14#page=3", None).ordered() == []


def test_app_paths_and_their_documents():
    assert app_page(14, 19) == "/pdf/14#page=19" and app_page(None, 19) is None
    assert doc_id_of("/pdf/14#page=19") == 14 and doc_id_of("/pdf/14") == 14
    assert doc_id_of("file:///pdf/14#page=19") is None and doc_id_of(None) is None
