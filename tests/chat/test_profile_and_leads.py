from __future__ import annotations

from typing import Any

import pytest

from dovvy.chat.leads import suggest
from dovvy.chat.profile import extract, merge
from tests.contract import ContractClient


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "I'm PADI Advanced Open Water with 45 logged dives",
            {
                "certification_level": "Advanced Open Water",
                "certification_agency": "PADI",
                "logged_dives": 45,
            },
        ),
        (
            "I have my open water from SSI, last dived in 2022",
            {"certification_level": "Open Water", "certification_agency": "SSI", "last_dive": "2022"},
        ),
        ("I've never dived before", {"certification_level": "none"}),
        (
            "we are 4 and want to go to Cozumel in March",
            {"group_size": 4, "destination": "cozumel", "travel_dates": "in march"},
        ),
        ("my wife and I love wrecks and sharks", {"group_size": 2, "interests": ["sharks", "wrecks"]}),
        (
            "I'm a rescue diver, haven't dived since 3 years ago",
            {"certification_level": "Rescue Diver", "last_dive": "3 years ago"},
        ),
        ("what's the weather like", {}),
    ],
)
def test_profile_extraction(message: str, expected: dict[str, Any]) -> None:
    assert extract(message) == expected


def test_merge_accumulates_interests_and_updates_facts() -> None:
    merged = merge(
        {"interests": ["wrecks"], "logged_dives": 10}, {"interests": ["mantas"], "logged_dives": 12}
    )
    assert merged == {"interests": ["mantas", "wrecks"], "logged_dives": 12}


def test_booking_a_course_suggests_a_training_lead_with_prefill() -> None:
    lead = suggest(
        "I want to book the Advanced course", "certification", {"certification_level": "Open Water"}
    )
    assert lead == {
        "type": "training",
        "prefill": {"interested_certification": "Advanced Open Water", "certification_level": "Open Water"},
    }


def test_booking_a_trip_prefills_destination_dates_and_group() -> None:
    profile = {"destination": "raja-ampat", "travel_dates": "in november", "group_size": 3}
    lead = suggest("how much would a liveaboard cost? we'd like to book", "trip", profile)
    assert lead == {
        "type": "trip",
        "prefill": {"destination": "Raja Ampat", "travel_dates": "in november", "group_size": 3},
    }


@pytest.mark.parametrize("message", ["what is nitrox?", "best time for Cozumel", "how deep can I go"])
def test_no_suggestion_without_intent(message: str) -> None:
    assert suggest(message, "trip", {}) is None


def test_interests_stay_bounded_however_many_turns_add_them(chat_api: ContractClient) -> None:
    from dovvy.profile_limits import MAX_INTERESTS

    session_id = None
    for turn in range(4):
        interests = [f"interest {turn}-{n}" for n in range(MAX_INTERESTS)]
        body: dict[str, Any] = {"message": "hi", "diverProfile": {"interests": interests}}
        if session_id:
            body["sessionId"] = session_id
        answer = chat_api.post("/api/chat", json=body)
        assert answer.status_code == 200, answer.text
        session_id = answer.json()["sessionId"]
    stored = chat_api.get(f"/api/sessions/{session_id}").json()["diver_profile"]["interests"]
    assert len(stored) == MAX_INTERESTS
    assert "interest 3-0" in stored


def test_an_old_row_with_too_many_interests_reads_bounded() -> None:
    from dovvy.diver import stored_profile
    from dovvy.profile_limits import MAX_INTERESTS

    profile = stored_profile({"interests": [f"i{n}" for n in range(20_000)], "logged_dives": 5})
    assert len(profile["interests"]) == MAX_INTERESTS
    assert profile["interests"][-1] == "i19999"
    assert profile["logged_dives"] == 5
