// RULER-lite samples (see ruler.h).
#include "rw/core/tasks/ruler.h"

#include <algorithm>
#include <set>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/tasks/passkey.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

struct TaskSpec {
  RulerTask task;
  std::string_view name;
  enum Haystack { Noise, Essay, Needle, None } haystack;
  enum Kind { Words, Numbers, Uuids } key, value;
  int num_k, num_v, num_q;
  std::int64_t gen_tokens;
};

constexpr TaskSpec kSpecs[] = {
    {RulerTask::NiahSingle1, "niah_single_1", TaskSpec::Noise, TaskSpec::Words, TaskSpec::Numbers, 1, 1, 1, 128},
    {RulerTask::NiahSingle2, "niah_single_2", TaskSpec::Essay, TaskSpec::Words, TaskSpec::Numbers, 1, 1, 1, 128},
    {RulerTask::NiahSingle3, "niah_single_3", TaskSpec::Essay, TaskSpec::Words, TaskSpec::Uuids, 1, 1, 1, 128},
    {RulerTask::NiahMultikey1, "niah_multikey_1", TaskSpec::Essay, TaskSpec::Words, TaskSpec::Numbers, 4, 1, 1, 128},
    {RulerTask::NiahMultikey2, "niah_multikey_2", TaskSpec::Needle, TaskSpec::Words, TaskSpec::Numbers, 1, 1, 1, 128},
    {RulerTask::NiahMultikey3, "niah_multikey_3", TaskSpec::Needle, TaskSpec::Uuids, TaskSpec::Uuids, 1, 1, 1, 128},
    {RulerTask::NiahMultivalue, "niah_multivalue", TaskSpec::Essay, TaskSpec::Words, TaskSpec::Numbers, 1, 4, 1, 128},
    {RulerTask::NiahMultiquery, "niah_multiquery", TaskSpec::Essay, TaskSpec::Words, TaskSpec::Numbers, 4, 1, 4, 128},
    {RulerTask::VariableTracking, "vt", TaskSpec::None, TaskSpec::Words, TaskSpec::Numbers, 0, 0, 0, 30},
    {RulerTask::CommonWords, "cwe", TaskSpec::None, TaskSpec::Words, TaskSpec::Numbers, 0, 0, 0, 120},
};

const TaskSpec& spec_of(RulerTask task) {
  for (const TaskSpec& s : kSpecs) {
    if (s.task == task) return s;
  }
  fail("RULER: unknown task {}", static_cast<int>(task));
}

// Key words (RULER draws adjective-noun keys from wonderwords; these are a small built-in list).
constexpr std::string_view kAdjectives[] = {
    "ancient", "bitter", "brave",  "bright",  "calm",    "careful",  "cheerful", "clever",   "cold",    "crisp",
    "curious", "damp",   "dark",   "deep",    "distant", "dusty",    "eager",    "early",    "elegant", "empty",
    "fancy",   "fierce", "flat",   "fragile", "fresh",   "friendly", "gentle",   "giant",    "glossy",  "golden",
    "grand",   "green",  "grumpy", "hidden",  "hollow",  "honest",   "humble",   "hungry",   "icy",     "jolly",
    "kind",    "large",  "lazy",   "little",  "lively",  "lonely",   "loud",     "lucky",    "massive", "mellow",
    "mighty",  "modern", "narrow", "noisy",   "odd",     "old",      "orange",   "pale",     "patient", "plain",
    "polite",  "proud",  "purple", "quick",   "quiet",   "rapid",    "rare",     "restless", "rich",    "rough",
    "round",   "rusty",  "sandy",  "scarlet", "shiny",   "short",    "silent",   "silver",   "simple",  "sleepy",
    "slow",    "smooth", "soft",   "sour",    "spicy",   "steady",   "sticky",   "strange",  "strong",  "sturdy",
    "sweet",   "swift",  "tall",   "tender",  "thin",    "tidy",     "tiny",     "vast",     "warm",    "wild"};
