"""What the diver reads when the safety check says emergency (a protocol that fits the kind of
emergency, with the region's numbers) or caution (one line before the normal answer).

A message in another language gets the protocol in that language first, short, from the
translations in `dovvy/catalogue/emergency_texts.yaml`, then the full English protocol for
whoever is helping: the numbers are the same in both.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from dovvy import catalogue as catalogue_data
from dovvy.catalogue import EmergencyContacts
from dovvy.chat.lexicon import ENGLISH, lexicons
from dovvy.chat.symptoms import DECOMPRESSION_SIGNS
from dovvy.chat.tiers import SafetyCheck

# (path, title) of the knowledge-base articles each kind of emergency cites.
_CONTACTS_ARTICLE = ("safety/emergency-contacts.md", "Diving Emergency Contacts by Region")
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "decompression": (
        ("safety/decompression-sickness.md", "Decompression Sickness"),
        ("safety/arterial-gas-embolism.md", "Lung Overexpansion and Arterial Gas Embolism"),
        _CONTACTS_ARTICLE,
    ),
    "envenomation": (
        ("safety/marine-life-injuries.md", "Marine Life Injuries and First Aid"),
        _CONTACTS_ARTICLE,
    ),
    "severe_cold": (
        ("safety/thermal-protection.md", "Staying Warm — Exposure Suits and Hypothermia"),
        _CONTACTS_ARTICLE,
    ),
}

_FIRST_AID = {
    "fish_spine": (
        "**Hot water**: soak the wound in water as hot as the diver can bear without scalding "
        "(test it on your own skin, about 45 °C) for 30 to 90 minutes; the heat breaks the venom down.",
        "Lift out spines you can see with tweezers; leave deep or broken-off spines to a doctor. "
        "A stonefish or stingray injury needs hospital care (stonefish antivenom exists).",
    ),
    "box_jellyfish": (
        "**Vinegar**: pour household vinegar over the tentacles and the stung skin for at least "
        "30 seconds, then lift tentacles off. Do not rub, and do not rinse with fresh water.",
        "Keep the person still and watch their breathing: be ready to start CPR.",
    ),
    "jellyfish": (
        "Rinse with sea water (vinegar for tropical box-shaped jellyfish), lift off tentacles without "
        "rubbing, then hot water for the pain.",
        "Breathing trouble, vomiting, chest pain or faintness after a sting needs a hospital.",
    ),
    "pressure_immobilisation": (
        "**Pressure immobilisation**: wrap a firm bandage over the bite, then the whole limb from the "
        "fingers or toes upwards, and splint it. Keep the person lying still; do not wash, cut or suck the wound.",
        "Antivenom is given in hospital: go now, even if there is no pain — symptoms can start hours later.",
    ),
    "unknown_sting": (
        "Rinse with sea water, remove any spines or tentacles you can see without touching them "
        "bare-handed, and soak in hot water for the pain.",
        "Swelling that spreads, breathing trouble, faintness or vomiting needs a hospital now.",
    ),
}


def kind_of(check: SafetyCheck) -> str:
    category = check.category or ""
    if category in DECOMPRESSION_SIGNS:
        return "decompression"
    if category == "near_drowning":
        return "unresponsive"
    return category or "decompression"


def sources_for(check: SafetyCheck) -> tuple[tuple[str, str], ...]:
    return SOURCES.get(kind_of(check), (_CONTACTS_ARTICLE,))


def _call(contacts: EmergencyContacts) -> str:
    where = f"in {contacts.country} dial **{contacts.emergency}**" if contacts.country else contacts.emergency
    return f"**Call emergency services now**: {where}."


def _chambers(contacts: EmergencyContacts) -> list[str]:
    if not contacts.chambers:
        return []
    return [f"Recompression chambers: {'; '.join(contacts.chambers)}."]


def reply(check: SafetyCheck, contacts: EmergencyContacts) -> str:
    """The emergency protocol for this kind of emergency, with the region's numbers: in the
    message's language first when it is not English, then in English."""
    english = english_reply(check, contacts)
    local = texts(check.language)
    if local is None:
        return english
    kind = kind_of(check)
    values = _values(contacts, check.language)
    steps = [local["call"].format(**values)]
    if kind == "envenomation":
        steps.append(local["first_aid"][check.first_aid or "unknown_sting"])
    steps += local["steps"][kind]
    steps.append((local["coast_guard"] if kind == "missing_diver" else local["diving_line"]).format(**values))
    lines = [f"**{local['opening'][kind]}**", "", *(f"{n}. {step}" for n, step in enumerate(steps, 1))]
    return "\n".join([*lines, "", "---", "", f"_{local['english_follows']}_", "", english])


