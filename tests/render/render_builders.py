"""Hand-made Extractions (real data objects, not mocks) for compose and render tests."""

from __future__ import annotations

from pathlib import Path

from briefings.models import Article, Dateline, Entity, Extraction, Statement

SEED = Path(__file__).resolve().parents[2] / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"
AMIR = "Hussein Amir-Abdollahian"
KULEBA = "Dmytro Kuleba"
ALLIES = "Ukrainian officials and their Western allies"


def article(text: str, source: str = "test.txt", **kw) -> Article:
    """An Article whose first line is the headline, as ingest builds it for a .txt file."""
    newline = text.find("\n")
    return Article(text=text, title=text[:newline].strip(), source=source, body_start=newline + 1, **kw)


def statement(
    text: str, content: str, speaker: str, act: str, kind: str = "indirect", cue: str = "said", **kw
):
    """A Statement whose offsets are found in ``text`` (the content must occur there)."""
    start = text.index(content)
    return Statement(
        speaker=speaker,
        start=start,
        end=start + len(content),
        kind=kind,
        act=act,
        cue=cue,
        content=content,
        **kw,
    )


def seed_extraction() -> Extraction:
    """What a good extractor finds in the seed article: the issue's offers, demand, denial and accusation."""
    text = SEED.read_text(encoding="utf-8")
    entities = [
        Entity(
            "amir",
            AMIR,
            "person",
            "Iranian Foreign Minister",
            ["Amir-Abdollahian", "the Iranian foreign minister"],
        ),
        Entity("kuleba", KULEBA, "person", "Ukraine's Foreign Minister", ["Kuleba"]),
        Entity("iran", "Iran", "country", None, ["Tehran"]),
        Entity("allies", ALLIES, "group"),
    ]
    ids = {e.name: e.id for e in entities}
    rows = [
        (
            "he demanded Tehran stop allegedly providing Russia with weapons in a phone call with his Iranian "
            "counterpart Hussein Amir-Abdollahian",
            KULEBA,
            "demand",
            "indirect",
            "has said",
        ),
        (
            "Iran of providing so-called “kamikaze” drones to Russia, which have recently been used to devastating "
            "effect by Moscow’s forces",
            ALLIES,
            "accusation",
            "indirect",
            "have accused",
        ),
        (
            "it has sent any weaponry, including drones, to Russia",
            "Iran",
            "denial",
            "indirect",
            "has strenuously denied",
        ),
        (
            "Today, I received a call from Iranian Foreign Minister Hussein Amir-Abdollahian,",
            KULEBA,
            "statement",
            "direct",
            "wrote",
        ),
        (
            "I demanded Iran to immediately cease the flow of weapons to Russia used to kill civilians and destroy "
            "critical infrastructure in Ukraine,",
            KULEBA,
            "demand",
            "direct",
            "wrote",
        ),
        ("the allegations of sending drones to Russia", AMIR, "denial", "indirect", "rejected"),
        (
            "The Islamic Republic of Iran has experienced an eight-year imposed war and is therefore against wars in "
            "Ukraine, Yemen and elsewhere,",
            AMIR,
            "statement",
            "direct",
            "said",
        ),
        (
            "We have good relations with Russia and have had defense cooperation in the past, but our policy toward "
            "the war in Ukraine is to respect the territorial integrity of the countries, not to send weapons to the "
            "warring parties, and call for an end to the war and displacement of people,",
            AMIR,
            "statement",
            "direct",
            "said",
        ),
        (
            "Tehran was ready to discuss the Western countries’ allegations about exporting drones to Russia in a joint "
            "session with Ukrainian officials",
            AMIR,
            "offer",
            "indirect",
            "said",
        ),
        (
            "Tehran is ready to hold technical meetings with the presence of military experts between the two "
            "countries without the need for any intermediaries",
            AMIR,
            "offer",
            "indirect",
            "telling",
        ),
        ("Iran is ready to help the two sides reach a ceasefire", AMIR, "offer", "indirect", "said"),
        (
            "I believe that Ukraine should be careful not to be influenced by some extreme European politicians,",
            AMIR,
            "statement",
            "direct",
            "added",
        ),
        (
            "it was important to hold talks between the technical-military delegations of the two countries",
            KULEBA,
            "statement",
            "indirect",
            "saying",
        ),
        ("Kiev does not act under the influence of third parties", KULEBA, "statement", "indirect", "said"),
    ]
    statements = [
        statement(text, content, speaker, act, kind, cue, speaker_id=ids[speaker])
        for content, speaker, act, kind, cue in rows
    ]
    art = article(text, "seeds/iran-ready-to-help-end-ukraine-war.txt")
    place = text.index("TEHRAN")
    return Extraction(art, entities, statements, Dateline(place="TEHRAN", start=place, end=place + 6))