constexpr std::string_view kNouns[] = {
    "anchor",  "apple",  "arrow",    "badge",   "basket",   "beacon",  "bell",       "blanket", "boat",    "bottle",
    "bridge",  "bucket", "button",   "cabin",   "candle",   "canyon",  "castle",     "cellar",  "chair",   "cherry",
    "circle",  "cloud",  "comet",    "compass", "cottage",  "crayon",  "crystal",    "desert",  "diamond", "dragon",
    "drum",    "eagle",  "engine",   "falcon",  "feather",  "fence",   "field",      "flag",    "forest",  "fountain",
    "garden",  "gate",   "glacier",  "guitar",  "hammer",   "harbor",  "helmet",     "island",  "jacket",  "jungle",
    "kettle",  "kite",   "ladder",   "lantern", "lemon",    "library", "lighthouse", "magnet",  "maple",   "meadow",
    "mirror",  "monkey", "mountain", "needle",  "notebook", "ocean",   "orchard",    "otter",   "paddle",  "parrot",
    "pebble",  "pencil", "pepper",   "piano",   "pillow",   "planet",  "pocket",     "puzzle",  "rabbit",  "river",
    "rocket",  "saddle", "sail",     "shadow",  "shell",    "signal",  "spoon",      "statue",  "stone",   "teapot",
    "thunder", "tiger",  "tower",    "trumpet", "tunnel",   "valley",  "violin",     "wagon",   "window",  "zebra"};

/// RULER's numbers have seven digits; training items (SeedSpace::Training) get eight, so they never equal an
/// eval answer.
std::string random_of(SplitMix64& rng, TaskSpec::Kind kind, SeedSpace space) {
  if (kind == TaskSpec::Numbers)
    return std::to_string(space == SeedSpace::Eval ? rng.uniform(1'000'000, 9'999'999)
                                                   : rng.uniform(10'000'000, 99'999'999));
  if (kind == TaskSpec::Uuids) {  // UUID v4: version nibble 4, variant bits 10
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i) {
      int nibble = static_cast<int>(rng.uniform(0, 15));
      if (i == 12) nibble = 4;
      if (i == 16) nibble = 8 + (nibble & 3);
      if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
      out += kHex[nibble];
    }
    return out;
  }
  const auto a = kAdjectives[rng.uniform(0, std::size(kAdjectives) - 1)];
  const auto n = kNouns[rng.uniform(0, std::size(kNouns) - 1)];
  return std::string(a) + "-" + std::string(n);
}

/// `count` distinct keys of `kind` (retries on collisions).
std::vector<std::string> distinct(SplitMix64& rng, TaskSpec::Kind kind, int count, std::set<std::string>& used,
                                  SeedSpace space) {
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < count) {
    std::string k = random_of(rng, kind, space);
    if (used.insert(k).second) out.push_back(std::move(k));
  }
  return out;
}

