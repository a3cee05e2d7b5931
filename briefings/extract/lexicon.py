"""The extractor's lexicon, as data: one entry per cue verb (its frames and act hint), the noun classes
(person, group, document, organisation, claim ... nouns), titles and capitals.

Every other module reads its words from here; nothing else keeps a word list of its own. A verb's
frames say how it can attribute speech:

``say``            a speech verb whose complement is what was said ("said that ...", "..., she said")
``document-only``  speech only with a document or organisation subject ("the study found ...")
``object``         its direct object is the content ("denied the allegations", "promised a vote")
``urge-X-to``      an addressee, then an infinitive ("urged Turkey not to attack")
``to-infinitive``  an infinitive is the content ("threatened to leave", "denied using force")
``accuse-X-of``    a prepositional phrase is the content (``preps``: "accused Iran of ...")
``blame-X-for``    a topic verb that speaks only with its prepositional phrase ("criticised X for Y")
``quote-as``       "quoted X as saying ...": the source is the object, the content follows
``parenthetical``  "Drones, he said, are ...": the whole clause around it
``by-saying``      "started by saying ...": the participle's speaker is the main verb's subject
``passive-agent``  "were told by officials that ...": the agent speaks
``topic-only``     names a topic ("criticised the plan") unless its object quotes the speaker
``topic-np``       a plain noun-phrase object only names a topic ("outlined his priorities")
``as-judgement``   "describes the ruling as historic": a judgement, quoted or not
``thought``        a thought, never a cue (the guide excludes them); lemmatised only
``lemma-only``     not a cue; lemmatised because the rules look it up ("make clear", "point out")

The act hint is a list of (act, when): ``always``; ``addressee`` ("urged X to ..."); ``not-question``
(not a question put in a quotation); ``against`` (advice against a course: "cautioned against
buying ..."); ``will`` (the content promises: "assured that they will ...");
``to`` (the content is an infinitive: "agreed to ..."); ``must`` (the content obliges: "insisted
they must ..."); ``negated`` (the claim itself is negated: "insisted the army was not the target").
``acts.classify`` applies the hints, then the content rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefings.models import Act

# -- cue verbs -------------------------------------------------------------------------------------

FRAMES = frozenset(
    """say document-only object urge-X-to to-infinitive accuse-X-of blame-X-for quote-as parenthetical by-saying
    passive-agent topic-only topic-np as-judgement thought lemma-only""".split()
)
CONDITIONS = frozenset("always addressee not-question against will to must negated".split())


@dataclass(frozen=True)
class CueVerb:
    """One verb of the lexicon: its lemma, the frames it attributes speech in, its act hint."""

    lemma: str
    frames: frozenset[str]
    acts: tuple[tuple[Act, str], ...] = ()
    preps: tuple[str, ...] = ()  # the prepositions of its accuse-X-of frame
    blames: bool = False  # "condemned the attack, saying ...": the participle's content lays blame

    @property
    def speech(self) -> bool:
        """Can this verb be a cue at all (a speech verb, or a phrase standing for one)?"""
        return "say" in self.frames


def _v(
    lemma: str,
    frames: str = "say",
    *acts: tuple[Act, str],
    preps: str = "",
    blames: bool = False,
) -> CueVerb:
    fs = frozenset(frames.split())
    unknown = fs - FRAMES
    if unknown:
        raise ValueError(f"lexicon: {lemma!r} has unknown frames {sorted(unknown)}")
    for _, when in acts:
        if when not in CONDITIONS:
            raise ValueError(f"lexicon: {lemma!r} has an unknown act condition {when!r}")
    return CueVerb(lemma, fs, tuple(acts), tuple(preps.split()), blames)


DENIAL: tuple[Act, str] = ("denial", "always")
ACCUSATION: tuple[Act, str] = ("accusation", "always")
OFFER: tuple[Act, str] = ("offer", "always")
DEMAND: tuple[Act, str] = ("demand", "always")
DEMAND_TO: tuple[Act, str] = ("demand", "addressee")

# fmt: off
VERBS: tuple[CueVerb, ...] = (
    # saying, plainly
    _v("say", "say parenthetical by-saying"),
    _v("tell", "say urge-X-to by-saying passive-agent", DEMAND_TO),
    _v("add", "say parenthetical by-saying"),
    _v("note", "say parenthetical"),
    _v("write"),
    _v("state", "say by-saying"),
    _v("declare", "say object by-saying"),
    _v("announce", "say object"),
    _v("explain", "say parenthetical"),
    _v("claim", "say parenthetical"),
    _v("argue", "say parenthetical"),
    _v("suggest"),
    _v("report", "say object"),
    _v("reply"), _v("respond"), _v("answer"), _v("retort"), _v("counter"),
    _v("admit", "say object to-infinitive"),
    _v("acknowledge", "say object to-infinitive topic-np"),
    _v("confirm", "say object"),
    _v("stress"), _v("emphasise"), _v("emphasize"), _v("reiterate"), _v("repeat"), _v("recall"),
    _v("predict", "say object"),
    _v("forecast", "say object"),
    _v("estimate", "say object document-only"),
    _v("calculate", "say object document-only"),
    _v("find", "say object document-only"),
    _v("show", "say object document-only"),
    _v("indicate", "say document-only"),
    _v("reveal", "say object document-only"),
    _v("read", "say document-only"),
    _v("assert"), _v("maintain", "say", ("denial", "negated")),
    _v("insist", "say parenthetical by-saying", ("demand", "must"), ("denial", "negated")),
    _v("complain"), _v("concede"), _v("joke"), _v("boast"), _v("remark"), _v("comment"),
    _v("observe"), _v("tweet"), _v("post"), _v("caution", "say", ("demand", "against"), preps="against"), _v("testify"), _v("disclose"),
    _v("conclude"), _v("contend"), _v("signal"), _v("continue"), _v("reason"),
    # cues the annotators used that the lexicon lacked (benchmarks/missing_cues.py): speech, not
    # thoughts or actions
    _v("shout"), _v("yell"), _v("shriek"), _v("blurt"), _v("confess"), _v("confide"), _v("enthuse"),
    _v("muse"), _v("hint"), _v("speculate"), _v("theorise"), _v("theorize"), _v("marvel"),
    _v("highlight"), _v("stipulate"), _v("accept"),
    _v("quote", "quote-as"),  # "quoted the minister as saying ...": the minister speaks
    _v("outline", "say object topic-np"),
    _v("threaten", "say to-infinitive", preps="with"),
    # (a warning against a course stays a warning; "cautioned against" advises: a demand)
    _v("warn", "say object urge-X-to by-saying passive-agent", DEMAND_TO, preps="of against about"),
    _v("advise", "say object urge-X-to passive-agent", DEMAND_TO, ("demand", "must")),
    _v("encourage", "say urge-X-to", DEMAND_TO),
    _v("recommend", "say object to-infinitive", DEMAND),  # (and "recommends implementing ...")  # "recommends that every school should ..."
    _v("agree", "say to-infinitive", ("offer", "to")),
    _v("assure", "say passive-agent", ("offer", "will")),
    _v("reassure", "say passive-agent", ("offer", "will")),
    _v("inform", "say passive-agent"),
    _v("remind", "say passive-agent"),
    # offers
    _v("offer", "say object to-infinitive topic-np", OFFER),
    _v("propose", "say object to-infinitive", OFFER),
    _v("promise", "say object to-infinitive passive-agent", OFFER),
    _v("pledge", "say object to-infinitive", OFFER),
    _v("vow", "say object to-infinitive", OFFER),
    _v("commit", "say object to-infinitive", OFFER),
    _v("volunteer", "say object to-infinitive", OFFER),
    _v("guarantee", "say object", ("offer", "will")),
    # demands
    _v("demand", "say object to-infinitive", DEMAND),
    _v("urge", "say object urge-X-to by-saying passive-agent", DEMAND),
    _v("ask", "say object urge-X-to by-saying passive-agent", ("demand", "not-question"), preps="for"),
    _v("call", "say urge-X-to by-saying", DEMAND, preps="on for upon"),
    _v("appeal", "say urge-X-to", DEMAND, preps="to for"),
    _v("order", "say object urge-X-to", DEMAND_TO),
    _v("request", "say object", DEMAND),  # "requested donations"
    _v("press", "say urge-X-to", DEMAND, preps="for"),
    _v("implore", "say urge-X-to", DEMAND),
    _v("beg", "say urge-X-to", DEMAND),
    _v("plead", "say urge-X-to", DEMAND, preps="with for"),  # "pleaded with the president to ..."
    _v("instruct", "say urge-X-to", DEMAND_TO),
    _v("invite", "say urge-X-to", DEMAND_TO),
    # denials
    _v("deny", "say object to-infinitive", DENIAL),
    _v("reject", "say object to-infinitive", DENIAL),
    _v("dismiss", "say object to-infinitive", DENIAL),
    _v("refute", "say object to-infinitive", DENIAL),
    _v("dispute", "say object to-infinitive", DENIAL),
    _v("rebut", "say object to-infinitive", DENIAL),
    _v("disagree", "say", DENIAL),
    # accusations
    _v("accuse", "say object", ACCUSATION, preps="of", blames=True),
    _v("blame", "say object", ACCUSATION, preps="for on", blames=True),
    _v("allege", "say object", ACCUSATION),
    _v("charge", "say object", ACCUSATION, preps="with"),
    # "criticised X": a topic; "criticised X for Y": an accusation, content "X for Y" (blame-X-for)
    _v("condemn", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("criticise", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("criticize", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("slam", "topic-only as-judgement blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("denounce", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("rebuke", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    _v("castigate", "topic-only blame-X-for", ACCUSATION, preps="for", blames=True),
    # topics and judgements
    _v("thank", "topic-only"), _v("praise", "topic-only"), _v("welcome", "topic-only"),
    _v("talk", "topic-only"), _v("express", "topic-only"), _v("pay", "topic-only"),
    _v("hail", "topic-only"), _v("term", "topic-only"), _v("dub", "topic-only"),
    _v("label", "topic-only as-judgement"), _v("brand", "topic-only as-judgement"),
    _v("describe", "topic-only as-judgement"),
    _v("refer", "as-judgement"), _v("characterise", "as-judgement"), _v("characterize", "as-judgement"),
    _v("portray", "as-judgement"), _v("depict", "as-judgement"), _v("rate", "as-judgement"),
    _v("list", "as-judgement"),
    # thoughts: never cues
    _v("believe", "thought"), _v("hope", "thought"), _v("fear", "thought"), _v("think", "thought"),
    _v("feel", "thought"), _v("want", "thought"), _v("wish", "thought"), _v("expect", "thought"),
    _v("worry", "thought"), _v("doubt", "thought"),
    # looked up by the rules, never cues themselves
    *(_v(w, "lemma-only") for w in "make point speak give take come go see know hold get use lead".split()),
    # heads that make a cue hypothetical ("plans to announce"): HYPOTHETICAL_HEADS
    *(_v(w, "lemma-only") for w in "plan intend refuse decline".split()),
)
# fmt: on

# Multi-word cues, built from a verb and a particle or adjective ("made clear", "points out").
PHRASES = frozenset({"make clear", "point out"})
# Source phrases: "according to X", "in the words of X" (their lemma in a Cue is "according").
SOURCE_PHRASES = frozenset({"according to", "in the words of"})

BY_LEMMA: dict[str, CueVerb] = {v.lemma: v for v in VERBS}
if len(BY_LEMMA) != len(VERBS):
    raise ValueError("lexicon: a verb is listed twice")


def verbs_with(frame: str) -> frozenset[str]:
    """The lemmas of the verbs that have ``frame``."""
    if frame not in FRAMES:
        raise ValueError(f"lexicon: no frame {frame!r}")
    return frozenset(v.lemma for v in VERBS if frame in v.frames)


def verbs_with_act(act: Act, when: str = "always") -> frozenset[str]:
    """The lemmas whose act hint gives ``act`` under the condition ``when``."""
    return frozenset(v.lemma for v in VERBS if (act, when) in v.acts)


def hints(lemma: str) -> tuple[tuple[Act, str], ...]:
    """The act hint of a cue lemma (none for a lemma outside the lexicon)."""
    verb = BY_LEMMA.get(lemma)
    return verb.acts if verb is not None else ()


def preps(lemma: str) -> tuple[str, ...]:
    """The prepositions of a verb's accuse-X-of frame ("accuse" -> ("of",))."""
    verb = BY_LEMMA.get(lemma)
    return verb.preps if verb is not None else ()


