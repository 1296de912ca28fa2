"""The metadata accuracy measure, on generated reports and a manifest written for them."""

from __future__ import annotations

import csv
import json

from eval.metadata_accuracy import held_out_authorities, main
from ingest.pdf import file_sha256
from tests.pdfgen import make_pdf, sample_report_pages

AUTHORITIES = ["Barnet", "Bolton", "Camden", "Derby", "Essex", "Hackney"]  # Essex is the fifth: held out
COLUMNS = ["file", "local_authority", "urn", "published", "framework", "lead_inspector", "inspection_start",
           "inspection_end", "overall_effectiveness", "impact_of_leaders", "help_and_protection", "in_care",
           "care_leavers", "sha256"]


def test_every_fifth_authority_is_held_out():
    rows = [{"local_authority": name} for name in "abcdefghijk"]
    assert held_out_authorities(rows) == {"e", "j"}


def test_figures_for_each_part_text_only_and_with_file_name(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    rows = []
    for name in AUTHORITIES:
        pdf = make_pdf(reports / f"{name.lower()}_2019-08-05.pdf", sample_report_pages(name, 2019))
        rows.append({
            "file": pdf.name, "local_authority": name.lower(), "urn": "", "published": "2019-08-05",
            "framework": "standard", "lead_inspector": "Alex Example", "inspection_start": "10/06/2019",
            "inspection_end": "21/06/2019", "overall_effectiveness": "good", "impact_of_leaders": "good",
            "help_and_protection": "requires improvement", "in_care": "good", "care_leavers": "",
            "sha256": file_sha256(pdf),
        })
    manifest = tmp_path / "manifest.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "figures.json"
    assert main(["--reports", str(reports), "--manifest", str(manifest), "--workers", "1",
                 "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures) == {"development", "held-out"}
    dev, held = figures["development"]["text only"], figures["held-out"]["text only"]
    assert (dev["reports"], held["reports"]) == (5, 1)
    assert dev["authority"] == "5/5 = 100.0%" and held["authority"] == "1/1 = 100.0%"
    assert dev["grades_all"] == "20/20 = 100.0%"
    # Estimated: 21 June + 42 days = 2 August, three days before the manifest's 5 August.
    assert dev["published_estimated"] == 5 and dev["estimate_median_abs_error_days"] == 3
    named = figures["development"]["with file name"]
    assert named["published_file_name_exact"] == "5/5" and named["published_estimated"] == 0

    assert main(["--reports", str(reports), "--manifest", str(manifest), "--workers", "1", "--held-out-only",
                 "--json", str(out)]) == 0
    assert set(json.loads(out.read_text())) == {"held-out"}