# The full English protocol per kind: its opening and its numbered steps. {call}, {dan}, {coast_guard}
# and {emergency} are the place's numbers; the step "{first_aid}" is the animal's first aid.
_PROTOCOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unresponsive": (
        "**This is an emergency. Act now:**",
        (
            "{call} Put the phone on speaker and stay with the person.",
            "**Check breathing** (look, listen, feel for 10 seconds). Not breathing normally: give "
            "5 rescue breaths, then CPR — 30 chest compressions to 2 breaths — and do not stop until "
            "help arrives. Use a defibrillator (AED) if the boat or shore has one.",
            "Breathing: lay them on their side (recovery position), keep them warm and give 100% "
            "oxygen from the oxygen kit.",
            "Anyone who breathed in water needs a hospital check, even if they seem fine: problems "
            "can start hours later.",
            "{dan}",
        ),
    ),
    "missing_diver": (
        "**A missing diver is an emergency. Act now:**",
        (
            "**Alert the boat crew or dive centre now** and count every diver: who is missing, since when.",
            "**Call the coast guard**: {coast_guard}; {emergency} on a phone.",
            "**Mark the last known position and the time**: GPS on the boat, a buoy or a landmark, "
            "and the direction of the current.",
            "**Search the surface** down-current from that point: look for bubbles, a surface marker "
            "buoy, a light or a hand waving. Do not send divers down to search without a plan.",
            "Keep everyone else together and accounted for.",
        ),
    ),
    "envenomation": (
        "**This sting or bite needs first aid now:**",
        (
            "Get the person out of the water and keep them still.",
            "{first_aid}",
            "{call} Say which animal it was, if you know.",
            "Watch their breathing; be ready to start CPR.",
            "{dan}",
        ),
    ),
    "bleeding": (
        "**Heavy bleeding is an emergency. Act now:**",
        (
            "**Press firmly on the wound** with a clean cloth or your hand and keep pressing; add more "
            "cloth on top rather than lifting it.",
            "Raise the injured part if you can. For bleeding from a limb that pressure does not stop, "
            "tie a tourniquet above the wound and note the time.",
            "{call}",
            "Keep the person lying down and warm; watch for paleness, confusion or fast breathing.",
        ),
    ),
    "severe_cold": (
        "**This may be severe hypothermia. Act now:**",
        (
            "**Get them out of the wind and water**, take off wet gear, dry them and wrap them in "
            "blankets or a survival bag, head included.",
            "Handle them gently and keep them lying down. Warm, sweet drinks only if fully awake.",
            "Do not rub the skin, use hot water, or give alcohol.",
            "{call} Drowsiness, confusion, or shivering that stops while still cold means severe "
            "hypothermia.",
            "If they stop breathing normally, start CPR.",
        ),
    ),
    "decompression": (
        "**This may be a diving emergency (decompression illness or a gas embolism). Act now:**",
        (
            "**Stop diving.** Do not go back in the water to 'treat' it. Lie the diver flat and keep "
            "them still.",
            "**Give 100% oxygen** from the boat's or dive centre's oxygen kit as soon as possible, and "
            "keep it going.",
            "{call} {dan}",
            "If they are conscious and can swallow, give water to drink. Watch their breathing; be "
            "ready to start CPR.",
            "Do not fly or travel to altitude. Keep the dive computer and note depths, times and any "
            "fast ascent.",
        ),
    ),
}
_EARLY_TREATMENT = (
    "Treatment in a recompression chamber works best when it starts early — do not wait to see if it passes."
)