SAY_VERBS = verbs_with("say") | PHRASES  # every lemma a cue verb may have in any frame but blame-X-for
DOCUMENT_ONLY = verbs_with("document-only")
OBJECT_CONTENT = verbs_with("object")
ADDRESSEE_TO = verbs_with("urge-X-to")
INFINITIVE = verbs_with("to-infinitive")
PARENTHETICAL = verbs_with("parenthetical")
BY_SAYING = verbs_with("by-saying")
PASSIVE_AGENT = verbs_with("passive-agent")
QUOTED_OBJECT_VERBS = verbs_with("topic-only")
TOPIC_NP = verbs_with("topic-np")
AS_VERBS = verbs_with("as-judgement")
QUOTE_AS = verbs_with("quote-as")
THOUGHT_VERBS = verbs_with("thought")
LEMMA_ONLY = verbs_with("lemma-only")
PREP_CONTENT = {v.lemma: v.preps for v in VERBS if v.preps}
BLAME_VERBS = frozenset(v.lemma for v in VERBS if v.blames)
DENIAL_VERBS = verbs_with_act("denial")
ACCUSATION_VERBS = verbs_with_act("accusation")
BLAME_FOR = verbs_with("blame-X-for")  # cues only with their "for" phrase
CUE_LEMMAS = SAY_VERBS | BLAME_FOR  # every lemma verb_cues reads

