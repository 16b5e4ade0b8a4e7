"""The symptom and danger lexicon the safety check reads: what each kind of diving emergency sounds
like when people type it, and the words that say *when* and *whether* it is happening.

Patterns are matched on text that `dovvy.chat.safety` has already lower-cased, stripped of
apostrophes ("can't" → "cant"), expanded from text-speak ("hlp", "pls") and corrected for typos
against `VOCABULARY` (so "numbnes" and "brethe" arrive as "numbness" and "breathe").
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Category = Literal[
    "neurological",
    "joint_pain",
    "skin",
    "breathing",
    "chest_pain",
    "coughing_blood",
    "voice_neck",
    "unresponsive",
    "missing_diver",
    "near_drowning",
    "vertigo",
    "severe_cold",
    "envenomation",
    "bleeding",
]

CATEGORIES: tuple[Category, ...] = get_args(Category)
# The first aid an animal's sting or bite needs (the envenomation protocol's variants).
FIRST_AID_KINDS = ("fish_spine", "box_jellyfish", "jellyfish", "pressure_immobilisation", "unknown_sting")

# The categories whose first aid is the decompression-illness protocol (oxygen, lie flat, chamber).
DECOMPRESSION_SIGNS: frozenset[Category] = frozenset(
    (
        "neurological",
        "joint_pain",
        "skin",
        "breathing",
        "chest_pain",
        "coughing_blood",
        "voice_neck",
        "vertigo",
    )
)

_JOINT = r"(shoulders?|elbows?|knees?|wrists?|hips?|ankles?|joints?|limbs?|arms?|legs?)"
_PERSON_NOUN = (
    r"(diver|buddy|friend|son|daughter|wife|husband|girlfriend|boyfriend|partner|brother|sister|kid|child|"
    r"student|dad|mum|mom|father|mother|divemaster|instructor|guide|snorkeller|snorkeler|swimmer|he|she)"
)

# Categories that are an emergency whenever someone reports them, wherever they happen.
ALWAYS: dict[Category, tuple[str, ...]] = {
    "neurological": (
        r"\bparaly[sz]\w*",
        r"\bslurr\w*",
        r"\b(face|mouth|smile) (is |looks |went |gone |seems |has )?(droop\w*|lopsided|wrong|crooked)",
        r"\bdroop\w* (face|mouth|eye)",
        r"\bone side of (my|his|her|their|the) (face|body)",
        r"\bcant (get|find) (the |my |his |her |their )?words",
        r"\bspeech\b.{0,20}\b(wrong|slurr\w*|weird|garbled|strange|funny|off|slow)",
        r"\bwords (are |were |come out )?(jumbled|mixed up|garbled)",
        r"\b(cant|unable to) (move|feel|lift) (my|his|her|their|one|both|either) (left |right )?"
        r"(legs?|arms?|side|body|hands?|feet|foot)",
        # A limb still numb or dead an hour on is a neurological emergency, dive or none.
        r"\bstill (cant|cannot|unable to) (move|feel|lift)\b",
        r"\b(legs?|arms?|hands?|feet|foot|fingers) (is |are )?still (numb|dead|not moving)",
    ),
    "breathing": (
        r"\b(cant|couldnt|unable to|struggling to|struggles to|trouble|difficulty|difficult to|hard to|hard time|problems?|hurts to|painful to|fighting to) (breathe|breathing|breath|catch (my|his|her|their) breath)",
        r"\bshort(ness)? of (breath|wind)",
        r"\bhurts? to (take a |take |draw a )?(deep |big )?breath",
        r"\bbreathless",
        r"\bgasping",
        r"\bwheez\w*",
        r"\bbreathing (is |feels |seems |sounds )?(really |very |so )?(fast|hard|heavy|tight|shallow|funny|weird|laboured|labored|difficult|rapid|noisy|painful)",
        r"\bnot breathing (properly|right|well|normally)",
        r"\b(cant|cannot) get (enough )?air\b",
    ),
    "chest_pain": (
        r"\bchest (pain|pains|hurts?|hurting|is (really |so |very )?(tight|sore|hurting|killing)|tight\w*|pressure|feels (really |so |very )?(tight|heavy|weird|crushed))",
        r"\b(pain|pressure|tightness|ache|crushing|crush\w*|tight|heavy|squeez\w*|burning|stabbing|sharp)( feeling| sensation| pain)? in (my |his |her |their |the )?chest",
        r"\b(holding|clutching|grabbing|gripping|clutches|grabs) (his|her|my|their) chest",
        r"\bchest\b.{0,15}\b(hurts?|pain)",
        r"\bchest (very |really |so |feels? |feeling |is |gets? |getting )*(tight|heavy|crushing|squeez\w*|pressure)",
    ),
    "coughing_blood": (
        r"\bcough\w*\b.{0,40}\bblood",
        r"\bblood\b.{0,25}\bcough\w*",
        r"\bcough\w* (up )?(some |a lot of |lots of )?(blood|froth\w*|foam\w*|pink|bloody|red)",
        r"\b(bloody|pink|blood\w*) (froth|foam|sputum|spit|phlegm|mucus)",
        r"\bspit\w* (up )?blood",
        r"\btast\w* (of )?blood",
        r"\bblood when (i|he|she|they) cough",
        r"\b(froth|foam)\w* (at|from) (the|his|her|my|their) mouth",
    ),
    "unresponsive": (
        # Not a dive computer, a phone or a screen "totally unresponsive again".
        r"(?<!\bcomputer )(?<!\bcomputers )(?<!\bcomputer is )(?<!\bcomputers totally )"
        r"(?<!\bcomputer totally )(?<!\bphone )(?<!\bphones )(?<!\bscreen )(?<!\bapp )\bunresponsive",
        r"\bunconscious",
        r"\b(not|isnt|stopped|stop|wont|doesnt|cant) (respond\w*|answer\w*|react\w*)",
        r"\b(wont|cant|not) (wake|waking)",
        r"\b(not|isnt|stopped|stops|stop|no longer) (breathing|moving)\b(?! (properly|right|well|normally))",
        r"\bno (breathing|breath|pulse)\b",
        r"\b(passed|blacked|black|knocked) out",
        r"\bfaint(ed|ing)\b",
        r"\bcollaps\w*",
        r"\blost consciousness",
        r"\bseiz(ure|ing)",
        r"\bconvuls\w*",
        # A seizure described rather than named.
        r"\b(shaking|jerking|twitching|thrashing) (and|&) (jerking|shaking|twitching|thrashing)\b",
        r"\beyes? (rolled|rolling|rolls) (back|up)\b",
        r"\bfitting\b",
        r"\b(had|having|has) a fit\b",
        r"\b(went|gone|is|was) limp",
        r"\bface down",
        r"\b(turned|turning|is|gone|went) blue",
        r"\b(is dying|hes dying|shes dying|ambulance)\b",
    ),
    "missing_diver": (
        rf"\b{_PERSON_NOUN}\b.{{0,40}}\bmissing\b",
        rf"\b{_PERSON_NOUN} (isnt|is not|wasnt|was not) with us\b",
        r"\b(cant|cannot|can not|couldnt) (see|find|spot) (him|her|them) anywhere\b",
        r"\bmissing (one |a |an |two |1 |2 )?(diver|buddy|person|snorkel\w*|swimmer|student)",
        r"\b(one of (us|our group|the group|them)|someone|somebody)\b.{0,20}\bmissing\b",
        r"\b(didnt|hasnt|havent|hadnt|never|still not|isnt|wasnt|not) (come|came|surface|surfaced|resurfaced|come back|came back|returned|back|up yet)\b",
        r"\bnot (at|on) the surface\b",
        rf"\b(cant|couldnt|unable to) (find|see|locate) (my|our|the|a|his|her) (\w+ )?{_PERSON_NOUN}",
        r"\blost (my|our|a|the|one) (dive )?(buddy|diver|friend|partner|student|son|daughter|wife|husband)",
        r"\b(swept|drifted|drifting|carried|dragged) (away|off)\b",
        r"\b(stuck|caught) in (a |the )?(rip|current)\b",
        r"\badrift\b|\bcurrent (is )?(pushing|taking|carrying|dragging) (us|me|him|her|them) (away|out)\b",
        r"\bboat (didnt|did not|doesnt|does not|cant|cannot) see (us|our|me|him|her|them)\b",
        r"\bsearching for (my|our|the|a|his|her)\b",
        r"\bwent under and\b",
        r"\bseparated\b.{0,40}\b(cant|not|isnt|no sign)",
        r"\blost sight of (my|our|the|a|his|her)",
        r"\bstill (down there|down|under|underwater|in the water|out there)\b",
        r"\bcame up without (his|her|their|my|our) (buddy|partner|friend)",
        r"\b(past|over) (his|her|their) (air|gas|bottom time|turn time)",
        r"\boverdue\b",
        r"\b(hes|shes|theyre|he is|she is|they are) not (here|there|anywhere|at the surface|back|on the boat)",
        r"\bno sign of (my|our|the|a|his|her|him|them)",
        r"\b(everyone|everybody|all( of us)?|the rest)\b.{0,50}\b(except|but not|apart from|without) (him|her|them|my|our|his|one|the)\b",
        r"\bno bubbles\b",
        # Told as it happened: "cant find him", "she was gone, cant see her bubbles", "he was right
        # there then just disappeared".
        r"\b(cant|cannot|can not|couldnt) (find|see|locate) (him|them)\b"
        r"(?! (on|in) (the |a )?(\w+ ){0,2}(map|app|website|site|list|chart|schedule|booking|photos?|videos?)\b)",
        r"\b(cant|cannot|can not|couldnt) (see|find) (his|her|their) bubbles\b",
        r"\b(he|she|they) (was|were|is|are) (just )?gone\b(?! (diving|for|to|home|back|now it))",
        rf"\b(he|she|they|{_PERSON_NOUN}) (was right there |was there )?(then )?(just |suddenly )?(disappeared|vanished)\b",
        r"\bnobody (on the boat )?(sees|saw|can see|has seen)",
        r"\b(waving|drifting|floating)\b.{0,30}\b(far away|far off|away from the boat|out to sea)",
        r"\bsurfaced (really |way |so |too )?far (from|away)|\b(getting smaller|further and further away)\b",
    ),
    "near_drowning": (
        # The drowned thing is no person: "my GoPro drowned", "the whole thing drowned", "drowned my
        # camera", "drowning in work".
        r"(?<!\bthing )(?<!\bits )(?<!\bit )(?<!\bgopro )(?<!\bcamera )(?<!\bhousing )(?<!\bphone )(?<!\btorch )(?<!\bstrobe )"
        r"\bdrown(ed|ing|s)?\b(?! (his|her|my|our|their|the|a|an|its) (\w+ )?(gopro|camera|phone|housing|torch|light|computer|strobe|drone|watch|go pro))(?! in (\w+ )?(work|paperwork|emails?|debt|homework|assignments|deadlines|stuff|meetings|wetsuit|suit|bcd))",
        r"\b(inhaled|swallowed|breathed in|aspirated|took in) (a lot of |lots of |loads of |heaps of |tons of |too much |some |so much )?(sea ?)?water",
        r"\bpulled (him|her|them|an? \w+|the \w+|my \w+|our \w+) (out|from the water|on board|onboard|onto|aboard)",
        r"\b(got|been|was|were) pulled (out|from the water|on board|onboard|aboard)",
        r"\bpanick\w* (at|on|in) the (surface|water)",
        r"\b(struggling|thrashing|flailing|going under|bobbing|slipping under) (at|on|in|under) the (surface|water)",
        r"\b(waving (his|her|their) arms|(keeps|kept|is|hes|shes) going under)\b",
    ),
    "severe_cold": (
        r"\b(cant|wont|couldnt) stop shiver\w*",
        r"\bshiver\w* (uncontrollabl\w*|violently|so (hard|much|bad)|like (mad|crazy)|really (hard|bad)|badly|non ?stop)",
        r"\b(uncontrollabl\w*|violently) (shiver\w*|shak\w*)",
        r"\bshak\w* (uncontrollabl\w*|violently)",
        r"\b(lips|fingers|skin) (are |is |look |looks |going |gone |turning |turned )?(blue|purple|grey|gray)",
        r"\b(blue|purple) lips",
        r"\bstopped shivering",
        r"\b(isnt|not|no longer) shivering( anymore| any more)",
        r"\bwhole body (is )?shak\w*",
        r"\b(is|am|im|hes|shes|getting|became|seems) hypotherm\w*",
    ),
    "bleeding": (
        r"\bbleed\w* (a lot|heavily|badly|profusely|everywhere|so much|like crazy|wont stop|non ?stop|really bad|quite a bit|loads|heaps|lots)",
        r"\b(heavy|heavily|severe|bad|lots of|lot of|so much|a lot of) (bleeding|blood)",
        r"\bblood (everywhere|is spurting|spurting|pouring|gushing)",
        r"\b(wont|cant|doesnt|not) stop(ping)? (the )?bleeding",
        r"\bbleeding (wont|doesnt|isnt) stop",
        r"\b(spurt|gush)\w*",
        r"\bdeep (cut|gash|wound)",
        r"\bgash\b",
        r"\bshark (bite|bit)|bitten by a shark",
        r"\bpropeller|\bprop (hit|cut)",
    ),
}

# Categories that are an emergency when reported after (or during) a dive.
AFTER_DIVING: dict[Category, tuple[str, ...]] = {
    "neurological": (
        r"\bnumb\w*",
        r"\btingl\w*",
        r"\bpins (and |n )?needles",
        r"\bmumbl\w*|\bcant focus\b",
        r"\b(legs?|arms?) (feel|feels|feeling|are|went|gone) (like )?(jelly|rubber|wobbly)",
        r"\b(cant|struggling to|trouble|hard to|unable to) (pee|urinate)",
        r"\blower back (pain|hurts|ache\w*|is killing)",
        r"\bprickl\w*|\b(buzzing|fizzy|electric|crawling) (feeling|sensation)",
        r"\bweakness\b",
        r"\b(feel|feels|feeling|felt|is|are|arm|arms|leg|legs|hand|hands|side|really|very|extremely|so|super|getting|went|gone|going|goes) weak(er)?\b",
        r"\b(legs?|arms?|hands?|feet|foot|fingers) (wont|dont|doesnt|cant|arent|isnt) (work|move|hold)",
        r"\b(cant|couldnt|unable to|barely|hard to) (feel|move|lift|stand|walk|grip)\b",
        r"\b(heavy (arm|arms|leg|legs)|(arm|arms|leg|legs) (feel|feels|feeling|felt|are|is|started) (feeling )?heavy)",
        r"\bconfus\w*(?! (about|by|with))",
        r"\bdisorient\w*",
        r"\b(doesnt|dont|didnt) know where",
        r"\btalking nonsense|\bnot making sense|\bsame questions?\b.{0,20}\bover and over|\bsame questions",
        r"\b(cant|doesnt|couldnt) (tell|say) (me |us )?(what day|what year|where (she|he) is)",
        r"\b(keeps|kept|keep) asking (me |us )?what (day|time|year)\b",
        r"\btalking like (hes|shes|he|she) (had|has|is|was) (\w+ )?(drunk|beers?|pints|wasted)",
        r"\b(face|mouth)\b.{0,30}\b(sliding|slipping|sagging) down\b",
        r"\bdribbl\w* (out (of )?)?(the )?(corner|side) of (his|her|my|their) mouth",
        r"\b(cant|doesnt|couldnt) (remember|think straight)",
        r"\bacting (strange|strangely|weird|odd|funny|confused|drunk|off)",
        r"\b(feel|feels|feeling) (really |so |very |kind of |kinda |a bit )?(drunk|off|weird|strange|funny|wrong|fuzzy|dead)",
        r"\b(seeing double|double vision|blurr\w*|flashing lights|tunnel vision|cant see properly)",
        r"\bvision\b.{0,20}\b(patchy|gone|funny|weird|dark|strange)",
        r"\blost (my |his |her )?vision",
        r"\b(cant|cannot|can not|unable to|hardly|barely) see (anything )?(out of|with|from|in) (my|his|her|their|the|one|left|right) (\w+ )?eye",
        r"\b(lost|losing|lose) (the |all )?(sight|vision) in (one|my|his|her|their|the|left|right) (\w+ )?eye",
        r"\bblind in (one|my|his|her|their|the|left|right) (\w+ )?eye",
        r"\b(eye|vision)\b.{0,25}\b(went|gone|going|goes|turned) (black|dark|blind|blurry|grey|gray)",
        r"\b(black|dark) curtain|\bshadow over (my|his|her|one) eye",
        r"\b(severe|terrible|worst|splitting|pounding|blinding|bad|awful|horrible|crushing|excruciating|exploding|killer|intense|massive) headache",
        r"\bheadache\b.{0,30}\b(vomit\w*|throw\w* up|threw up|puk\w*|being sick)",
    ),
    "joint_pain": (
        rf"\b{_JOINT} (is |are |feels? |keeps? |has been |have been )?(really |so |very )?(pain\w*|hurt\w*|ach\w*|throbb\w*|sore|killing)",
        rf"\b(pain|ache|aching|throbbing|soreness)\b.{{0,20}}\bin (my|his|her|their|the|both) (\w+ )?{_JOINT}",
        rf"\b{_JOINT} pain\b",
        rf"\b(my|his|her|their|both) ((left|right) )?{_JOINT}\b.{{0,30}}\b(pain\w*|hurt\w*|ach\w*|throbb\w*|sore|killing)",
        r"\b(have|has|got|get|getting|gotten|having|am|im|is|hes|shes|been) (the bends|bent|dcs|decompression sickness)",
        r"\bdeep (ache|aching|pain|throb\w*)\b",
    ),
    "skin": (
        r"\brash\b",
        r"\bitch\w*",
        r"\bmarbl\w*",
        r"\bmottl\w*",
        r"\bblotch\w*",
        r"\bskin bends",
        r"\b(purple|red) (skin|patches|blotches)",
    ),
    "voice_neck": (
        r"\bneck\b.{0,30}\b(crackl\w*|crunch\w*|crispy|popping|bubbl\w*|swell\w*)",
        r"\b(crackl\w*|crunch\w*|crispy)\b.{0,30}\b(skin|neck|collarbone|throat)",
        r"\bvoice\b.{0,30}\b(weird|funny|hoarse|raspy|changed|different|high|squeaky|gone|strange|odd|nasal)",
        r"\bhoarse\b",
    ),
}

# Vertigo counts with something that makes it more than a moment of dizziness.
VERTIGO = r"\b(vertigo|dizz\w*|spinning|spins|room (is )?spin\w*)"
VERTIGO_WITH = (
    r"\b(vomit\w*|throw\w* up|threw up|puk\w*|nause\w*|sick|ringing|cant walk straight|cant stand|"
    r"off balance|severe|extreme|really bad)"
)

# Envenomation: an animal, contact with it, and (for the less dangerous ones) a sign beyond the sting.
ANIMALS: dict[str, tuple[str, str]] = {
    # pattern: (first-aid kind, danger)
    r"stone ?fish": ("fish_spine", "dangerous"),
    r"sting ?rays?|ray barb": ("fish_spine", "dangerous"),
    r"lion ?fish": ("fish_spine", "moderate"),
    r"scorpion ?fish": ("fish_spine", "moderate"),
    r"(sea )?urchins?": ("fish_spine", "moderate"),
    r"box ?jell(y|ies)\w*|irukandji": ("box_jellyfish", "dangerous"),
    r"jell(y|ies)\w*|man ?o ?war|bluebottle": ("jellyfish", "moderate"),
    r"sea ?snakes?|sea krait": ("pressure_immobilisation", "dangerous"),
    r"cone (shell|snail)s?": ("pressure_immobilisation", "dangerous"),
    r"blue[ -]?ring\w*( octopus)?": ("pressure_immobilisation", "dangerous"),
    r"fire ?coral|something|some ?thing|sth|smth|spiky|spiny": ("unknown_sting", "moderate"),
}
CONTACT = (
    r"\b(stung|sting|stings|stinging|bit|bite|bites|bitten|biting|stepped on|step on|touched|spines?|barb|"
    r"got me|spiked|pricked|jabbed|went into|stuck in|hit by|tentacles?|brushed|wrapped)\b"
)
# Contact denied: "saw a blue-ringed octopus, nobody touched it" is no sting.
NO_CONTACT = (
    r"\b(nobody|no one|noone|didnt|did not|never|not|without) (touch\w*|step\w* on|got (stung|bitten))\b"
)
SYSTEMIC = (
    r"\b((agony|unbearable|terrible|horrible|excruciating|really bad|severe|extreme|worst) pain|"
    r"pain (is )?(unbearable|terrible|horrible|spreading|going up|getting worse)|in agony|agony|unbearable|"
    r"swell\w*|swollen|numb\w*|faint\w*|dizz\w*|vomit\w*|throw\w* up|threw up|sick|nause\w*|breath\w*|chest|"
    r"weak\w*|cramp\w*|sweat\w*|throbb\w*|hurts up|up (my|his|her|their) arm|collaps\w*|confus\w*|killing|"
    r"throat|tight\w*|burning)"
)

# --- when, whether, where --------------------------------------------------------------------------

DIVE_CONTEXT = (
    r"\b(div(e|es|ed|ing|er|ers)|dove|surfac\w*|resurfac\w*|ascen\w*|came up|come up|coming up|shot up|way up|"
    r"out of the water|out the water|in the water|underwater|boat|liveaboard|snorkel\w*|free ?div\w*|"
    r"breath ?hold|deco\w*|safety stop|\d+ ?(m|meters?|metres?|ft|feet)|wreck|reef|bends|bent|dcs|flew|"
    r"flight|flying|drysuit|wetsuit|chamber|recompression|hyperbaric|(?<!carrying )(?<!lifting )tanks?|cylinder)\b"
)
# Someone is in it: the writer or a person with them.
PERSON = (
    r"\b(i|im|ive|id|me|my|we|our|us|he|hes|she|shes|his|her|him|they|theyre|them|their|buddy|buddys|"
    r"friend|diver|someone|somebody|guy|girl|man|woman|lady|student|husband|wife|partner|boyfriend|"
    r"girlfriend|son|daughter|kid|child|dad|mum|mom|father|mother|brother|sister|instructor|divemaster|"
    r"snorkeller|snorkeler|swimmer|person|group)\b"
)
# It is happening now, or just happened.
NOW = (
    r"\b(now(?! and then)|right now|currently|keeps|keep (?!(reading|hearing|seeing|thinking|worrying|wondering)\b)(\w+ing)|getting (worse|weaker|stronger)|wont (stop|go away)|"
    r"still (there|here|numb|tingl\w*|hurts?|hurting|sore|dizzy|not|has|have|feel\w*|going|bleeding|shivering|"
    r"coughing|confused|weak|aching|spinning|missing|unconscious|in the water|out there)|"
    r"just (got|came|surfaced|now|happened|started|brought|pulled|found|collapsed|passed|fainted|finished|went)|"
    r"not going away|since|this (morning|afternoon|evening)|"
    r"(\d+|a|an|one|two|three|few|couple of|half an?) (min|mins|minutes?|hours?|hrs?) ago|"
    r"(\d+|a|an|one|two|three|few|couple of) (min|mins|minutes?|hours?|hrs?) (after|later|since))\b"
)
URGENT = r"\b(help|urgent|please|omg|sos|911|asap|what now|what to do)\b"
URGENT_ASK = r"\bwhat (do|should|can|shall) (i|we) do\b"
# Reasons to think it is not happening now: a question about it, a "what if", training, the past.
QUESTION_START = (
    r"^(what|whats|how|hows|why|when|where|which|who|can|could|does|do|did|is|are|should|would|will|any|"
    r"explain|tell me|describe|define)\b"
)
ABOUT = r"\b(symptoms?|signs?) of\b|\bwhat (are|is) the (symptoms?|signs?)\b"
HYPOTHETICAL = (
    r"\b(if|what if|in case|hypothetical\w*|suppose|supposing|imagine|scenarios?|drills?|practi[cs]\w*|exams?|"
    r"(rescue|dm|divemaster|theory|written)( diver)? (final|test)|"
    # A "training dive" or "course dive" is a real dive: its incidents are real.
    r"quiz|course(?! dives?)|training(?! dives?)|lesson|class|read about|reading about|heard|article|video|documentary|movie|"
    r"story|novel|writing a|film|game|roleplay|role play|"
    r"(instructor|teacher|doctor|doc|dr|book|manual) (said|says|told|explained|showed|taught|demonstrated)|"
    r"talked about|talking about|discussed|briefing|scared of|afraid of|fear of|"
    r"frightened of|worried about (getting|being)|risk of|chances? of|prevent|avoid|is (it|that) true|"
    # A fear of what may happen: "terrified I'll panic and drown".
    r"(terrified|scared|afraid|worried|nervous|anxious)( that)? (ill|i will|i might|i may|id|i would|"
    r"i could|im going to|im gonna|hell|he will|shell|she will))\b"
)
PAST = (
    r"\b((\d+|a|one|two|three|four|five|six|several|few|couple of|many) (years?|months?|weeks?) ago|years ago|"
    r"a few years|last (year|month|week|summer|winter|spring|autumn|season|trip|holiday|vacation)|"
    r"(in|back in) (19|20)\d\d|once|used to|when i was|back then|history of|in the past|previously|"
    r"always|every time|whenever|usually|sometimes|tend to|went away|gone now|has passed|better now)\b"
)

# Said of something that has passed: removed before looking for "now".
RECOVERED = (
    r"\b(both|all|everyone|everybody) (of us )?(totally |completely |perfectly )?(fine|ok|okay)\b"
    r"(?! (except|but|apart from|besides))|"
    r"\b(ok|okay|fine|better|alright|good|normal|gone) now\b|"
    r"\b(gone|was gone|disappeared|resolved) (within|after|in) (a|an|the|one|\d+) \w+|"
    r"\b(he|she|they) (was|were) right (there|behind (me|us)|next to (me|us)) (laughing|smiling|waiting|all along)\b|"
    r"\bwent away( (after|in|within))?( (a|an|one|two|few|couple of|\d+) (min|mins|minutes?|hours?|hrs?)( later)?)?"
)

# An exam or quiz answer checked ("the answer key says...", "quiz q: ... pretty sure it's B"): course
# material, whatever plea it quotes ("I said call for help").
ANSWERS = (
    r"\b(answer key|(correct|right|wrong) answer|the answer (is|was|says)|my answers?|multiple choice|"
    r"(exam|quiz|test|theory) (q|qs|question|questions)|"
    # A letter answer, never "it's a": "pretty sure it's a DCS hit" is a report.
    r"pretty sure (its|it is) (answer |option )?[b-d]|(its|it is) [b-d] right|(answer|option) [a-d] right)\b"
)

# A report in the present tense: "my fingers are tingly", "he feels", "i have".
PRESENT_REPORT = (
    r"\b(my \w+ (is|are|has|have|feels?|went|has gone|have gone|keeps?|started)|(?<!do )(?<!did )i (have|feel|got|am)|"
    r"im (feeling|getting|having)|(he|she|it) (has|is|feels|keeps)|(hes|shes) (feeling|getting|having))\b"
)
# Laughing about it: "nearly killed me 😂 ... best dive ever" tells a story, nobody needs help.
JOKING = r"(😂|🤣|\bbest dive (ever|of my life)\b)"
GREETING = r"^((hi|hey|hello|ok|okay|so|um|uh|quick question|question|sorry|excuse me|dovvy)\b\W*)+"

# A symptom named (the caution tier needs one, said of someone: see INVOLVED and NO_ONE_HURT).
CAUTION = (
    r"\b(pain\w*|hurt\w*|ache\w*|aching|sore|injur\w*|bleed\w*|blood\w*|cuts?|wound\w*|stung|stings|"
    r"bitten|rash\w*|itch\w*|numb\w*|tingl\w*|dizz\w*|vertigo|nause\w*|vomit\w*|throw\w* up|threw up|"
    r"seasick\w*|headaches?|earaches?|ear ?(pain|ache)|ears? (hurt\w*|pain\w*|ring\w*|block\w*|squeak\w*|pop\w*|still)|"
    r"sinus (pain|squeeze|block\w*)|nose ?bleed\w*|eardrum|squeeze|barotrauma|dcs|dci|bends|bent|"
    r"decompression (sickness|illness)|embolism|narcosis|narked|feel\w* drunk|hypotherm\w*|drown\w*|"
    r"panick\w*|unconscious|unresponsive|seizures?|black(ed)? ?out|passed out|faint\w*|collaps\w*|"
    r"swell\w*|swollen|infect\w*|fever|cough\w*|short of breath|breathless\w*|chest|shiver\w*|"
    r"cramp\w*|exhausted|fatigue\w*|tired|tiredness|weak|weakness|sick|spinning|fracture\w*|sprain\w*|burn\w*)\b"
)
# Someone it is happening to: a person, or "after the dive" said of a body.
INVOLVED = (
    r"\b(i|im|ive|id|me|my|mine|we|our|us|he|hes|she|shes|his|her|him|they|theyre|them|their|buddy|friend|"
    r"son|daughter|wife|husband|partner|boyfriend|girlfriend|kid|child|dad|mum|mom|student|someone|"
    r"after (a|the|my|our|his|her|their|this|that|each|every|last|today|\w+) ?(dive|dives|diving)|after diving)\b"
)
# Nobody is hurt: a course, a drill, a kit, an object, an idiom, a film, a fear of what might happen.
NO_ONE_HURT = (
    r"\b(course|courses|class|classes|lesson|training|exam|quiz|"
    # The exam of a message mainly in German, French or Spanish that the English rules also read.
    r"prufung|pruefung|examen|prueba|scenario|scenarios|drill|drills|"
    r"practi[cs]e|role ?play|first aid kit|kit|buy|buying|bought|price|cost|gopro|camera|housing|"
    r"phone|torch|strobe|drone|engine|motor|battery|computer (died|is dead)|regulator|reg (is|died)|"
    r"computer'?s? (is |totally |completely )*(unresponsive|dead|frozen|flooded)|"
    r"of embarrassment|died laughing|dying laughing|dying to|die for|killing it|killed it|movie|film|"
    r"article|documentary|book|history|nervous|scared|terrified|afraid|worried about|anxious|fear|prevent\w*|dead tired|"
    r"avoid\w*|insurance|form|proverb|idiom|saying|next (week|month|year)|how do you say|paperwork|"
    r"my notes|writing up|studying for|revising for|just curious|curious|finals?|final exam|"
    r"knowledge review|my answers|hand it in|homework|assignment|forum|reddit|(fb|facebook) group|"
    r"drowning in (\w+ )?(wetsuit|suit|work|paperwork|emails?|homework)|"
    r"gone by (dinner|lunch|the evening|evening|the morning|morning|bedtime|the next day)|"
    r"(totally|completely|perfectly) fine|all good now|"
    r"does dan cover|diveassure|coverage|policy|no pain at all|"
    r"(feel|felt|feeling) (totally |completely |perfectly )?fine (today|now)|"
    r"(fully|completely) recovered|recovered (fully|completely)|cleared (me|to dive)|(doc|doctor) cleared|"
    r"no (dcs|dci|bends)|not (dcs|dci|the bends)|"
    # Long ago and over: "my grandad got bent back in the 70s, he recovered ok".
    r"back then|in the (19)?[2-9]0s|decades ago|(he|she|they) recovered)\b"
)
VOCABULARY = frozenset(
    """
    numb numbness tingling tingly tingle paralysed paralyzed paralysis slurred slurring confused confusion
    disoriented weakness breathe breathing breath breathless gasping wheezing unconscious unresponsive
    responding seizure convulsing fitting collapsed fainted drowning drowned missing surfaced surface
    shivering uncontrollably hypothermia vomiting throwing nauseous dizzy dizziness vertigo spinning
    bleeding blood spurting stonefish lionfish jellyfish stingray scorpionfish urchin swelling swollen
    emergency please coughing crackling crunchy hoarse shoulder elbow knees joints itchy marbled
    mottled blotchy headache vision blurry double breathing struggling trouble difficulty
    throbbing throwing joint aching hurts killing cramps freezing drowsy sleepy confused bleeding
    acting
    """.split()
)

# Text-speak and contractions people type, written out the way the patterns expect them.
TEXT_SPEAK = {
    "hlp": "help",
    "halp": "help",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "hubby": "husband",
    "bro": "brother",
    "sis": "sister",
    "min": "minutes",
    "mins": "minutes",
    "hr": "hours",
    "hrs": "hours",
    "rn": "right now",
    "2day": "today",
    "cannot": "cant",
    "breth": "breath",
    "brethe": "breathe",
    "brething": "breathing",
    "brethin": "breathing",
    "breathin": "breathing",
}


def compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))
