"""Write the topic-sentences data set the NLP lessons use (run once; the output is committed).

    python -m domain.data.pipelines.write_topic_sentences

Every sentence is composed here from hand-written parts, so the data set is
the project's own: no download, no licence question, reproducible with the
seed. Some templates name the topic plainly ("the striker scored twice"),
others only hint at it ("she finally slept through the night"), so a model
has something to learn beyond keywords.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

SEED = 20261126
PER_TOPIC = 60
TEST_SHARE = 0.3
OUT = Path(__file__).resolve().parents[1] / "sources" / "topic_sentences"

PARTS: dict[str, dict[str, list[str]]] = {
    "sports": {
        "who": [
            "The striker",
            "Our goalkeeper",
            "The home team",
            "The young sprinter",
            "The coach",
            "The veteran pitcher",
            "Their captain",
            "The underdog side",
            "The tennis champion",
            "The rookie",
        ],
        "did": [
            "scored twice in the second half",
            "was sent off after a late tackle",
            "won the final on penalties",
            "broke the national record",
            "lost the match in extra time",
            "signed a three-year contract",
            "trained through the injury",
            "retired after twenty seasons",
            "qualified for the playoffs",
            "missed the last free throw",
        ],
        "when": [
            "last night",
            "on Saturday",
            "before a sold-out stadium",
            "in the derby",
            "at the championship",
            "despite the rain delay",
            "in front of the fans",
            "during the tournament",
        ],
        "hint": [
            "The crowd went silent when the whistle blew.",
            "Nobody expected the comeback in the final minutes.",
            "The referee checked the replay for a long time.",
            "Season tickets sold out within an hour.",
            "He laced his boots and jogged onto the pitch.",
            "The locker room celebrated until midnight.",
            "She crossed the line a fraction ahead of her rival.",
            "Fans waited hours for an autograph.",
        ],
    },
    "finance": {
        "who": [
            "The central bank",
            "Investors",
            "The company",
            "Shareholders",
            "The bank",
            "Analysts",
            "The startup",
            "Bond traders",
            "The pension fund",
            "The retailer",
        ],
        "did": [
            "raised interest rates by a quarter point",
            "sold off technology shares",
            "reported record quarterly profit",
            "cut its dividend",
            "priced the bond issue",
            "warned of slower revenue growth",
            "announced a share buyback",
            "missed earnings expectations",
            "refinanced its debt",
            "filed for bankruptcy protection",
        ],
        "when": [
            "this quarter",
            "on Tuesday",
            "after the markets closed",
            "ahead of the inflation report",
            "for the fiscal year",
            "amid currency swings",
            "before the opening bell",
            "in early trading",
        ],
        "hint": [
            "The loan repayments doubled after the rate change.",
            "Her savings barely kept up with prices this year.",
            "The spreadsheet showed a shortfall for the second month.",
            "He moved his retirement money into index funds.",
            "Mortgage offers vanished almost overnight.",
            "The accountant flagged three unpaid invoices.",
            "Prices at the pump pushed the budget into the red.",
            "They finally paid off the credit card.",
        ],
    },
    "health": {
        "who": [
            "The patient",
            "Doctors",
            "The clinic",
            "Nurses",
            "The hospital",
            "Researchers",
            "The pharmacist",
            "Her physician",
            "The vaccine trial",
            "The surgeon",
        ],
        "did": [
            "recommended more sleep and daily walks",
            "reported fewer cases of flu",
            "approved a new treatment",
            "recovered after the operation",
            "measured high blood pressure",
            "warned about sugary drinks",
            "expanded free screenings",
            "found the therapy reduced symptoms",
            "prescribed antibiotics",
            "started a programme against smoking",
        ],
        "when": [
            "this winter",
            "after the checkup",
            "in the emergency ward",
            "during the study",
            "for older adults",
            "at the community centre",
            "over six months",
            "during flu season",
        ],
        "hint": [
            "She finally slept through the night after weeks of coughing.",
            "He swapped the lift for the stairs and lost weight.",
            "The fever broke on the third day.",
            "They waited two hours to see someone about the rash.",
            "A glass of water before meals became his new habit.",
            "Her knee still ached after the long walk.",
            "The test results came back normal.",
            "He booked an appointment about the headaches.",
        ],
    },
    "technology": {
        "who": [
            "The chipmaker",
            "Engineers",
            "The software team",
            "The smartphone maker",
            "Developers",
            "The cloud provider",
            "Hackers",
            "The robotics lab",
            "The app",
            "Researchers in AI",
        ],
        "did": [
            "released a faster processor",
            "patched a critical security flaw",
            "shipped the new update",
            "launched a foldable phone",
            "moved the database to the cloud",
            "suffered a global outage",
            "open-sourced the language model",
            "built a robot that sorts parcels",
            "added end-to-end encryption",
            "rewrote the backend in Rust",
        ],
        "when": [
            "this week",
            "after months of testing",
            "at the developer conference",
            "for millions of users",
            "in the latest version",
            "overnight",
            "across all data centres",
            "before the holiday sales",
        ],
        "hint": [
            "The laptop fan spun up every time the page loaded.",
            "He restarted the router for the fourth time.",
            "Her password manager saved her after the breach.",
            "The build failed on a missing semicolon.",
            "Battery life doubled after the update.",
            "The chatbot answered before she finished typing.",
            "They moved the servers to a colder country.",
            "The printer finally connected to the network.",
        ],
    },
    "weather": {
        "who": [
            "Forecasters",
            "The storm",
            "Heavy rain",
            "A cold front",
            "The heatwave",
            "Strong winds",
            "Thick fog",
            "Snow",
            "The hurricane",
            "Thunderstorms",
        ],
        "did": [
            "brought flooding to low-lying streets",
            "closed the mountain roads",
            "pushed temperatures above forty degrees",
            "knocked out power lines",
            "delayed flights at the airport",
            "is expected to ease by the weekend",
            "left a layer of ice on the roads",
            "moved slowly up the coast",
            "triggered a yellow warning",
            "cleared to sunny skies",
        ],
        "when": [
            "this afternoon",
            "overnight",
            "across the north",
            "along the coast",
            "by Thursday",
            "through the weekend",
            "in the valleys",
            "for the third day",
        ],
        "hint": [
            "They cancelled the picnic and stayed indoors.",
            "Umbrellas turned inside out on the bridge.",
            "The garden hose froze solid by morning.",
            "Everyone slept with the windows wide open.",
            "The river rose to the top of the wall.",
            "He scraped the windscreen before breakfast.",
            "Dark clouds piled up over the hills.",
            "The sand was too hot to walk on barefoot.",
        ],
    },
}


# Subjects from one topic doing another topic's thing: "The football club cut its dividend" is finance.
# These sentences set the labelling rule (the action decides) and are what a keyword matcher gets wrong.
ACTORS = {
    "sports": ["The football club", "The Olympic committee", "The tennis federation", "The stadium owner"],
    "finance": ["The bank", "The investment fund", "The stock exchange", "The insurance company"],
    "health": ["The hospital", "The clinic", "The nursing home", "The pharmacy chain"],
    "technology": ["The chipmaker", "The software company", "The phone maker", "The data centre"],
    "weather": ["The weather service", "The ski resort", "The farm co-operative", "The ferry company"],
}
PLACES = {
    "sports": ["the stadium", "the training ground", "the race track"],
    "finance": ["the trading floor", "the bank's headquarters", "the stock exchange"],
    "health": ["the hospital", "the clinic", "the care home"],
    "technology": ["the data centre", "the chip factory", "the server farm"],
    "weather": ["the harbour", "the valley", "the coast road"],
}
WEATHER_EVENTS = ["flooded", "cut power to", "closed the roads around", "left snow piled outside", "tore the roof off"]


def mixed(rng: random.Random, topic: str, parts: dict[str, list[str]]) -> str:
    other = rng.choice([t for t in ACTORS if t != topic])
    if topic == "weather":
        return f"{rng.choice(parts['who'])} {rng.choice(WEATHER_EVENTS)} {rng.choice(PLACES[other])} {rng.choice(parts['when'])}."
    if topic == "sports":
        person = {"finance": "The banker", "health": "The surgeon", "technology": "The programmer", "weather": "The forecaster"}
        return f"{person[other]} {rng.choice(parts['did'])} {rng.choice(parts['when'])}."
    return f"{rng.choice(ACTORS[other])} {rng.choice(parts['did'])} {rng.choice(parts['when'])}."


def compose(rng: random.Random, topic: str, parts: dict[str, list[str]]) -> str:
    draw = rng.random()
    if draw < 0.2:
        return rng.choice(parts["hint"])
    if draw < 0.6:
        return mixed(rng, topic, parts)
    return f"{rng.choice(parts['who'])} {rng.choice(parts['did'])} {rng.choice(parts['when'])}."


def build() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    rows: list[dict[str, str]] = []
    for topic, parts in PARTS.items():
        seen: set[str] = set()
        while len(seen) < PER_TOPIC:
            seen.add(compose(rng, topic, parts))
        texts = sorted(seen)
        rng.shuffle(texts)
        n_test = round(PER_TOPIC * TEST_SHARE)
        rows += [{"text": t, "label": topic, "split": "test" if i < n_test else "train"} for i, t in enumerate(texts)]
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = build()
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "topic_sentences.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter((r["label"], r["split"]) for r in rows)
    print(f"wrote {len(rows)} sentences to {OUT / 'topic_sentences.jsonl'}")
    for topic in PARTS:
        print(f"  {topic:<11} train {counts[(topic, 'train')]:>3}  test {counts[(topic, 'test')]:>3}")


if __name__ == "__main__":
    main()
