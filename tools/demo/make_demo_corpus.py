#!/usr/bin/env python3
"""Writes the demo corpus: "An Almanac of the Salt Coast", a fictional gazetteer of towns.

The text is original and generated from the templates below, so it is free of third-party rights
(released CC0 with the rest of resources/demo). Each region becomes one document of about 2-4K tokens:
long enough to be a haystack past the demo model's trained length, and full of small checkable facts
(founding years, rivers, trades, keepers) that retrieval and synthesis can ask about.

The output is deterministic for a seed; the committed files are this script's output with the default
seed, so running it again changes nothing:  python3 tools/demo/make_demo_corpus.py
"""
import argparse
import pathlib
import random

ONSETS = ["b", "br", "c", "d", "dr", "f", "g", "gl", "h", "k", "l", "m", "n", "p", "r", "s", "st", "t",
          "th", "v", "w", "y", "z", "ar", "el", "or"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"]
CODAS = ["", "n", "r", "l", "m", "th", "ck", "ss", "nd", "rt", "ll", "wn"]
SUFFIXES = ["ford", "mouth", "wick", "by", "stead", "haven", "holm", "bridge", "cote", "ness", "more", "dale"]
FIRST_NAMES = ["Ada", "Bram", "Cora", "Dell", "Edwin", "Fenna", "Gus", "Hilde", "Ivo", "Jonas", "Kit", "Lise",
               "Mira", "Nils", "Orla", "Pim", "Quill", "Rosa", "Sten", "Tova", "Ulla", "Vic", "Wren", "Yara"]
TRADES = ["salt", "rope", "herring", "oysters", "slate", "wool", "barley", "cider", "amber", "glass", "timber",
          "honey", "linen", "peat", "kelp", "copper", "pottery", "sailcloth", "clocks", "candles"]
LANDMARKS = ["a round stone tower", "a covered market", "a chapel with a green spire", "a tide mill",
             "a narrow harbour wall", "a ropewalk a quarter of a mile long", "a lighthouse with a red cap",
             "a bridge of seven arches", "an old customs house", "a walled herb garden", "a windmill",
             "a library in a former granary", "a shingle spit", "a ferry landing", "a clock over the square"]
SEASONS = ["spring", "summer", "autumn", "winter"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEATHER = ["fog rolls in most mornings", "the wind rarely stops", "the summers are short and bright",
           "storms come from the west", "the winters are mild", "snow is rare but the rain is steady"]
EVENTS = ["a great flood", "a fire in the market", "a long drought", "a quarrel over fishing rights",
          "the arrival of the railway", "a hard winter", "the wreck of a grain ship", "a plague of rats"]
FESTIVALS = ["the Lantern Walk", "the Salt Fair", "the Blessing of the Boats", "the Apple Moot",
             "the Night of Bells", "the Kite Day", "the Herring Supper", "the Long Table"]


def word(rng):
    parts = [rng.choice(ONSETS), rng.choice(VOWELS), rng.choice(CODAS)]
    if rng.random() < 0.4:
        parts += [rng.choice(ONSETS[:18]), rng.choice(VOWELS)]
    return "".join(parts)


def town_name(rng, used):
    while True:
        name = (word(rng) + rng.choice(SUFFIXES)).capitalize()
        if name not in used:
            used.add(name)
            return name


def person(rng):
    return f"{rng.choice(FIRST_NAMES)} {word(rng).capitalize()}"


def town_entry(rng, name, region, river, neighbours):
    founded = rng.randint(1102, 1850)
    population = rng.randint(3, 90) * 100 + rng.randint(0, 99)
    trade, second = rng.sample(TRADES, 2)
    keeper = person(rng)
    landmark = rng.choice(LANDMARKS)
    festival = rng.choice(FESTIVALS)
    month = rng.choice(MONTHS)
    event = rng.choice(EVENTS)
    event_year = rng.randint(founded + 10, 1925)
    neighbour = rng.choice(neighbours) if neighbours else None
    sentences = [
        f"{name} lies on the {river} in the region of {region}.",
        rng.choice([f"It was founded in {founded}, and about {population} people live there today.",
                    f"The town dates from {founded}; its last count gave {population} inhabitants.",
                    f"Records first mention {name} in {founded}. Some {population} people now call it home."]),
        rng.choice([f"Its living comes from {trade}, and in lean years from {second}.",
                    f"Most households work in {trade}, though {second} is a close second.",
                    f"The town is known for {trade}; the older families also deal in {second}."]),
        f"Visitors remember {landmark}, which stands near the water.",
        rng.choice([f"Each {month} the town keeps {festival}.",
                    f"{festival} is held there every {month}, and people come from far along the coast.",
                    f"In {month} the streets fill for {festival}."]),
        rng.choice([f"The present keeper of the town records is {keeper}.",
                    f"{keeper} keeps the town's records and answers letters about its history.",
                    f"Questions about old deeds go to {keeper}, who keeps the records."]),
        rng.choice([f"In {event_year} {name} suffered {event}, and the older people still speak of it.",
                    f"The year {event_year} brought {event}; a stone by the quay marks it.",
                    f"Its worst year was {event_year}, the year of {event}."]),
        f"In {name} they say that {rng.choice(WEATHER)}.",
    ]
    if neighbour:
        sentences.append(rng.choice([f"The road east leads to {neighbour}, half a day on foot.",
                                     f"A ferry runs from {name} to {neighbour} twice a day in {rng.choice(SEASONS)}.",
                                     f"People of {name} and {neighbour} have married each other for centuries."]))
    body = sentences[:2]
    rest = sentences[2:]
    rng.shuffle(rest)
    body += rest
    return f"{name}\n\n" + " ".join(body) + "\n"


def region_document(rng, region, used, towns_per_region):
    rivers = [word(rng).capitalize() for _ in range(3)]
    intro = (f"The Region of {region}\n\n"
             f"{region} runs along the Salt Coast between the rivers {rivers[0]}, {rivers[1]} and {rivers[2]}. "
             f"This chapter of the almanac lists its towns with what their record keepers told us, "
             f"in the order a traveller meets them walking north.\n")
    names = []
    entries = []
    for _ in range(towns_per_region):
        name = town_name(rng, used)
        entries.append(town_entry(rng, name, region, rng.choice(rivers), names[-3:]))
        names.append(name)
    return intro + "\n" + "\n".join(entries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parents[2] / "resources/demo/corpus"))
    parser.add_argument("--regions", type=int, default=40)
    parser.add_argument("--towns-per-region", type=int, default=18)
    parser.add_argument("--seed", type=int, default=2412)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    used = set()
    for i in range(args.regions):
        region = town_name(rng, used)
        text = region_document(rng, region, used, args.towns_per_region)
        (out / f"almanac_{i + 1:02d}_{region.lower()}.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
