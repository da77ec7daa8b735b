#!/usr/bin/env python3
"""Reference answers for the tokenizer and chat-template tests (tests/core/tokenizer).

Subcommands (all exchange JSON files; strings are UTF-8):
  corpus --out FILE                 training text shared by the BPE and sentencepiece tests, one line each
  bpe --style S --dir D --texts T   train a byte-level BPE with HF `tokenizers` in the style S (llama3,
                                    qwen2, gpt2, gpt2_prefix), save D/tokenizer.json (+ tokenizer_config.json)
                                    and write D/expected.json with HF's ids/decodes for every text in T
  split-variants --dir D --texts T  one BPE trained without pre-tokenization, saved as D/<variant>/tokenizer.json
                                    with a Split pre-tokenizer per behaviour x invert (+ D/variants.json), each
                                    with D/<variant>/expected.json
  encode --tokenizer F --texts T --out O    HF `tokenizers` ids/decodes of T with an existing tokenizer.json
  sp --model M --texts T --out O    Python `sentencepiece` ids and decodes of T with a .model file
  chat --cases C --out O            transformers' apply_chat_template: each case names a "family" (the official
                                    templates below) or gives a "template" source with "bos_token"/"eos_token"
                                    (absent: not set) and optional "tools" (JSON, or JSON text)
  templates --out O                 {name: source} of every template below (families and other real ones)
  jinja --cases C --out O           render each case's "template" with its "variables" in transformers' own
                                    Jinja environment (trim_blocks, lstrip_blocks, loopcontrols, its tojson)

It is not used at runtime and is not a tokenizer implementation: the C++ side is checked against it.
"""
import argparse
import json
import sys
from pathlib import Path

# --- official chat templates (tokenizer_config.json "chat_template" of each model) -------------------

def _official_template(family):
    """The family's official template, from resources/chat/ (the same file Ropewalk compiles in)."""
    path = Path(__file__).resolve().parents[2] / "resources" / "chat" / f"{family}.jinja"
    return path.read_text(encoding="utf-8")


LLAMA2_TEMPLATE = _official_template("llama2")  # meta-llama/Llama-2-7b-chat-hf
# meta-llama/Meta-Llama-3-8B-Instruct (3.0; 3.1 adds a default "Cutting Knowledge Date" system block)
LLAMA3_TEMPLATE = _official_template("llama3")
MISTRAL_TEMPLATE = _official_template("mistral")  # mistralai/Mistral-7B-Instruct-v0.3
QWEN2_TEMPLATE = _official_template("qwen2")  # Qwen/Qwen2-7B-Instruct

CHAT_FAMILIES = {
    "llama2": (LLAMA2_TEMPLATE, "<s>", "</s>"),
    "llama3": (LLAMA3_TEMPLATE, "<|begin_of_text|>", "<|end_of_text|>"),
    "mistral": (MISTRAL_TEMPLATE, "<s>", "</s>"),
    "qwen2": (QWEN2_TEMPLATE, None, "<|im_end|>"),
}

