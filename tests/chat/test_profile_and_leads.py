from __future__ import annotations

from typing import Any

import pytest

from dovvy.chat.leads import suggest
from dovvy.chat.profile import extract, merge


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
