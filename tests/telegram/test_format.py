"""Answers in Telegram's HTML: escaped, rendered and split as Telegram will accept them."""

from __future__ import annotations

from typing import Any

from dovvy.telegram.format import html, messages, sources
from tests.fake_telegram import parsed_text


def test_markdown_becomes_html_and_everything_else_is_escaped() -> None:
    text = "**Stop diving.** Use <b>&</b> [DAN](https://dan.org/?a=1&b=2)\n_offline answer_"
    rendered = html(text)
    assert rendered == (
        '<b>Stop diving.</b> Use &lt;b&gt;&amp;&lt;/b&gt; <a href="https://dan.org/?a=1&amp;b=2">DAN</a>\n'
        "<i>offline answer</i>"
    )
    assert parsed_text(rendered).startswith("Stop diving. Use <b>&</b> DAN")


def test_a_long_answer_is_split_between_paragraphs_each_within_the_limit() -> None:
    paragraphs = [f"**Step {n}.** " + "Breathe slowly & ascend <slowly>. " * 40 for n in range(12)]
    sent = messages("\n\n".join(paragraphs))
    assert len(sent) > 1
    assert all(len(parsed_text(m)) <= 4096 and len(m) <= 4096 for m in sent)
    assert "".join(parsed_text(m) for m in sent).count("Step") == 12
    assert all(m.startswith("<b>Step") for m in sent)  # no paragraph cut in two


def test_one_huge_paragraph_or_word_still_fits() -> None:
    for text in ("word " * 3000, "&" * 9000):
        sent = messages(text, limit=4096)
        assert all(len(m) <= 4096 for m in sent)
        assert sum(len(parsed_text(m).replace(" ", "")) for m in sent) == len(text.replace(" ", ""))


def test_sources_link_to_their_own_pages_and_escape_titles() -> None:
    cited: list[dict[str, Any]] = [
        {"path": "a.md", "title": "Ears & <sinuses>", "sources": ["https://example.org/ears"]},
        {"path": "b.md", "title": "Mask clearing", "sources": None},
    ]
    rendered = sources(cited)
    assert rendered == (
        '<b>Sources</b>\n• <a href="https://example.org/ears">Ears &amp; &lt;sinuses&gt;</a>\n• Mask clearing'
    )
    parsed_text(rendered)
