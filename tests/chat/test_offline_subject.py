"""The offline composer keeps to the question's subject and says each thing once."""

from __future__ import annotations

import re

import pytest

from dovvy.chat.turn import ChatTurn
from dovvy.measure.chat_eval import load_conversations
from dovvy.runtime import Runtime, chat_service
from tests.conftest import ROOT

TIOMAN = ROOT / "content" / "destinations" / "tioman.md"


def _site_sections() -> dict[str, str]:
    """Each dive site's section of the Tioman guide, by its name."""
    text = TIOMAN.read_text(encoding="utf-8").split("## Dive sites", 1)[1].split("\n## ", 1)[0]
    return {
        m.group(1).strip(): m.group(2)
        for m in re.finditer(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", text, re.M | re.S)
    }


def _sentences(answer: str) -> list[str]:
    return [re.sub(r"\s*\[\d+\]$", "", line) for line in answer.splitlines()[2:] if line.endswith("]")]


@pytest.mark.parametrize("site", ["Batu Malang", "Renggis Island", "Pulau Chebeh"])
def test_an_answer_about_one_site_carries_no_sentence_of_another(chat_runtime: Runtime, site: str) -> None:
    answer = chat_service(chat_runtime).answer(ChatTurn(f"I'm Open Water, can I dive {site} at Tioman?"))
    others = {name: body for name, body in _site_sections().items() if name != site}
    assert len(others) == 4
    said = _sentences(answer["message"])
    assert said
    for sentence in said:
        assert not [name for name, body in others.items() if sentence[:60] in " ".join(body.split())], (
            sentence
        )


def test_no_answer_repeats_a_sentence(chat_runtime: Runtime) -> None:
    service = chat_service(chat_runtime)
    conversations = load_conversations(ROOT / "tests" / "eval" / "conversations.jsonl")
    for conversation in conversations:
        session = None
        for turn in conversation["turns"]:
            answer = service.answer(ChatTurn(turn["user"], session_id=session))
            session = answer["sessionId"]
            said = _sentences(answer["message"])
            assert len(said) == len(set(said)), (conversation["id"], said)


def test_a_sentence_two_articles_share_is_said_once() -> None:
    from dovvy.passages import Passage
    from dovvy.providers.llm import Prompt
    from dovvy.providers.llm.offline import compose

    line = "In Malaysia call 999 for an ambulance, then the diving emergency line."

    def passage(path: str, extra: str) -> Passage:
        return Passage(path, path, "Emergencies", f"{line} {extra}", 1.0, 0.5, 1, 1, {})

    passages = (passage("a.md", "Tioman has a clinic."), passage("b.md", "Redang has a clinic too."))
    question = "what number do I call in malaysia"
    prompt = Prompt(system="", messages=(), question=question, passages=passages, agent="safety")
    assert _sentences(compose(prompt.question, prompt)).count(line) == 1


def test_the_hosted_prompt_groups_sections_by_source_and_states_the_subject() -> None:
    from dovvy.chat import prompts
    from dovvy.passages import Passage

    def section(path: str, title: str, heading: str, text: str) -> Passage:
        return Passage(path, title, heading, text, 1.0, 0.5, 1, 1, {})

    passages = [
        section("destinations/tioman.md", "Tioman", "Dive sites > Batu Malang", "Boulders, 5 to 15 m."),
        section("destinations/tioman.md", "Tioman", "Dive sites > Renggis Island", "A short boat ride."),
        section("safety/emergency-contacts.md", "Emergency contacts", "Malaysia", "Call 999."),
    ]
    rendered = prompts.render_user_turn("can I dive batu malang on my OW card?", passages, {})
    assert rendered.count("<source ") == 2
    assert rendered.index('<section name="Dive sites &gt; Renggis Island">') < rendered.index(
        '<source id="2"'
    )
    assert "<subject>Batu Malang</subject>" in rendered
    assert "<subject>" not in prompts.render_user_turn("how do I clear my mask?", passages, {})
    assert "<subject>Maldives</subject>" in prompts.render_user_turn("mantas in the maldives?", passages, {})
    assert "When a <subject> is given, answer" in prompts.system_prompt("trip")


def test_no_answer_naming_a_place_cites_another_places_guide_or_says_a_line_about_it(
    chat_runtime: Runtime,
) -> None:
    """Over every chat eval set's first turns: a question naming a destination we cover (or one of
    its sites) cites no guide or site of another place, and says no sentence naming another place
    and none of its own (a Tioman answer had Indonesia's and the Philippines' chambers)."""
    from dovvy import catalogue
    from dovvy.catalogue import names

    service = chat_service(chat_runtime)
    checked = 0
    for name in ("cross_shelf", "places_times", "not_covered", "conversations"):
        for conversation in load_conversations(ROOT / "tests" / "eval" / f"{name}.jsonl"):
            message = conversation["turns"][0]["user"]
            places = catalogue.destinations_named(message)
            if not places:
                continue
            checked += 1
            answer = service.answer(ChatTurn(message))
            where = names.subject(message)
            for sentence in _sentences(answer["message"]):
                said = sentence.lower()
                others = [
                    p for p in where.elsewhere if re.search(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])", said)
                ]
                ours = [p for p in where.here if re.search(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])", said)]
                assert ours or not others, (conversation["id"], sentence)
            for source in answer["sources"]:
                if source["path"].startswith(("destinations/", "sites/")):
                    text = (ROOT / "content" / source["path"]).read_text(encoding="utf-8")
                    place = re.search(r"^destination: *(\S+)", text, re.M)
                    assert place is not None, source["path"]
                    assert place.group(1) in places, (conversation["id"], source["path"])
    assert checked >= 50


def test_the_place_asked_about_counts_once_and_what_is_asked_picks_the_sentence() -> None:
    from dovvy.passages import Passage
    from dovvy.providers.llm import Prompt
    from dovvy.providers.llm.offline import compose

    guide = Passage(
        "destinations/raja-ampat.md",
        "Raja Ampat",
        "Overview",
        "Raja Ampat lies at the western tip of New Guinea, and Raja Ampat liveaboards leave from Sorong. "
        "Currents run hard on the points, so a reef hook on dead rock keeps you off the coral.",
        1.0,
        0.5,
        1,
        1,
        {},
    )
    question = "in raja ampat how do u use a reef hook"
    prompt = Prompt(
        system="", messages=(), question=question, passages=(guide,), agent="trip", here=("raja ampat",)
    )
    assert "reef hook" in _sentences(compose(question, prompt))[0]


def test_an_answer_leads_from_the_article_ranked_first_when_the_words_are_close() -> None:
    from dovvy.passages import Passage
    from dovvy.providers.llm import Prompt
    from dovvy.providers.llm.offline import compose

    def passage(path: str, text: str) -> Passage:
        return Passage(path, path, "Notes", text, 1.0, 0.5, 1, 1, {})

    first = passage("safety/dive-computers.md", "Make the safety stop three minutes long at five metres.")
    second = passage("skills/planning.md", "A long stop at the safety briefing keeps the group together.")
    question = "how long is a safety stop for the group"
    prompt = Prompt(system="", messages=(), question=question, passages=(first, second), agent="safety")
    # The second article's sentence shares one more word ("group"); a place lower
    # in the sources costs it one (offline.RANK_WEIGHT).
    assert _sentences(compose(question, prompt))[0].startswith("Make the safety stop")
