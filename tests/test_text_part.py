"""The email's text part tells the report's story: the same numbers and spans as the HTML
above its Details heading, roles by name, nothing from the Details."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from staffplan.delivery.text import html_to_text
from staffplan.reports.html import render_report

NUMBER = re.compile(r"\d[\d,.]*\d%?|\d%?")


def _story_text(report: str) -> str:
    """What a reader sees in the HTML above Details."""
    top = report.split('<h2 id="details"')[0]
    top = re.sub(r"<head>.*?</head>", " ", top, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", top)))


@pytest.fixture(scope="module", params=["hostile_result", "example_lp_result"])
def pair(request):
    report = render_report(request.getfixturevalue(request.param))
    return request.getfixturevalue(request.param), report, html_to_text(report, "Closing.")


def test_same_numbers_as_the_html_story(pair):
    _, report, text = pair
    seen = _story_text(report)
    html_numbers = sorted(NUMBER.findall(seen))
    text_numbers = sorted(NUMBER.findall(text.replace("Closing.", "")))
    assert html_numbers == text_numbers
    assert len(html_numbers) > 20


def test_spans_and_sentences_survive_whole(pair):
    result, report, text = pair
    flat = " ".join(text.split())
    for span in re.findall(r"\d{4}-\d{2} to \d{4}-\d{2}", _story_text(report)):
        assert span in flat
    for line in re.findall(r"Why: [^<]+?\.", htmllib.unescape(report.split('id="details"')[0])):
        assert " ".join(line.split()) in flat


def test_roles_by_name_and_no_details(pair):
    result, _, text = pair
    for role_id, role in result.inputs.roles.items():
        if role_id != role.role_name:
            assert not re.search(rf"\b{re.escape(role_id)}\b", text), role_id
    assert "Details" not in text.replace("Closing.", "") or "Details (" not in text
    assert "Requisitions to open" not in text and "About this plan" not in text
    assert text.rstrip().endswith("Closing.")


def test_headings_tables_and_markup():
    report = ("<html><head><title>x</title></head><body>"
              "<table data-layout='1'><tr><td><h1>Plan &amp; Co</h1><p>One <b>two</b><br>three</p>"
              "<table><tr><th>Where</th><th>Cost</th></tr><tr><td>US</td><td>USD 1,000</td></tr>"
              "<tr><td>A long single-cell row that becomes a bullet</td></tr></table>"
              "<h2>Risks</h2><p>None.</p><h2 id='details'>Details</h2><p>hidden</p>"
              "</td></tr></table></body></html>")
    assert html_to_text(report) == (
        "Plan & Co\n=========\n\nOne two three\n\n"
        "  Where        Cost\n  US      USD 1,000\n"
        "- A long single-cell row that becomes a bullet\n\n"
        "Risks\n-----\n\nNone.\n")


SOLVER_WORDS = re.compile(r"\b(dual|duals|shadow price|relaxation|objective|look-ahead|lookahead|"
                          r"modelled months|solver)\b", re.I)


def test_no_solver_terms_in_the_body_or_the_text_part(pair):
    """Executives read plain words: no dual, shadow price, relaxation, objective or look-ahead
    anywhere in what the report or the email's text part shows."""
    _, report, text = pair
    body = re.sub(r"<head>.*?</head>", " ", report, flags=re.S)
    seen = re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))
    assert not SOLVER_WORDS.findall(seen), SOLVER_WORDS.findall(seen)
    assert not SOLVER_WORDS.findall(text)
