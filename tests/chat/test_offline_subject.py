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
