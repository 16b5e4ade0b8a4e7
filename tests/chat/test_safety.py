from __future__ import annotations

import pytest

from dovvy.chat.safety import check, destination_in, emergency_response

EMERGENCIES = [
    "My shoulder hurts really bad since I surfaced from my second dive",
    "I have joint pain in my elbow after diving today, what should I do?",
    "my arm is numb and tingling after the dive this morning",
    "after our dive my buddy is confused and can't speak properly",
    "I can't breathe properly since we came up from the wreck",
    "help my husband collapsed after surfacing",
    "I feel dizzy and have a bad headache after diving an hour ago",
    "Chest pain after a fast ascent, is this serious??",
    "i did 3 dives yesterday and now my legs feel weak and numb",
    "We shot up to the surface and now she is coughing up blood",
    "my buddy is unconscious after the dive",
    "pins and needles in my hands since the last dive",
    "I have a blotchy itchy rash on my chest after diving this afternoon",
    "I missed my safety stop and now my knee hurts",
    "my friend dove today and now he cant feel his legs",
    "im numb in my fingers after diving, help",
    "I think I'm bent, my shoulder aches after the dive",
    "i have numbnes and tinglin in my arm after my dive",
    "after diving i'm having trouble brething",
    "she surfaced too fast and seems confussed",
    "I'm paralized on my left side after the dive!!",
    "Since surfacing I've had shortness of breath and chest tightness",
    "my student is not making sense after the ascent",
    "I'm extremely tired and my joints ache after diving today",
]

NOT_EMERGENCIES = [
    "What are the symptoms of DCS?",
    "what are the signs of the bends?",
    "How do you recognize decompression sickness in a buddy?",
    "Can you get the bends from snorkeling?",
    "Is joint pain a symptom of decompression sickness?",
    "what causes numbness after diving?",
    "How long after diving can symptoms of DCS appear?",
    "Explain arterial gas embolism",
    "How deep can I go with my open water certification?",
    "I want to book a trip to Cozumel in March",
    "my ears hurt when I descend, how do I equalize?",
    "What's the best season for Raja Ampat?",
    "Tell me about the Rescue Diver course",
    "I felt a bit cold on my last dive, what wetsuit should I get?",
    "Should I worry if my fingers tingle after a cold dive?",
    "I had knee surgery last year, can I still dive?",
    "why do divers get dizzy sometimes?",
    "What is nitrogen narcosis and does it make you feel drunk?",
    "How long should I wait to fly after diving?",
    "can asthma cause breathing problems when diving?",
]


@pytest.mark.parametrize("message", EMERGENCIES)
def test_emergencies_are_recognised(message: str) -> None:
    result = check(message)
    assert result.emergency, result.reason


@pytest.mark.parametrize("message", NOT_EMERGENCIES)
def test_questions_are_not_emergencies(message: str) -> None:
    result = check(message)
    assert not result.emergency, result.reason


def test_table_is_large_enough() -> None:
    assert len(EMERGENCIES) + len(NOT_EMERGENCIES) >= 40


def test_response_has_oxygen_emergency_services_and_dan() -> None:
    text = emergency_response(None)
    assert "100% oxygen" in text
    assert "Stop diving" in text
    assert "DAN" in text


@pytest.mark.parametrize(
    ("message", "number"),
    [
        ("numb after diving in Cozumel", "911"),
        ("we are in Sharm, buddy confused", "123"),
        ("Gozo trip", "112"),
        ("Cairns liveaboard", "000"),
    ],
)
def test_regional_numbers_when_the_destination_is_known(message: str, number: str) -> None:
    assert number in emergency_response(destination_in(message))