HOSTILE_BITS = (
    "@everyone",
    "@here",
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U123ABC>",
    "<#C024BE7LR>",
    "<@&123456789>",
    "<@!987654321>",
    "*bold*",
    "_italic_",
    "~strike~",
    "`code`",
    "```block```",
    "<http://evil.example|click>",
    "[x](http://evil.example)",
    "**b** __u__ ||spoiler||",
    "\n# heading\n> quote\n- list",
    "\x1b[31mred\x1b[0m",
    "&amp; & < >",
)


def hostile_extraction() -> Extraction:
    """Every field a user can influence carries mass mentions, markup and terminal codes."""
    bits = " ".join(HOSTILE_BITS)
    quote = f"We will fight {bits} until the end"
    headline = f"Headline {bits}"
    text = f"{headline}\nThe minister <@U999> said “{quote}” and then said that {bits} was fine.\n"
    name = "Evil <!channel> @everyone *Name*"
    entities = [Entity("e1", name, "person", role="Minister of <@U123> [x](http://evil.example)")]
    statements = [
        statement(text, quote, name, "offer", "direct", "said", speaker_id="e1"),
        statement(text, f"{bits} was fine", name, "statement", "indirect", "said <!here>", speaker_id="e1"),
    ]
    art = article(
        text, source="<!channel>.txt", url="http://evil.example/<!channel>|x", site_name="@here News"
    )
    return Extraction(art, entities, statements, Dateline(place="<!everyone> CITY", agency="@here"))


def adversarial_extraction(
    n_statements: int = 400, quote_chars: int = 5000, name_chars: int = 400
) -> Extraction:
    """A huge article: hundreds of statements, 5000-character quotes, 400-character names, many speakers."""
    acts = ("offer", "demand", "denial", "accusation", "statement")
    parts = ["A" * 600 + " headline that goes on and on & on <with> *marks*\n"]
    statements = []
    entities = []
    pos = len(parts[0])
    for i in range(n_statements):
        name = (f"Speaker{i} " + "Longname-" * (name_chars // 9))[:name_chars]
        if i < 60:
            entities.append(
                Entity(f"s{i}", name, "person", role=("Deputy assistant & <under> secretary " * 20)[:400])
            )
        words = " ".join(f"word{i}x{j} & <b>" for j in range(quote_chars // 14))
        content = (f"Quote {i}: " + words)[:quote_chars]
        para = f"“{content}” said {name}.\n"
        start = pos + 1
        speaker = entities[i % 60].name
        statements.append(
            Statement(
                speaker=speaker,
                start=start,
                end=start + len(content),
                kind="direct",
                act=acts[i % 5],
                cue="said",
                content=content,
                speaker_id=f"s{i % 60}",
            )
        )
        parts.append(para)
        pos += len(para)
    text = "".join(parts)
    art = article(text, "huge.txt", url="https://news.example/" + "a" * 300)
    return Extraction(art, entities, statements, Dateline(place="X" * 400, agency="Y" * 400, date="Z" * 300))
