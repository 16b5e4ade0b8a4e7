"""The emergency check: runs first on every message, deterministic, no model, no network.

A diver describing symptoms after diving (their own or a buddy's) gets the emergency response at
once. Questions *about* symptoms ("what are the symptoms of DCS?") are not emergencies; they go to
the safety agent like any other question.
"""

from __future__ import annotations

import dataclasses
import re

from dovvy.chat.text import fuzzy_vocabulary_match, normalise, words

# Single words that name a symptom of decompression illness or lung overexpansion.
_SYMPTOM_WORDS = {
    "numb",
    "numbness",
    "tingling",
    "tingly",
    "tingle",
    "tingles",
    "paralysed",
    "paralyzed",
    "paralysis",
    "confused",
    "confusion",
    "disoriented",
    "dizzy",
    "dizziness",
    "vertigo",
    "unconscious",
    "unresponsive",
    "seizure",
    "convulsing",
    "convulsions",
    "breathless",
    "rash",
    "itchy",
    "itching",
    "blotchy",
    "marbled",
    "weakness",
    "slurred",
    "collapsed",
    "fainted",
    "bends",
    "bent",
}
# Phrases, matched on the normalised text.
_SYMPTOM_PHRASES = [
    r"joint pain",
    r"(shoulder|elbow|knee|wrist|hip|arm|leg|back|neck) (is |are )?(hurts?|hurting|aches?|aching|pain)",
    r"pain in (my|his|her|their) (shoulder|elbow|knee|joints?|arm|leg|chest|back)",
    r"(chest|joint|shoulder|elbow|knee)s? (pain|hurts?|aches?)",
    r"chest (is )?(tight|pain|hurts?)",
    r"(can't|cannot|can not|cant|struggling to|hard to|trouble|difficulty|problems?) (breathe|breathing|brething|catch (my|his|her) breath)",
    r"short(ness)? of breath",
    r"coughing (up )?(blood|froth|foam)",
    r"pins and needles",
    r"(can't|cannot|cant) (feel|move) (my|his|her|their)",
    r"(feel|feels|feeling) (numb|weird|strange|funny|off|drunk|faint)",
    r"(passed|blacked) out",
    r"not (breathing|responding|making sense)",
    r"(lost|losing) (feeling|consciousness|vision)",
    r"blurr?(y|ed) vision",
    r"(severe|bad|terrible|splitting) headache",
    r"(extremely|really|very|so) (tired|exhausted|weak)",
    r"(skin|body) (rash|itch)",
    r"symptoms? of (dcs|the bends|decompression)",
]
# Evidence that a dive just happened.
_DIVE_CONTEXT = [
    r"\b(after|since|during|following|post)[- ](my|our|the|a|his|her|this|that|today's|todays|last|our last|the last)? ?(dives?|diving|ascent|surfacing)",
    r"\b(surfaced|came up|got out of the water|ascended|shot up|rapid ascent|fast ascent|missed (my|the|our) (safety|deco))",
    r"\b(dived|dove|went diving|been diving|was diving|were diving|finished (my|our|the) dives?)\b",
    r"\b(today|this morning|this afternoon|tonight|yesterday|an hour ago|hours ago|minutes ago)\b.*\bdiv",
    r"\bdiv\w* .*\b(today|this morning|this afternoon|yesterday|earlier|an hour ago|hours ago)\b",
    r"\b(my|our) (buddy|dive buddy|friend|partner|wife|husband|son|daughter|student)\b.*\b(after|surfaced|dive)",
]
# A person who has the symptom now: first person, or someone with the speaker.
_PERSON = (
    r"\b(i|i'm|im|i've|ive|me|my|we|our|he|she|he's|she's|his|her|they|buddy|friend|husband|wife|partner)\b"
)
# How questions about symptoms are usually phrased.
_INFORMATIONAL = [
    r"^(what|which) (are|is) (the )?(symptoms?|signs?)",
    r"\b(symptoms?|signs?) of\b.*\?$",
    r"^how (do|can|would) (you|i|one) (know|tell|recogni[sz]e|spot)",
    r"^(can|could) (you|a diver|divers|someone|people) (get|have|feel)",
    r"^(is|are) .* (a )?(symptoms?|signs?)",
    r"^what (causes|happens|does|is)",
    r"^(explain|describe|tell me about)",
    r"^how (long|soon) (after|before|until)",
    r"^why (do|does|would|can)",
    r"^(should|do) (i|you) (worry|be worried) (if|when)",
]
_URGENT = r"\b(help|emergency|urgent|now|right now|what (do|should) (i|we) do|please)\b"


