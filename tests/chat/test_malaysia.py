"""Malaysia, the region the web app's own content is about: guides, sites and emergency numbers."""

from __future__ import annotations

import pytest

from tests.chat.conftest import ask as chat
from tests.contract import ContractClient


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(
            "im on tioman and my buddy has tingling arms and a rash after our second dive", id="tioman"
        ),
        pytest.param("we just surfaced at sipadan and my husband cant feel his legs", id="sipadan"),
    ],
)
def test_an_emergency_in_malaysia_gives_malaysian_numbers(chat_api: ContractClient, message: str) -> None:
    answer = chat(chat_api, message)
    assert answer["agentType"] == "emergency"
    assert "999" in answer["message"]
    assert "112" in answer["message"]


def test_the_profile_destination_picks_the_numbers(chat_api: ContractClient) -> None:
    answer = chat(
        chat_api,
        "my friend surfaced 5 minutes ago and is confused and slurring his words",
        diverProfile={"destination": "tioman"},
    )
    assert "999" in answer["message"]


@pytest.mark.parametrize(
    ("message", "path"),
    [
        pytest.param(
            "when's the best time of year to dive tioman? heard the monsoon shuts it",
            "destinations/tioman.md",
            id="tioman-season",
        ),
        pytest.param(
            "how do i get a permit to dive sipadan", "destinations/sipadan-semporna.md", id="sipadan-permit"
        ),
        pytest.param(
            "is the sugar wreck at perhentian ok for a new diver",
            "destinations/perhentian-redang.md",
            id="sugar-wreck",
        ),
    ],
)
def test_questions_about_malaysia_find_its_guides(chat_api: ContractClient, message: str, path: str) -> None:
    answer = chat(chat_api, message)
    assert answer["agentType"] == "trip"
    assert path in answer["metadata"]["citations"]


def test_a_deep_tioman_site_gets_a_certification_note(chat_api: ContractClient) -> None:
    answer = chat(
        chat_api,
        "I'm open water certified, can I dive Tiger Reef at Tioman?",
        diverProfile={"destination": "tioman"},
    )
    assert answer["agentType"] == "trip"
    assert "Note: Tiger Reef reaches 25 m, beyond your certification (18 m)" in answer["message"]