def english_reply(check: SafetyCheck, contacts: EmergencyContacts) -> str:
    kind = kind_of(check)
    opening, template = _PROTOCOLS[kind]
    numbers = {
        "call": _call(contacts),
        "dan": f"Then call the diving emergency line: **{contacts.diving_line}**.",
        "coast_guard": contacts.coast_guard,
        "emergency": contacts.emergency,
    }
    first_aid = _FIRST_AID.get(check.first_aid or "unknown_sting", _FIRST_AID["unknown_sting"])
    steps = [
        s for step in template for s in (first_aid if step == "{first_aid}" else [step.format(**numbers)])
    ]
    lines = [opening, "", *(f"{n}. {step}" for n, step in enumerate(steps, 1))]
    if kind == "decompression":
        lines += ["", *_chambers(contacts), _EARLY_TREATMENT]
    return "\n".join(lines)


def caution_line(contacts: EmergencyContacts, language: str = ENGLISH) -> str:
    """One line before a normal answer that names a symptom or danger (in the message's language
    first, when it is not English)."""
    where = f"in {contacts.country}: {contacts.emergency}" if contacts.country else contacts.emergency
    english = (
        f"_If this is happening now, to you or someone with you, call emergency services ({where}) "
        f"and a diving emergency line ({contacts.diving_line})._"
    )
    local = texts(language)
    if local is None:
        return english
    return f"_{local['caution'].format(**_values(contacts, language))}_\n\n{english}"


def unread_reply(contacts: EmergencyContacts) -> str:
    """For a message in a language no lexicon reads: that it cannot be read, the languages that
    can, and, since it may be an emergency nobody here can see, the numbers to call."""
    table = lexicons()
    languages = ", ".join(table[code].name for code in sorted(table, key=lambda code: code != ENGLISH))
    return (
        "I can't tell what you are asking: I may not read this language yet. "
        f"I answer questions about diving in {languages}.\n\n"
        f"If someone is hurt or missing after a dive, do not wait for an answer. {_call(contacts)} "
        f"Then call a diving emergency line: {contacts.diving_line}."
    )


def offline_notice(language: str) -> str | None:
    """For a diving question in another language answered offline (in English): what it can and
    cannot do. None for English or a language without translations."""
    local = texts(language)
    return None if local is None else str(local["offline"].format(**_values(None, language)))


@functools.cache
def catalogue() -> dict[str, Any]:
    """Every language's emergency texts, `en` first (read once per process)."""
    loaded: dict[str, Any] = catalogue_data.read_data("emergency_texts.yaml")
    return loaded


def texts(language: str) -> dict[str, Any] | None:
    """The emergency texts in `language` (a reply code such as ms or zh-Hant); None for English
    and for a language not translated."""
    if language == ENGLISH:
        return None
    found: dict[str, Any] | None = catalogue().get(language)
    return found


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _values(contacts: EmergencyContacts | None, language: str) -> dict[str, str]:
    lexicon = lexicons().get(language.split("-", maxsplit=1)[0])
    values = {"language": lexicon.name if lexicon else language}
    if contacts is not None:
        local_texts = texts(language) or {}
        country = (local_texts.get("countries") or {}).get(contacts.country, contacts.country)
        where = f"{country}: {contacts.emergency}" if contacts.country else contacts.emergency
        local = functools.partial(in_language, words=local_texts.get("numbers") or {})
        values.update(
            where=local(where),
            diving_line=local(contacts.diving_line),
            coast_guard=local(contacts.coast_guard),
        )
    return values


def in_language(numbers: str, words: dict[str, str]) -> str:
    """A number's English words ("112 from a mobile", "ambulance 118 or 119") in the language of
    `words` (the texts' `numbers`), the numbers and the services' names as the catalogue writes them."""
    if not words:
        return numbers
    phrases = "|".join(re.escape(p) for p in sorted(words, key=len, reverse=True))
    return re.sub(rf"(?<!\w)({phrases})(?!\w)", lambda m: words[m.group(1)], numbers)