@dataclasses.dataclass(frozen=True)
class SafetyCheck:
    emergency: bool
    reason: str


def check(message: str) -> SafetyCheck:
    text = normalise(message)
    tokens = words(text)
    symptoms = sorted(fuzzy_vocabulary_match(tokens, _SYMPTOM_WORDS))
    phrases = [p for p in _SYMPTOM_PHRASES if re.search(p, text)]
    if not symptoms and not phrases:
        return SafetyCheck(False, "no symptom described")
    dive_context = any(re.search(p, text) for p in _DIVE_CONTEXT)
    person = re.search(_PERSON, text) is not None
    informational = any(re.search(p, text) for p in _INFORMATIONAL)
    urgent = re.search(_URGENT, text) is not None
    # A question about symptoms is information unless someone is describing them right now.
    describing_now = dive_context or (person and urgent)
    if informational and not (person and dive_context):
        return SafetyCheck(False, "a question about symptoms, not a report of them")
    if describing_now:
        what = ", ".join(symptoms + [p.split(" ")[0].strip("(") for p in phrases[:1]])
        return SafetyCheck(True, f"symptoms described after diving ({what})")
    return SafetyCheck(False, "symptom words without a dive or a person")


# --- The response -------------------------------------------------------------------------------

REGIONS: dict[str, tuple[str, str, str]] = {
    # destination code: (place, local emergency number, diving emergency line)
    "red-sea-sharm": ("Egypt", "123 (ambulance)", "DAN Europe +39 06 4211 8685"),
    "great-barrier-reef-cairns": (
        "Australia",
        "000 (112 from a mobile)",
        "Divers Emergency Service 1800 088 200 (+61 8 8212 9242 from abroad)",
    ),
    "cozumel": ("Mexico", "911", "DAN America +1 919 684 9111"),
    "raja-ampat": (
        "Indonesia",
        "112 (ambulance 118 or 119)",
        "your operator's emergency plan and DAN Asia-Pacific",
    ),
    "malta-gozo": ("Malta", "112", "DAN Europe +39 06 4211 8685"),
}
_MENTIONS = {
    "red-sea-sharm": ("egypt", "sharm", "red sea", "hurghada", "dahab", "thistlegorm"),
    "great-barrier-reef-cairns": (
        "australia",
        "cairns",
        "great barrier",
        "port douglas",
        "queensland",
        "townsville",
        "yongala",
    ),
    "cozumel": ("cozumel", "mexico", "cancun", "playa del carmen"),
    "raja-ampat": ("raja ampat", "indonesia", "sorong", "papua"),
    "malta-gozo": ("malta", "gozo", "comino"),
}
EMERGENCY_SOURCES = ("safety/decompression-sickness.md", "safety/emergency-contacts.md")


def destination_in(text: str) -> str | None:
    lowered = text.lower()
    for code, names in _MENTIONS.items():
        if any(name in lowered for name in names):
            return code
    return None


def emergency_response(destination: str | None) -> str:
    region = REGIONS.get(destination or "")
    if region:
        place, local, dan = region
        call = (
            f"3. **Call emergency services now**: in {place} dial **{local}**. Then call the diving "
            f"emergency line: **{dan}**."
        )
    else:
        call = (
            "3. **Call local emergency services now** (112 works in most countries; 911 in the Americas). "
            "Then call a diving emergency hotline: **DAN America +1 919 684 9111**, "
            "**DAN Europe +39 06 4211 8685**, or in Australia **1800 088 200**."
        )
    return "\n".join(
        [
            "**This may be a diving emergency. Act now:**",
            "",
            "1. **Stop diving.** Do not go back in the water to 'treat' it. Lie the diver down and keep them still.",
            "2. **Give 100% oxygen** from the boat's or dive centre's oxygen kit as soon as possible, and keep it going.",
            call,
            "4. If they are conscious, give water to drink. Watch their breathing; be ready to start CPR.",
            "5. Do not fly or travel to altitude. Keep the dive computer and note depths, times and any fast ascent.",
            "",
            "Symptoms such as numbness, joint pain, breathing difficulty, confusion or weakness after a dive "
            "can be decompression sickness or a gas embolism. Treatment in a recompression chamber works "
            "best when it starts early — do not wait to see if it passes.",
        ]
    )