# Modal and future auxiliaries that make the speech hypothetical ("is expected to say", "will say"),
# and the heads that do the same ("plans to announce", "is due to testify").
HYPOTHETICAL_AUX = frozenset("will would may might could should shall must ca".split())
HYPOTHETICAL_HEADS = frozenset("expect likely due set plan hope want intend refuse decline".split())
# Imperatives that ask the listener to picture or weigh something, not to act.
RHETORICAL_IMPERATIVES = frozenset("imagine picture consider remember think suppose say look suffice".split())

# -- nouns -----------------------------------------------------------------------------------------

# Words heading a document or a body of data that can be a source.
DOCUMENT_NOUNS = frozenset(
    """report study survey poll polls statement research data analysis review paper document
    letter website figures estimate estimates census inquiry audit assessment memo findings
    communique results statistics post posting blog article tweet message editorial resolution
    declaration petition ruling verdict judgment judgement complaint lawsuit indictment affidavit
    filing filings testimony transcript""".split()
)
# Heads of anonymous or collective sources: "officials said", "analysts say" (plural forms, as written).
GROUP_NOUNS = frozenset(
    """officials sources analysts experts critics observers witnesses residents diplomats
    authorities police investigators lawmakers legislators senators ministers leaders scientists
    researchers economists activists campaigners protesters supporters opponents volunteers
    organisers organizers people members officers soldiers troops doctors workers voters
    historians commentators insiders aides advisers advisors spokespeople rebels militants
    allies media municipalities councils""".split()
)
# Office and role nouns: "the minister", "the spokesman" (the ones that also head a person's title).
ROLE_NOUNS = frozenset(
    """minister president premier chancellor spokesman spokeswoman spokesperson leader secretary
    chairman chairwoman chair director chief head official governor mayor senator representative
    ambassador envoy general commander officer adviser advisor aide counterpart prime deputy king
    queen prince emperor judge lawyer attorney analyst professor expert scientist founder executive
    manager economist politician lawmaker legislator cleric coach captain pope bishop candidate
    speaker member policeman soldier diplomat campaigner""".split()
)
# Nouns that head a description of a person ("a factory owner", "the witness"): the roles above
# (without the parts of titles, "prime", "deputy", "chair" ...) and people by what they are or do.
PERSON_NOUNS = (
    ROLE_NOUNS
    - frozenset("bishop chair deputy emperor legislator member officer prime representative speaker".split())
) | frozenset(
    """engineer refugee student teacher doctor man woman father mother journalist reporter witness
    resident source prosecutor investigator detective inspector activist researcher author editor
    writer historian actor farmer worker victim survivor son daughter wife husband friend neighbour
    neighbor colleague owner player priest imam rabbi cardinal archbishop colonel delegate
    negotiator mediator consul councillor congressman congresswoman mp magistrate solicitor
    barrister counsel surgeon nurse physician pilot boss ceo chairperson commissioner auditor
    regulator producer organiser organizer protester demonstrator artist billionaire villager fan
    blogger parent citizen customer shopper consumer shopkeeper diner patient""".split()
)
# Heads of a description of an organisation ("the ministry said").
ORG_NOUNS = frozenset(
    """government ministry military army navy police company agency council committee court
    administration department office parliament congress senate house commission bank fund
    party union campaign team board embassy regime cabinet presidency opposition group
    organisation organization firm authority service""".split()
)
# Words that make a proper name an organisation's, whatever the recogniser said ("Pew Research Center").
ORG_NAME_WORDS = frozenset(
    """institute university college school ministry department agency company corporation corp inc
    ltd group party council committee commission bank fund association union organisation
    organization news times post press network foundation trust society centre center court
    army navy police office board authority service services club league federation alliance
    government administration parliament congress senate assembly church hospital museum
    airlines airways international""".split()
)
# Heads that make a description a plausible source, besides person nouns.
SOURCE_HEADS = PERSON_NOUNS | frozenset(
    """government ministry military army police officials sources analysts experts report study survey
    poll polls statement data research agency company organization organisation group firm body
    union party department council committee commission court institute foundation charity
    results figures statistics bank embassy regime team club airline university hospital school
    prosecutors prosecution defence defense campaign network broadcaster newspaper magazine
    municipality city town region province media opposition panel board""".split()
)
# Heads that count others: "a number of officials", "a spate of polls" (the noun after "of" speaks).
QUANTITY_NOUNS = frozenset(
    """spate number series majority group handful couple lot range host raft pair team panel thousand
    thousands hundred hundreds dozen dozens""".split()
)
# Nouns naming a claim, which a denial can take as its content ("an accusation X denies").
CLAIM_NOUNS = frozenset(
    "accusation accusations allegation allegations claim claims charge charges assertion rumour rumor".split()
)
# Nouns for something a source issued: "the request of the Municipality of Livorno asking ...".
ISSUED_NOUNS = frozenset("request appeal call proposal letter petition decision order ruling motion".split())
# Things one is denied, not claims one denies: "denied AMD access", "denied him entry".
GRANTED_NOUNS = frozenset(
    """access entry visa visas permission passage bail asylum admission permit permits licence license
    rights benefits treatment opportunity chance protection aid food water care service services""".split()
)
# Nouns that only name what a speaker gave ("offered his explanation"): the topic, not the content.
SPEECH_NOUNS = frozenset(
    """explanation explanations thoughts view views assessment analysis account opinion opinions
    perspective condolences comments remarks insight insights reasons details reaction""".split()
)
# Feelings one expresses (the guide: thoughts and feelings are no statements without a that-clause).
FEELING_NOUNS = frozenset(
    """optimism pessimism hope hopes concern concerns worry worries fear fears regret sorrow sadness
    grief joy delight satisfaction dissatisfaction disappointment frustration anger outrage dismay
    shock surprise relief gratitude sympathy condolences confidence doubt doubts skepticism
    scepticism unease alarm anxiety pride happiness""".split()
)
# Nouns that head a titled work: 'the song “...”', 'his book “...”'.
WORK_NOUNS = frozenset(
    """song songs album film films movie movies book books novel novels play poem series show
    programme program documentary track single opera musical painting exhibition memoir""".split()
)

