#!/usr/bin/env python3
"""Writes short retrieval SFT samples (JSONL, OpenAI "messages" layout) over the demo corpus.

Each sample is a window of 1-13 sentences of one almanac document with one needle sentence
"One of the special magic numbers for KEY is: VALUE." (RULER's niah phrasing) at a random sentence
boundary, then the gkamradt NIAH conversation: the system prompt, the context as a user turn, the
question as a second user turn, and the reply "The special magic number for KEY is: VALUE.". Keys are
random pseudo-words and values random 5-digit numbers, so a model can only answer by reading the
context. Rendered in Ropewalk's plain chat format the samples fit in 256 tokens of the demo tokenizer.
"""
import argparse
import json
import pathlib
import random
import re

SYSTEM = "You are a helpful AI bot that answers questions for a user. Keep your response short and direct"
SUFFIX = " Don't give information outside the document or repeat your findings"


def pseudo_word(rng):
    syllables = rng.randint(2, 3)
    return "".join(rng.choice("bcdfghklmnprstvw") + rng.choice("aeiou") for _ in range(syllables)).capitalize()


def main():
    root = pathlib.Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--corpus", default=str(root / "resources/demo/corpus"))
    parser.add_argument("--samples", type=int, default=40000)
    parser.add_argument("--max-sentences", type=int, default=13)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    documents = []
    for path in sorted(pathlib.Path(args.corpus).glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        documents.append(re.split(r"(?<=\.) ", text))
    with open(args.out, "w", encoding="utf-8") as out:
        for _ in range(args.samples):
            sentences = rng.choice(documents)
            count = rng.randint(1, args.max_sentences)
            start = rng.randint(0, max(0, len(sentences) - count))
            context = sentences[start:start + count]
            key, value = pseudo_word(rng), rng.randint(10000, 99999)
            at = rng.randint(0, len(context))
            context.insert(at, f"One of the special magic numbers for {key} is: {value}.")
            question = f"What is the special magic number for {key} mentioned in the provided text?"
            messages = [{"role": "system", "content": SYSTEM},
                        {"role": "user", "content": " ".join(context)},
                        {"role": "user", "content": question + SUFFIX},
                        {"role": "assistant", "content": f"The special magic number for {key} is: {value}."}]
            out.write(json.dumps({"messages": messages}) + "\n")


if __name__ == "__main__":
    main()