/// `count` distinct words: the built-in words first (shuffled), then generated consonant-vowel words.
std::vector<std::string> random_words(SplitMix64& rng, std::int64_t count) {
  std::vector<std::string> pool;
  for (const auto w : kAdjectives) pool.emplace_back(w);
  for (const auto w : kNouns) pool.emplace_back(w);
  rng.shuffle(pool);
  std::set<std::string> used(pool.begin(), pool.end());
  static constexpr char kConsonants[] = "bdfgklmnprstvz", kVowels[] = "aeiou";
  while (static_cast<std::int64_t>(pool.size()) < count) {
    std::string w;
    const auto syllables = rng.uniform(2, 4);
    for (std::int64_t s = 0; s < syllables; ++s) {
      w += kConsonants[rng.uniform(0, 13)];
      w += kVowels[rng.uniform(0, 4)];
    }
    if (used.insert(w).second) pool.push_back(std::move(w));
  }
  pool.resize(static_cast<std::size_t>(count));
  return pool;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::string format_template(std::string t, std::string_view type_v, std::string_view context, std::string_view query) {
  // Placeholders are replaced left to right in one pass so a context containing "{query}" stays as it is.
  std::string out;
  std::size_t i = 0;
  while (i < t.size()) {
    if (t.compare(i, 15, "{type_needle_v}") == 0) {
      out += type_v;
      i += 15;
    } else if (t.compare(i, 9, "{context}") == 0) {
      out += context;
      i += 9;
    } else if (t.compare(i, 7, "{query}") == 0) {
      out += query;
      i += 7;
    } else {
      out += t[i++];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

/// Sentences of `text`: split after '.', '!' or '?' followed by a space (a small stand-in for nltk).
std::vector<std::string> split_sentences(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i + 1] == ' ') {
      out.push_back(text.substr(start, i + 1 - start));
      start = i + 2;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

/// Insertion indices for `n` needles into `slots` + 1 gaps: the first at depth, the others at random.
std::vector<std::int64_t> needle_slots(SplitMix64& rng, int n, std::int64_t slots, double depth_percent) {
  std::vector<std::int64_t> out{static_cast<std::int64_t>(static_cast<double>(slots) * depth_percent / 100.0)};
  for (int i = 1; i < n; ++i) out.push_back(rng.uniform(0, slots));
  return out;
}

}  // namespace

std::string_view ruler_task_name(RulerTask task) { return spec_of(task).name; }

RulerTask ruler_task_from_name(std::string_view name) {
  for (const TaskSpec& s : kSpecs) {
    if (s.name == name) return s.task;
  }
  std::string known;
  for (const TaskSpec& s : kSpecs) known += (known.empty() ? "" : ", ") + std::string(s.name);
  fail("unknown RULER task '{}' (expected one of {})", name, known);
}

std::vector<RulerTask> all_ruler_tasks() {
  std::vector<RulerTask> out;
  for (const TaskSpec& s : kSpecs) out.push_back(s.task);
  return out;
}

RulerText ruler_niah_text(std::string_view type_needle_v, std::string_view context, std::string_view query,
                          bool singular) {
  std::string t =
      "Some special magic {type_needle_v} are hidden within the following text. Make sure to memorize it. I will "
      "quiz you about the {type_needle_v} afterwards.\n{context}\nWhat are all the special magic {type_needle_v} for "
      "{query} mentioned in the provided text?";
  std::string prefix = " The special magic {type_needle_v} for {query} mentioned in the provided text are";
  std::string type(type_needle_v);
  if (singular) {
    for (std::string* s : {&t, &prefix}) {
      *s = replace_all(*s, "Some", "A");
      *s = replace_all(*s, "are all", "is");
      *s = replace_all(*s, "are", "is");
    }
    if (!type.empty() && type.back() == 's') type.pop_back();
  }
  return {format_template(t, type, context, query), format_template(prefix, type, "", query)};
}

std::string ruler_needle(std::string_view type_needle_v, std::string_view key, std::string_view value) {
  return "One of the special magic " + std::string(type_needle_v) + " for " + std::string(key) +
         " is: " + std::string(value) + ".";
}

RulerText ruler_vt_text(std::string_view context, std::string_view query, std::int64_t num_v) {
  return {"Memorize and track the chain(s) of variable assignment hidden in the following text.\n\n" +
              std::string(context) + "\nQuestion: Find all variables that are assigned the value " +
              std::string(query) + " in the text above.",
          " Answer: According to the chain(s) of variable assignment in the text above, " + std::to_string(num_v) +
              " variables are assigned the value " + std::string(query) + ", they are: "};
}

RulerText ruler_cwe_text(std::string_view context) {
  return {
      "Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones "
      "that appear most often.\n" +
          std::string(context) + "\nQuestion: What are the 10 most common words in the above list?",
      " Answer: The top 10 words that appear most often in the list are:"};
}

std::string ruler_join_queries(const std::vector<std::string>& queries) {
  RW_CHECK(!queries.empty(), "RULER: no queries");
  if (queries.size() == 1) return queries.front();
  return join({queries.begin(), queries.end() - 1}, ", ") + ", and " + queries.back();
}

RulerBuilder::RulerBuilder(const Tokenizer& tokenizer, std::string_view essay_text) : tokenizer_(tokenizer) {
  std::string word;
  for (const char c : essay_text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!word.empty()) essay_words_.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) essay_words_.push_back(std::move(word));
}

namespace {

RulerSample niah_sample(const TaskSpec& spec, const std::vector<std::string>& essay, std::int64_t units,
                        double depth_percent, SplitMix64& rng, SeedSpace space) {
  const int num_k = std::max(spec.num_k, spec.num_q);
  const std::string type_v = spec.value == TaskSpec::Uuids ? "uuids" : "numbers";
  std::set<std::string> used;
  const auto keys = distinct(rng, spec.key, num_k, used, space);
  std::vector<std::vector<std::string>> values;
  std::vector<std::string> needles;  // needles[0] belongs to keys[0], the first queried key
  for (const auto& key : keys) {
    values.push_back(distinct(rng, spec.value, spec.num_v, used, space));
    for (const auto& v : values.back()) needles.push_back(ruler_needle(type_v, key, v));
  }
  std::string context;
  if (spec.haystack == TaskSpec::Essay) {
    if (essay.empty()) fail("RULER {}: the essay haystack is empty", spec.name);
    std::vector<std::string> words;
    for (std::int64_t i = 0; i < units; ++i) words.push_back(essay[static_cast<std::size_t>(i) % essay.size()]);
    auto sents = split_sentences(join(words, " "));
    const auto slots =
        needle_slots(rng, static_cast<int>(needles.size()), static_cast<std::int64_t>(sents.size()), depth_percent);
    std::vector<std::pair<std::int64_t, std::size_t>> order;  // (slot, needle) in document order
    for (std::size_t i = 0; i < slots.size(); ++i) order.emplace_back(slots[i], i);
    std::stable_sort(order.begin(), order.end());
    std::vector<std::string> parts;
    std::int64_t last = 0;
    for (const auto& [slot, i] : order) {
      parts.push_back(join({sents.begin() + last, sents.begin() + slot}, " "));
      parts.push_back(needles[i]);
      last = slot;
    }
    parts.push_back(join({sents.begin() + last, sents.end()}, " "));
    context = join(parts, " ");
  } else {
    std::vector<std::string> lines;
    for (std::int64_t i = 0; i < units; ++i) {
      if (spec.haystack == TaskSpec::Noise) {
        lines.emplace_back(kPasskeyGarbage);
      } else {  // distractor needles with fresh keys and values
        const auto k = distinct(rng, spec.key, 1, used, space).front();
        lines.push_back(ruler_needle(type_v, k, distinct(rng, spec.value, 1, used, space).front()));
      }
    }
    auto slots = needle_slots(rng, static_cast<int>(needles.size()), units, depth_percent);
    std::vector<std::pair<std::int64_t, std::size_t>> order;
    for (std::size_t i = 0; i < slots.size(); ++i) order.emplace_back(slots[i], i);
    std::sort(order.rbegin(), order.rend());  // insert from the back so earlier indices stay valid
    for (const auto& [slot, i] : order) lines.insert(lines.begin() + slot, needles[i]);
    context = join(lines, "\n");
  }
  std::vector<std::string> queries(keys.begin(), keys.begin() + spec.num_q);
  RulerSample out;
  out.text = ruler_niah_text(type_v, context, ruler_join_queries(queries), spec.num_q * spec.num_v == 1);
  for (int q = 0; q < spec.num_q; ++q) out.references.insert(out.references.end(), values[q].begin(), values[q].end());
  out.max_new_tokens = spec.gen_tokens;
  return out;
}

/// One vt chain context: `noises` noise lines with the chain's lines at random sorted positions.
std::pair<std::string, std::vector<std::string>> vt_context(SplitMix64& rng, std::int64_t noises, int name_len,
                                                            std::string* value_out, SeedSpace space) {
  constexpr int kHops = 4;
  std::set<std::string> used;
  std::vector<std::string> vars;
  while (vars.size() < kHops + 1) {
    std::string v;
    for (int i = 0; i < name_len; ++i) v += static_cast<char>('A' + rng.uniform(0, 25));
    if (used.insert(v).second) vars.push_back(v);
  }
  // Five digits as in RULER; training items get six (never an eval answer).
  const std::string value =
      std::to_string(space == SeedSpace::Eval ? rng.uniform(10000, 99999) : rng.uniform(100000, 999999));
  std::vector<std::string> chain{"VAR " + vars[0] + " = " + value};
  for (int j = 0; j < kHops; ++j) chain.push_back("VAR " + vars[j + 1] + " = VAR " + vars[j] + " ");
  std::vector<std::string> lines(static_cast<std::size_t>(noises), std::string(kPasskeyGarbage) + "\n");
  std::vector<std::int64_t> pos;
  for (std::size_t j = 0; j < chain.size(); ++j) pos.push_back(rng.uniform(0, noises));
  std::sort(pos.begin(), pos.end());
  for (std::size_t j = 0; j < chain.size(); ++j)
    lines.insert(lines.begin() + pos[j] + static_cast<std::int64_t>(j), chain[j]);
  *value_out = value;
  return {replace_all(join(lines, "\n"), ". \n", ".\n"), vars};
}

/// cwe list "1. w1 2. w2 ..." with `common` words x common_rep and the rest x uncommon_rep, shuffled.
std::pair<std::string, std::vector<std::string>> cwe_context(SplitMix64& rng, std::int64_t num_words, int common_rep,
                                                             int uncommon_rep) {
  constexpr int kCommon = 10;
  const auto words = random_words(rng, num_words);
  std::vector<std::string> list;
  for (std::int64_t i = 0; i < num_words; ++i) {
    const int rep = i < kCommon ? common_rep : uncommon_rep;
    for (int r = 0; r < rep; ++r) list.push_back(words[static_cast<std::size_t>(i)]);
  }
  rng.shuffle(list);
  std::string ctx;
  for (std::size_t i = 0; i < list.size(); ++i) ctx += (i ? " " : "") + std::to_string(i + 1) + ". " + list[i];
  return {ctx, {words.begin(), words.begin() + std::min<std::int64_t>(kCommon, num_words)}};
}

}  // namespace

RulerSample RulerBuilder::sample(RulerTask task, std::int64_t units, double depth_percent, std::uint64_t seed,
                                 std::int64_t length, SeedSpace space) const {
  const TaskSpec& spec = spec_of(task);
  SplitMix64 rng(seed);
  if (task == RulerTask::VariableTracking) {
    // One in-context example with 3-letter names and a short noise, then the task (RULER's few-shot).
    std::string ex_value, value;
    auto [ex_ctx, ex_vars] = vt_context(rng, 5, 3, &ex_value, space);
    auto [ctx, vars] = vt_context(rng, units, 5, &value, space);
    const RulerText ex = ruler_vt_text(ex_ctx, ex_value, static_cast<std::int64_t>(ex_vars.size()));
    RulerText text = ruler_vt_text(ctx, value, static_cast<std::int64_t>(vars.size()));
    text.input = ex.input + ex.answer_prefix + join(ex_vars, " ") + "\n\n" + text.input;
    return {text, vars, spec.gen_tokens};
  }
  if (task == RulerTask::CommonWords) {
    const bool small = length < 4096;  // RULER's lighter repeats for short lengths
    auto [ex_ctx, ex_words] = small ? cwe_context(rng, 20, 3, 1) : cwe_context(rng, 40, 10, 3);
    auto [ctx, words] = small ? cwe_context(rng, units + 10, 6, 1) : cwe_context(rng, units + 10, 30, 3);
    const RulerText ex = ruler_cwe_text(ex_ctx);
    std::string answer;
    for (std::size_t i = 0; i < ex_words.size(); ++i)
      answer += (i ? " " : "") + std::to_string(i + 1) + ". " + ex_words[i];
    RulerText text = ruler_cwe_text(ctx);
    text.input = ex.input + ex.answer_prefix + " " + answer + "\n" + text.input;
    return {text, words, spec.gen_tokens};
  }
  return niah_sample(spec, essay_words_, units, depth_percent, rng, space);
}

EvalItem RulerBuilder::item(RulerTask task, std::int64_t length, double depth_percent, std::uint64_t seed,
                            ChatFormat format, SeedSpace space) const {
  const TaskSpec& spec = spec_of(task);
  const auto prompt_of = [&](std::int64_t units) {
    const RulerSample s = sample(task, units, depth_percent, seed, length, space);
    return task_prompt(format, s.text.input, s.text.answer_prefix);
  };
  const auto fits = [&](std::int64_t units) {
    const Prompt p = prompt_of(units);
    return static_cast<std::int64_t>(tokenizer_.encode(p.text, p.add_special_tokens).size()) + spec.gen_tokens <=
           length;
  };
  const std::int64_t units = largest_fitting(length, fits);  // every unit costs at least one token
  if (units < 0)
    fail("RULER {}: length {} is too short for the task template and {} tokens to generate", spec.name, length,
         spec.gen_tokens);
  const RulerSample s = sample(task, units, depth_percent, seed, length, space);
  EvalItem item;
  item.task = "ruler/" + std::string(spec.name);
  item.length = length;
  item.depth_percent = depth_percent;
  item.prompt = task_prompt(format, s.text.input, s.text.answer_prefix);
  item.max_new_tokens = s.max_new_tokens;
  item.score = {ScoreMethod::MatchAll, s.references};
  return item;
}

}  // namespace rw::core