# -- titles ----------------------------------------------------------------------------------------

# Words of a title before a name, never part of the name ("President Bush", "Foreign Minister Kuleba").
TITLES = frozenset(
    """president prime minister secretary general senator rep. rep representative sen. sen gov.
    governor mayor chancellor king queen prince princess pope dr. dr professor prof. judge justice
    lieutenant colonel col. captain capt. sergeant sgt. maj. major gen. admiral chairman chairwoman
    ambassador mr. mr mrs. mrs ms. ms sir lord lady dame reporter spokesman spokeswoman roboticist
    commander chief director leader""".split()
)
# Titles that make a name a person's, whatever the recogniser said ("Prime Minister X").
PERSONAL_TITLES = frozenset(
    """president minister senator mr mrs ms dr professor spokesman spokeswoman spokesperson prime
    secretary chancellor governor mayor representative rep sen lieutenant colonel captain general
    ambassador judge""".split()
)
# Words stripped from the front of a recognised name: titles and their qualifiers.
TITLE_STOP = (
    TITLES | PERSONAL_TITLES | frozenset("the foreign vice deputy archbishop bishop cardinal premier".split())
)
# What is stripped before a name the recogniser calls an organisation ("General Motors" keeps its
# "General"; a misread "Mr MacFarlane" loses the honorific)
ORG_TITLE_STOP = frozenset("the mr mrs ms dr sir lord lady dame".split())
HONORIFIC_M = frozenset("mr mr. sir lord king prince".split())
HONORIFIC_F = frozenset("mrs mrs. ms ms. miss madam lady queen princess dame".split())

