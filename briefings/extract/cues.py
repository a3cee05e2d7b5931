"""The cue lexicon: verbs and phrases that attribute speech, grouped by the speech act they signal."""

from __future__ import annotations

# Verbs whose subject says something and whose complement is what was said.
SAY_VERBS = frozenset(
    """say tell add note write state warn declare announce explain claim insist argue suggest report
    reply respond answer admit acknowledge confirm stress emphasise emphasize reiterate repeat recall
    predict estimate assert maintain complain concede joke boast remark comment observe tweet post
    caution testify disclose reveal indicate conclude agree contend allege charge signal vow promise
    pledge offer propose demand urge ask call appeal order deny reject dismiss refute dispute accuse
    blame threaten outline recommend advise forecast find show calculate predict encourage counter
    retort continue request reason assure reassure read""".split()
) | {"make clear", "point out"}

# Verbs that only count as speech with a document/organisation subject (a study found, polls showed).
DOCUMENT_ONLY = frozenset("find show calculate indicate reveal estimate read".split())

DENIAL_VERBS = frozenset("deny reject dismiss refute dispute rebut".split())
ACCUSATION_VERBS = frozenset("accuse blame allege charge".split())
DEMAND_VERBS = frozenset("demand urge call appeal order ask press implore beg instruct request".split())
OFFER_VERBS = frozenset("offer propose promise pledge vow commit volunteer".split())

# Verbs that only name a topic ("criticised the plan") unless their object quotes the speaker.
QUOTED_OBJECT_VERBS = frozenset(
    "thank label describe praise condemn criticise criticize welcome talk express pay hail brand term dub".split()
)

# Verbs that state a judgement with "as": "describes the ruling as historic", "refers to them as ...".
AS_VERBS = frozenset("describe refer label brand characterise characterize portray depict rate list".split())

# Verbs naming a thought, not speech: never cues (the guide excludes them).
THOUGHT_VERBS = frozenset("believe hope fear think feel want wish expect worry doubt".split())

# Words heading a document or a body of data that can be a source.
DOCUMENT_NOUNS = frozenset(
    """report study survey poll polls statement research data analysis review paper document
    letter website figures estimate estimates census inquiry audit assessment memo findings
    communique results statistics post posting blog article tweet message editorial resolution
    declaration petition ruling verdict judgment judgement""".split()
)

# Heads of anonymous or collective sources: "officials said", "analysts say".
GROUP_NOUNS = frozenset(
    """officials sources analysts experts critics observers witnesses residents diplomats
    authorities police investigators lawmakers legislators senators ministers leaders scientists
    researchers economists activists campaigners protesters supporters opponents volunteers
    organisers organizers people members officers soldiers troops doctors workers voters
    historians commentators insiders aides advisers advisors spokespeople rebels militants
    allies media municipalities councils""".split()
)

# Person nouns that a description can be headed by ("the minister", "the spokesman").
ROLE_NOUNS = frozenset(
    """minister president premier chancellor spokesman spokeswoman spokesperson leader secretary
    chairman chairwoman chair director chief head official governor mayor senator representative
    ambassador envoy general commander officer adviser advisor aide counterpart prime deputy king
    queen prince emperor judge lawyer attorney analyst professor expert scientist founder executive
    manager economist politician lawmaker legislator cleric coach captain pope bishop candidate
    speaker member policeman soldier official diplomat campaigner""".split()
)

# Modal and future auxiliaries that make the speech hypothetical ("is expected to say", "will say").
HYPOTHETICAL_AUX = frozenset("will would may might could should shall must ca".split())
HYPOTHETICAL_HEADS = frozenset("expect likely due set plan hope want intend refuse decline".split())