# HuggingFaceTB/SmolLM2-135M-Instruct
SMOLLM2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# The Qwen2.5-Instruct template's layout (tools listed with tojson, namespace-free tool-response grouping by
# loop.index0 / loop.last), written here from the shipped template's structure.
QWEN25_TEMPLATE = """{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
    {%- for tool in tools %}
        {{- "\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
    {%- else %}
        {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

# deepseek-ai/DeepSeek-R1-Distill-Qwen-32B (namespace flags, str.split, "in", is none), as llama.cpp's
# models/templates keeps it
DEEPSEEK_R1_DISTILL_TEMPLATE = (
    "{% if not add_generation_prompt is defined -%}\n  {%- set add_generation_prompt = false -%}\n{%- endif -%}\n"
    "{%- set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') -%}\n"
    "{%- for message in messages -%}\n  {%- if message['role'] == 'system' -%}\n"
    "    {%- set ns.system_prompt = message['content'] -%}\n  {%- endif -%}\n{%- endfor -%}{{bos_token}}{{ns.system_prompt}}\n"
    "{%- for message in messages -%}\n  {%- if message['role'] == 'user' -%}\n"
    "    {%- set ns.is_tool = false -%}{{'<\uff5cUser\uff5c>' + message['content']}}\n  {%- endif -%}\n"
    "  {%- if message['role'] == 'assistant' and message['tool_calls'] -%}\n    {%- set ns.is_tool = false -%}\n"
    "    {%- for tool in message['tool_calls']-%}\n      {%- if not ns.is_first -%}\n"
    "        {{'<\uff5cAssistant\uff5c><\uff5ctool\u2581calls\u2581begin\uff5c><\uff5ctool\u2581call\u2581begin\uff5c>' + tool['type'] + '<\uff5ctool\u2581sep\uff5c>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<\uff5ctool\u2581call\u2581end\uff5c>'}}\n"
    "        {%- set ns.is_first = true -%}\n      {%- else -%}\n"
    "        {{'\\n' + '<\uff5ctool\u2581call\u2581begin\uff5c>' + tool['type'] + '<\uff5ctool\u2581sep\uff5c>' + tool['function']['name'] + '\\n' + '```json' + '\\n' + tool['function']['arguments'] + '\\n' + '```' + '<\uff5ctool\u2581call\u2581end\uff5c>'}}\n"
    "      {%- endif -%}\n    {%- endfor -%}\n    {{'<\uff5ctool\u2581calls\u2581end\uff5c><\uff5cend\u2581of\u2581sentence\uff5c>'}}\n  {%- endif -%}\n"
    "  {%- if message['role'] == 'assistant' and message['content'] is not none -%}\n"
    "    {%- if ns.is_tool -%}{{'<\uff5ctool\u2581outputs\u2581end\uff5c>' + message['content'] + '<\uff5cend\u2581of\u2581sentence\uff5c>'}}\n"
    "      {%- set ns.is_tool = false -%}\n    {%- else -%}\n      {%- set content = message['content'] -%}\n"
    "      {%- if '</think>' in content -%}\n        {%- set content = content.split('</think>')[-1] -%}\n"
    "      {%- endif -%}{{'<\uff5cAssistant\uff5c>' + content + '<\uff5cend\u2581of\u2581sentence\uff5c>'}}\n"
    "    {%- endif -%}\n  {%- endif -%}\n  {%- if message['role'] == 'tool' -%}\n    {%- set ns.is_tool = true -%}\n"
    "    {%- if ns.is_output_first -%}{{'<\uff5ctool\u2581outputs\u2581begin\uff5c><\uff5ctool\u2581output\u2581begin\uff5c>' + message['content'] + '<\uff5ctool\u2581output\u2581end\uff5c>'}}\n"
    "      {%- set ns.is_output_first = false -%}\n      {%- else -%}{{'\\n<\uff5ctool\u2581output\u2581begin\uff5c>' + message['content'] + '<\uff5ctool\u2581output\u2581end\uff5c>'}}\n"
    "    {%- endif -%}\n  {%- endif -%}\n{%- endfor -%}\n{%- if ns.is_tool -%}{{'<\uff5ctool\u2581outputs\u2581end\uff5c>'}}\n"
    "{%- endif -%}\n{%- if add_generation_prompt and not ns.is_tool -%}{{'<\uff5cAssistant\uff5c><think>\\n'}}\n{%- endif %}"
)

# Every template the parity tests render (chat --cases with "template", and the templates command).
TEMPLATES = {
    "llama2": LLAMA2_TEMPLATE,
    "llama3": LLAMA3_TEMPLATE,
    "mistral": MISTRAL_TEMPLATE,
    "qwen2": QWEN2_TEMPLATE,
    "smollm2": SMOLLM2_TEMPLATE,
    "qwen25": QWEN25_TEMPLATE,
    "deepseek_r1_distill": DEEPSEEK_R1_DISTILL_TEMPLATE,
}

# --- byte-level BPE styles --------------------------------------------------------------------------

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)

CORPUS_PARAGRAPHS = [
    "The quick brown fox jumps over the lazy dog. It's the dog's day, isn't it? They'll see; we'd know.",
    "In 2024 the budget was 1234567 dollars, up 12.5% from 987654 in 2023; call 555-0199 or +44 20 7946 0958.",
    "def tokenize(text):\n    words = text.split()\n    for i, w in enumerate(words):\n\tprint(i, w)\n    return words",
    "class Vocab {\n  public:\n    int size() const { return n_; }\n  private:\n    int n_ = 0;  // count\n};",
    "Le café était fermé; l'élève naïve a vu un cœur brisé à Noël. Über Straße und Ångström, Øre, ñandú.",
    "日本語の文章を分割します。中文分词也很重要，我们需要处理汉字。한국어 문장도 있습니다.",
    "Emoji: 😀 😂 🙂 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️‍🔥 🇩🇪 — they are sequences, not single code points!",
    "Whitespace   runs,\ttabs\t\tand\n\nnewlines\r\nshould all survive    the round trip.   ",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name ORDER BY 2 DESC LIMIT 10;",
    "Κείμενο στα ελληνικά και текст на русском языке, plus עברית and العربية for good measure.",
]


def corpus_lines(extra_texts=()):
    lines = []
    for rep in range(4):
        for p in CORPUS_PARAGRAPHS:
            lines.extend(p.split("\n") if rep % 2 else [p.replace("\n", " ")])
    for t in extra_texts:
        lines.extend(line for line in t.split("\n") if line)
    return lines


def train_bpe(style, texts):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers import processors, trainers

    tok = Tokenizer(models.BPE())
    config = {}
    if style == "llama3":
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
        ])
        config = {"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|eot_id|>", "special": True}}
    elif style == "qwen2":
        specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ])
        config = {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
    elif style in ("gpt2", "gpt2_prefix"):
        specials = ["<|endoftext|>"]
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=style == "gpt2_prefix", use_regex=True)
        config = {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}
    else:
        raise SystemExit(f"unknown style {style}")
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=2, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus_lines(texts), trainer)
    if style == "llama3":
        bos = tok.token_to_id("<|begin_of_text|>")
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                          special_tokens=[("<|begin_of_text|>", bos)]),
        ])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    if style == "qwen2":  # a non-special token matched on NFC text: "cafe\u0301" must find it
        tok.add_tokens([AddedToken("café au lait", normalized=True, special=False)])
    if style == "gpt2_prefix":  # RoBERTa's <mask>: lstrip eats the spaces before it
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    data = json.loads(tok.to_str())
    if style == "llama3":
        data["model"]["ignore_merges"] = True
    if style == "gpt2_prefix":  # the legacy "a b" merges spelling
        data["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    return data, config


def encode_all(tokenizer_file, texts):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_file))  # reload: the file, not the in-memory object, is the reference
    cases = []
    for text in texts:
        plain = tok.encode(text, add_special_tokens=False).ids
        special = tok.encode(text, add_special_tokens=True).ids
        cases.append({
            "text": text,
            "ids": plain,
            "tokens": [tok.id_to_token(i) for i in plain],
            "ids_special": special,
            "decoded": tok.decode(plain, skip_special_tokens=False),
            "decoded_special_keep": tok.decode(special, skip_special_tokens=False),
            "decoded_special_skip": tok.decode(special, skip_special_tokens=True),
            # what a streaming caller sees after each id: partial UTF-8 sequences decode to U+FFFD
            "prefix_decodes": [tok.decode(plain[:k], skip_special_tokens=False) for k in range(1, len(plain) + 1)] if len(plain) <= 80 else [],
        })
    return {"vocab_size": tok.get_vocab_size(with_added_tokens=True), "cases": cases}


def read_texts(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_json(path, value):
    Path(path).write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def cmd_corpus(args):
    Path(args.out).write_text("\n".join(corpus_lines(read_texts(args.texts) if args.texts else ())) + "\n",
                              encoding="utf-8")


def cmd_bpe(args):
    texts = read_texts(args.texts)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    data, config = train_bpe(args.style, texts)
    write_json(out / "tokenizer.json", data)
    write_json(out / "tokenizer_config.json", config)
    write_json(out / "expected.json", encode_all(out / "tokenizer.json", texts))


SPLIT_BEHAVIORS = ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]


def cmd_split_variants(args):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = read_texts(args.texts)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    # No pre-tokenization while training, so merges span spaces and punctuation and the ids depend on
    # exactly where each Split behaviour cuts.
    trainer = trainers.BpeTrainer(vocab_size=900, min_frequency=2, max_token_length=6, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus_lines(texts), trainer)
    base = json.loads(tok.to_str())
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    variants = []
    for pattern_name, pattern in (("regex", {"Regex": r"\p{P}+|\s+"}), ("string", {"String": " "})):
        for behavior in SPLIT_BEHAVIORS:
            for invert in (False, True):
                if pattern_name == "string" and invert:
                    continue
                name = f"{pattern_name}_{behavior}{'_invert' if invert else ''}"
                data = json.loads(json.dumps(base))
                data["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
                    {"type": "Split", "pattern": pattern, "behavior": behavior, "invert": invert}, byte_level]}
                out = Path(args.dir) / name
                out.mkdir(parents=True, exist_ok=True)
                write_json(out / "tokenizer.json", data)
                write_json(out / "expected.json", encode_all(out / "tokenizer.json", texts))
                variants.append(name)
    write_json(Path(args.dir) / "variants.json", variants)


def cmd_encode(args):
    write_json(args.out, encode_all(args.tokenizer, read_texts(args.texts)))


def cmd_sp(args):
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=args.model)
    cases = []
    for text in read_texts(args.texts):
        ids = sp.encode(text)
        cases.append({"text": text, "ids": ids, "pieces": [sp.id_to_piece(i) for i in ids], "decoded": sp.decode(ids)})
    write_json(args.out, {"piece_size": sp.get_piece_size(), "bos_id": sp.bos_id(), "eos_id": sp.eos_id(),
                          "unk_id": sp.unk_id(), "cases": cases})


def chat_tokenizer(bos, eos):
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(t for t in ("<unk>", bos, eos) if t)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=bos, eos_token=eos, unk_token="<unk>")


def error_result(e):
    # "message" is what the template passed to raise_exception (str of a TemplateError)
    return {"error": f"{type(e).__name__}: {e}", "message": str(e)}


def cmd_chat(args):
    results = []
    tokenizers = {}
    for case in json.loads(Path(args.cases).read_text(encoding="utf-8")):
        if "family" in case:
            template, bos, eos = CHAT_FAMILIES[case["family"]]
        else:
            template, bos, eos = case["template"], case.get("bos_token"), case.get("eos_token")
        if (bos, eos) not in tokenizers:
            tokenizers[(bos, eos)] = chat_tokenizer(bos, eos)
        tok = tokenizers[(bos, eos)]
        tools = case.get("tools")
        if isinstance(tools, str):  # JSON text keeps the caller's key order (a Qt JSON object would sort it)
            tools = json.loads(tools)
        try:
            text = tok.apply_chat_template(case["messages"], chat_template=template, tokenize=False,
                                           add_generation_prompt=case["add_generation_prompt"],
                                           tools=tools)
            results.append({"text": text})
        except Exception as e:  # the template raised (e.g. roles not alternating)
            results.append(error_result(e))
    write_json(args.out, results)


def cmd_templates(args):
    write_json(args.out, TEMPLATES)


def cmd_jinja(args):
    from transformers.utils.chat_template_utils import _compile_jinja_template

    results = []
    for case in json.loads(Path(args.cases).read_text(encoding="utf-8")):
        # the variables transformers always passes, as the C++ side does (one message: an empty conversation
        # is refused before the template runs)
        variables = {"messages": [{"role": "user", "content": "x"}], "add_generation_prompt": False, "tools": None, "documents": None,
                     **case.get("variables", {})}
        try:
            results.append({"text": _compile_jinja_template(case["template"]).render(**variables)})
        except Exception as e:
            results.append(error_result(e))
    write_json(args.out, results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("corpus")
    p.add_argument("--out", required=True)
    p.add_argument("--texts")
    p.set_defaults(func=cmd_corpus)
    p = sub.add_parser("bpe")
    p.add_argument("--style", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--texts", required=True)
    p.set_defaults(func=cmd_bpe)
    p = sub.add_parser("split-variants")
    p.add_argument("--dir", required=True)
    p.add_argument("--texts", required=True)
    p.set_defaults(func=cmd_split_variants)
    p = sub.add_parser("encode")
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_encode)
    p = sub.add_parser("sp")
    p.add_argument("--model", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_sp)
    p = sub.add_parser("chat")
    p.add_argument("--cases", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("templates")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_templates)
    p = sub.add_parser("jinja")
    p.add_argument("--cases", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_jinja)
    args = parser.parse_args()
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