# -- places ----------------------------------------------------------------------------------------

# Capitals standing for their countries in news prose ("Tehran denied ...").
CAPITALS = {
    "tehran": "Iran",
    "moscow": "Russia",
    "kremlin": "Russia",
    "kiev": "Ukraine",
    "kyiv": "Ukraine",
    "beijing": "China",
    "pyongyang": "North Korea",
    "seoul": "South Korea",
    "washington": "United States",
    "london": "United Kingdom",
    "paris": "France",
    "berlin": "Germany",
    "ankara": "Turkey",
    "damascus": "Syria",
    "baghdad": "Iraq",
    "kabul": "Afghanistan",
    "islamabad": "Pakistan",
    "new delhi": "India",
    "tokyo": "Japan",
    "riyadh": "Saudi Arabia",
    "jerusalem": "Israel",
    "cairo": "Egypt",
}
# The capitals that speak as their country even when the recogniser calls them a person
# ("Tehran denied"), not cities that are also surnames or that stand for themselves.
SPEAKING_CAPITALS = frozenset(
    "tehran moscow kremlin kiev kyiv beijing pyongyang seoul ankara damascus kabul islamabad riyadh".split()
)


# -- content classes: what the act model reads in a statement's content ----------------------------
# The guide's acts are often carried by the content under a plain "said" (eval/README.md, second act
# table): wrongdoing laid at someone's door (accusation), a rebuttal (denial), an undertaking by the
# source's side (offer), a request to others (demand). These are word classes, not verdicts: the act
# model (actmodel.py) learns how much each one counts, alone and with the content's person and negation.
# Words are matched on a crude stem (``content_stem``), so "tortures", "tortured" and "torturing" count.


