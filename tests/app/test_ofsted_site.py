"""Reading Ofsted's provider pages: the expected structure, its small variations, and pages not understood."""

from __future__ import annotations

from datetime import date

import pytest

from app.ofsted_site import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    Publication,
    SiteLayoutError,
    kind_of,
    parse_provider_page,
    provider_url,
    site_address,
)

PAGE = "https://reports.ofsted.gov.uk/provider/44/80486"


def page(items: str, title: str = "Barking and Dagenham - Ofsted") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body><main>"
            f"<h1>London Borough of Barking and Dagenham</h1><ul class='timeline'>{items}</ul></main></body></html>")


CANONICAL = page(
    "<li class='timeline__day'><p><time datetime='2026-11-20'>20 November 2026</time></p>"
    "<a class='publication-link' href='https://files.ofsted.gov.uk/v1/file/50099001'>Children's services inspection"
    "<span class='nonvisual'>Children's services inspection - 20 November 2026, pdf</span></a></li>"
    "<li class='timeline__day'><p><time datetime='2026-02-03'>3 February 2026</time></p>"
    "<a class='publication-link' href='https://files.ofsted.gov.uk/v1/file/50099002'>Children's services "
    "monitoring visit<span class='nonvisual'>Children's services monitoring visit - 03 February 2026, pdf</span></a>"
    "</li>"
)


def test_reads_each_publication_with_its_type_date_and_address():
    assert parse_provider_page(CANONICAL, PAGE) == [
        Publication("https://files.ofsted.gov.uk/v1/file/50099001", "Children's services inspection", "full",
                    date(2026, 11, 20)),
        Publication("https://files.ofsted.gov.uk/v1/file/50099002", "Children's services monitoring visit",
                    "monitoring", date(2026, 2, 3)),
    ]
    assert parse_provider_page(CANONICAL, PAGE)[0].file_id == "50099001"


def test_small_variations_are_read_the_same():
    variant = page(
        # no time element: the date is in the hidden text only; a relative link; a curly apostrophe
        "<li><div class='wrap'><a class='publication-link extra' href='/v1/file/7'>Children\u2019s services "
        "focused visit<span class='nonvisual'>Children\u2019s services focused visit - 09 May 2025, pdf</span></a>"
        "</div></li>"
        # the date beside the link, not in it; another hidden-text class
        "<li><a class='publication-link' href='https://files.ofsted.gov.uk/v1/file/8'>Joint targeted area "
        "inspection<span class='visually-hidden'>Joint targeted area inspection, pdf</span></a>"
        "<p>Published 12 June 2019</p></li>"
        # no hidden text at all: the link's own text names the type
        "<li><a class='publication-link' href='https://files.ofsted.gov.uk/v1/file/9'>Children's services "
        "inspection</a> <span>Published: <time datetime='2018-12-18T00:00:00Z'>18/12/2018</time></span></li>"
    )
    found = parse_provider_page(variant, PAGE)
    assert [(p.url, p.label, p.kind, p.published) for p in found] == [
        ("https://reports.ofsted.gov.uk/v1/file/7", "Children's services focused visit", "focused", date(2025, 5, 9)),
        ("https://files.ofsted.gov.uk/v1/file/8", "Joint targeted area inspection", "jtai", date(2019, 6, 12)),
        ("https://files.ofsted.gov.uk/v1/file/9", "Children's services inspection", "full", date(2018, 12, 18)),
    ]


def test_the_date_the_link_names_comes_before_other_dates_beside_it():
    item = page("<li><p>Inspected <time datetime='2026-09-14'>14 September 2026</time></p>"
                "<a class='publication-link' href='/v1/file/5'>Children's services inspection<span class='nonvisual'>"
                "Children's services inspection - 30 October 2026, pdf</span></a></li>")
    assert parse_provider_page(item, PAGE)[0].published == date(2026, 10, 30)


def test_a_renamed_link_class_still_reads_links_to_the_file_store():
    renamed = CANONICAL.replace("publication-link", "report-link")
    assert [p.url for p in parse_provider_page(renamed, PAGE)] == [
        "https://files.ofsted.gov.uk/v1/file/50099001", "https://files.ofsted.gov.uk/v1/file/50099002"]


def test_an_undated_publication_beside_dated_ones_has_no_date():
    items = CANONICAL.replace("</ul>", "<li><a class='publication-link' href='/v1/file/3'>Children's services "
                                       "inspection<span class='nonvisual'>Children's services inspection, pdf"
                                       "</span></a></li></ul>")
    assert parse_provider_page(items, PAGE)[-1].published is None


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (CANONICAL, "application/json", "not an HTML page"),
    (page("<li><div class='card' data-file='/documents/1'>Children's services inspection 20 November 2026</div>"
          "</li>", title="Find an inspection report"), "text/html", "no publication links"),
    (page("<li><a class='publication-link'>Children's services inspection</a> 20 November 2026</li>"), "text/html",
     "has no address"),
    (page("<li><a class='publication-link' href='javascript:open(1)'>Children's services inspection</a> "
          "20 November 2026</li>"), "text/html", "not a web address"),
    (page("<li><a class='publication-link' href='/v1/file/1'><span class='nonvisual'>, pdf</span></a> "
          "20 November 2026</li>"), "text/html", "names no type"),
    (page("<li><a class='publication-link' href='/v1/file/1'>Children's services inspection</a></li>"), "text/html",
     "has a date"),
])
def test_a_page_not_understood_is_refused_clearly(body, content_type, reason):
    with pytest.raises(SiteLayoutError, match=reason) as info:
        parse_provider_page(body, PAGE, content_type)
    assert "layout of Ofsted's page" in str(info.value) and PAGE in str(info.value)


@pytest.mark.parametrize(("label", "kind"), [
    ("Children's services inspection", "full"),
    ("Inspection of services for children in need of help and protection", "full"),
    ("Review of the Local Safeguarding Children Board", "full"),
    ("Children's services monitoring visit", "monitoring"),
    ("Children’s services focused visit", "focused"),
    ("Joint targeted area inspection", "jtai"),
    ("JTAI letter", "jtai"),
    ("Children's services assurance visit", "other"),
    ("Annual engagement meeting", "other"),
])
def test_kinds(label, kind):
    assert kind_of(label) == kind


def test_site_address_option_then_environment_then_ofsted(monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    assert site_address() == DEFAULT_BASE_URL
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:8123/")
    assert site_address() == "http://127.0.0.1:8123"
    assert site_address("http://mirror.example/ofsted") == "http://mirror.example/ofsted"
    with pytest.raises(ValueError, match="http"):
        site_address("ftp://example")
    assert provider_url("http://127.0.0.1:8123", "80486") == "http://127.0.0.1:8123/provider/44/80486"