def content_stem(word: str) -> str:
    """A crude, fast suffix stripper for content words (features only; never shown)."""
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


WRONGDOING_WORDS = frozenset(
    content_stem(w)
    for w in """illegal illegally unlawful unlawfully crime criminal fraud fraudulent corrupt corruption
    bribe bribery steal stole stolen theft thief thieves lie lied lying liar cheat cheated cheating abuse
    abused abusing torture tortured kill killed killing murder murdered massacre massacred attack
    attacked attacking shelling shelled bomb bombed bombing violate violated violation discriminate
    discriminated discrimination discriminatory exploit exploited exploitation deceive deceived deception
    mislead misled misleading cover-up conspiracy conspired smuggle smuggled smuggling launder laundering
    embezzle embezzled embezzlement harass harassed harassment assault assaulted rape raped intimidate
    intimidated intimidation persecute persecuted persecution oppress oppressed oppression repress
    repressed repression censor censored censorship rig rigged manipulate manipulated manipulation
    negligent negligence reckless irresponsible incompetent incompetence unfair unfairly unjust injustice
    outrageous outrage scandal scandalous shameful disgrace disgraceful betray betrayed betrayal sabotage
    sabotaged subvert subversion aggression aggressive invade invaded invasion occupy occupied occupation
    annex annexed annexation genocide terror terrorism terrorist propaganda defamatory defamation slander
    libel plagiarism infringe infringed infringement mistreat mistreated mistreatment neglect neglected
    endanger endangered pollute polluted pollution evade evaded evasion withheld withhold blackmail extort
    extortion kidnap kidnapped hostage looted looting plunder misuse misused abusive brutal brutality cruel
    cruelty inhumane atrocity atrocities crackdown suppress suppressed suppression exploitative greed
    greedy dishonest dishonesty hypocrisy hypocritical arrogant arrogance racist racism sexist sexism
    biased unconstitutional illegitimate coup falsified falsify forged forgery misconduct wrongdoing guilty
    culpable responsible blame blamed fault failed fail failure mismanagement mismanaged waste wasted
    squander squandered destroy destroyed destruction damage damaged damaging harm harmed harmful hurt
    threatened threatening victim victims ignore ignored ignoring""".split()
)
REBUTTAL_WORDS = frozenset(
    """untrue false falsely baseless unfounded ill-founded groundless fabricated fabrication nonsense
    rubbish absurd ridiculous lies myth rumour rumours rumor rumors misinformation fake unjustified
    unsubstantiated denied deny denies incorrect inaccurate wrong""".split()
)
REBUTTAL_PHRASES = (
    "not true", "no evidence", "nothing to do with", "no such", "never", "no truth", "did not", "didn't",
    "was not", "wasn't", "is not", "isn't", "are not", "aren't", "have not", "haven't", "has not",
    "hasn't", "no intention", "no plans", "no orders", "no interest", "not responsible", "not involved",
    "without our knowledge", "neither", "not aware", "no basis", "no link", "no connection", "we do not",
    "we don't", "i do not", "i don't", "i did not", "i didn't", "we did not", "we didn't", "not guilty",
    "innocent", "at no time",
)  # fmt: skip
COMMITMENT_PHRASES = (
    "we will", "i will", "we'll", "i'll", "we shall", "we would", "we are committed", "committed to",
    "ready to", "willing to", "prepared to", "determined to", "we want to help", "we aim", "aim to",
    "we intend", "we plan", "will provide", "would provide", "will help", "would help", "will support",
    "would support", "will consider", "will ensure", "would ensure", "will give", "would give",
    "will invest", "will fund", "would fund", "will offer", "would offer", "will work", "would work",
    "will continue", "will not let", "will pay", "would pay", "will compensate", "will refund",
    "guarantee", "pledge", "promise", "we can help", "happy to", "open to", "welcome to", "would assist",
    "will assist", "we are working", "will do everything", "would be infus", "will be provid",
    "would be provid", "will cut", "will reduce", "will review", "will comply", "would comply",
    "will withdraw", "would withdraw", "are withdrawing", "will return", "would return",
)  # fmt: skip
REQUEST_PHRASES = (
    "should", "must", "need to", "needs to", "have to", "has to", "ought", "call on", "calls on", "urge",
    "we ask", "i ask", "please", "it is time", "it's time", "let us", "let's", "demand", "we want them",
    "we want the", "i want them", "stop", "we need", "they need", "you need", "immediately",
    "has got to", "have got to", "must not", "should not", "shouldn't", "mustn't", "insist", "appeal",
    "require",
)  # fmt: skip
