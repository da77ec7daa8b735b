// Retrieval training tasks as chat samples, each filled to its target length and drawn from the training
// seed space (eval_grid.h), so no sample carries an eval item's answer:
//   needle_chat  the gkamradt NIAH conversation (system prompt, context turn, question turn, reply) over runs
//                of corpus sentences, with a needle "One of the special magic numbers for KEY is: VALUE." at
//                a random sentence boundary (RULER's needle phrasing; keys pseudo-words, values 5 digits);
//   passkey      the Landmark passkey prompt as a user turn and "The pass key is N." as the reply;
//   RULER tasks  RULER-lite's text (ruler.h) as the user turn and its answer prefix + answers as the reply.
// The haystack, needles and question are segments; corpus text keeps its document and bytes.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "rw/core/synth/synthesizer.h"
#include "rw/core/tasks/default_haystack.h"
#include "rw/core/tasks/niah.h"
#include "rw/core/tasks/passkey.h"
#include "rw/core/tasks/ruler.h"
#include "text_scan.h"

namespace rw::core {
namespace {

using json = nlohmann::json;

std::string pseudo_word(SplitMix64& rng) {
  static constexpr std::string_view kConsonants = "bcdfghklmnprstvw", kVowels = "aeiou";
  std::string word;
  const std::int64_t syllables = rng.uniform(2, 3);
  for (std::int64_t i = 0; i < syllables; ++i) {
    word += kConsonants[static_cast<size_t>(rng.uniform(0, static_cast<std::int64_t>(kConsonants.size()) - 1))];
    word += kVowels[static_cast<size_t>(rng.uniform(0, static_cast<std::int64_t>(kVowels.size()) - 1))];
  }
  word[0] = static_cast<char>(word[0] - 'a' + 'A');
  return word;
}

using synth_text::is_space;

struct Sentence {
  std::int64_t corpus_index = 0;
  std::int64_t begin = 0, end = 0;  // bytes of the document; end just after the closing period
};

/// A document's sentences: runs ending in '.' followed by whitespace (or the document's end).
void split_sentences(const std::string& text, std::int64_t corpus_index, std::vector<Sentence>& out) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    size_t end = i;
    while (end < text.size() && !(text[end] == '.' && (end + 1 == text.size() || is_space(text[end + 1])))) ++end;
    end = std::min(end + 1, text.size());
    out.push_back({corpus_index, static_cast<std::int64_t>(i), static_cast<std::int64_t>(end)});
    i = end;
  }
}

SynthSample needle_chat(Synthesizer& synth, std::int64_t index, SplitMix64& rng) {
  CorpusTexts& corpus = synth.corpus();
  const std::int64_t target = synth.config().length_of(index);
  const std::int64_t first_document = rng.uniform(0, corpus.size() - 1);
  const std::string key = pseudo_word(rng);
  const std::int64_t value = rng.uniform(10000, 99999);
  const double depth = rng.unit();
  const std::string needle = ruler_needle("numbers", key, std::to_string(value));
  const std::string question = fmt::format("What is the special magic number for {} mentioned in the provided text?", key);
  const std::string answer = fmt::format("The special magic number for {} is: {}.", key, value);

  // Sentences from a random one of the first document on, through the following documents as needed.
  std::vector<Sentence> sentences;
  std::int64_t documents_read = 0;
  const auto read_until = [&](std::int64_t count) {
    while (static_cast<std::int64_t>(sentences.size()) < count && documents_read < corpus.size()) {
      const std::int64_t d = (first_document + documents_read++) % corpus.size();
      split_sentences(corpus.text(d), d, sentences);
    }
  };
  read_until(1);
  if (sentences.empty()) throw SampleShortfall(fmt::format("corpus '{}' holds no sentences", corpus.name()));
  const std::int64_t start = rng.uniform(0, static_cast<std::int64_t>(sentences.size()) - 1);
  const auto build = [&](std::int64_t units) {
    read_until(start + units);
    units = std::min(units, static_cast<std::int64_t>(sentences.size()) - start);
    const auto at = std::min(units, static_cast<std::int64_t>(depth * static_cast<double>(units + 1)));
    SegmentedText context(1);
    const auto add_run = [&](std::int64_t from, std::int64_t to) {  // sentences [from, to) as runs per document
      for (std::int64_t s = from; s < to;) {
        std::int64_t e = s;
        const Sentence& head = sentences[static_cast<size_t>(start + s)];
        while (e + 1 < to && sentences[static_cast<size_t>(start + e + 1)].corpus_index == head.corpus_index) ++e;
        const Sentence& tail = sentences[static_cast<size_t>(start + e)];
        if (context.size() > 0) context.plain(" ");
        const std::string& doc = corpus.text(head.corpus_index);
        context.add(std::string_view(doc).substr(static_cast<size_t>(head.begin), static_cast<size_t>(tail.end - head.begin)),
                    "document", "{}", corpus.id(head.corpus_index), head.begin, tail.end);
        s = e + 1;
      }
    };
    add_run(0, at);
    if (context.size() > 0) context.plain(" ");
    context.add(needle, "needle", json{{"key", key}, {"value", value}, {"sentence", at}}.dump());
    add_run(at, units);
    SynthSample sample;
    sample.messages = {{"system", std::string(kNiahSystemPrompt)},
                       {"user", context.text()},
                       {"user", question + std::string(kNiahQuestionSuffix)},
                       {"assistant", answer}};
    sample.segments = {{.message_index = 0, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(kNiahSystemPrompt.size()), .kind = "instruction"}};
    for (SampleSegment& g : context.segments()) sample.segments.push_back(std::move(g));
    sample.segments.push_back({.message_index = 2, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(question.size()), .kind = "question"});
    sample.segments.push_back({.message_index = 3, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(answer.size()), .kind = "answer"});
    sample.meta_json = json{{"task", "needle_chat"}, {"corpus", corpus.name()}, {"key", key}, {"value", value},
                            {"sentences", units}, {"needle_sentence", at}}.dump();
    return sample;
  };
  // Every sentence costs at least one token, so the target bounds the count.
  const std::int64_t units = largest_fitting(
      target, [&](std::int64_t n) { return synth.count_tokens(build(n).messages) <= target; });
  if (units < 0)
    throw SampleShortfall(fmt::format("the needle chat without any haystack takes more than the target {} tokens", target));
  SynthSample sample = build(units);
  // Within about a sentence of the target; less means the corpus ran out of sentences.
  if (synth.count_tokens(sample.messages) < target * 9 / 10)
    throw SampleShortfall(fmt::format("corpus '{}' has too few sentences to fill {} tokens", corpus.name(), target));
  return sample;
}

/// The enclosing sentence or line of every occurrence of each reference in `text` (the needles of a RULER
/// text), each labelled once.
void label_needles(SegmentedText& text, const std::vector<std::string>& references, std::int64_t from, std::int64_t to) {
  std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
  const std::string& t = text.text();
  for (const std::string& ref : references) {
    if (ref.empty()) continue;
    for (size_t at = t.find(ref, static_cast<size_t>(from)); at != std::string::npos && static_cast<std::int64_t>(at) < to;
         at = t.find(ref, at + ref.size())) {
      size_t begin = at, end = at + ref.size();
      while (begin > static_cast<size_t>(from) && t[begin - 1] != '\n' && !(t[begin - 1] == ' ' && begin >= 2 && t[begin - 2] == '.')) --begin;
      while (end < static_cast<size_t>(to) && t[end - 1] != '.' && t[end] != '\n') ++end;
      ranges.emplace_back(static_cast<std::int64_t>(begin), static_cast<std::int64_t>(end));
    }
  }
  std::sort(ranges.begin(), ranges.end());
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  std::int64_t covered = -1;
  for (const auto& [b, e] : ranges) {
    if (b < covered) continue;  // nested in one already labelled
    text.label(b, e, "needle");
    covered = e;
  }
}

/// A task text whose first line is the instruction and last line the question, with the haystack between.
SynthSample instruction_haystack_question(std::string_view input, std::string answer,
                                          const std::vector<std::string>& needle_refs, json meta) {
  SegmentedText user(0);
  user.plain(input);
  const auto first_break = static_cast<std::int64_t>(input.find('\n'));
  const auto last_break = static_cast<std::int64_t>(input.rfind('\n'));
  if (first_break > 0) user.label(0, first_break, "instruction");
  if (last_break >= 0 && last_break + 1 < user.size()) user.label(last_break + 1, user.size(), "question");
  label_needles(user, needle_refs, std::max<std::int64_t>(first_break, 0), std::max<std::int64_t>(last_break, 0));
  SynthSample sample;
  sample.messages = {{"user", std::string(input)}, {"assistant", answer}};
  sample.segments = user.segments();
  sample.segments.push_back({.message_index = 1, .byte_begin = 0, .byte_end = static_cast<std::int64_t>(answer.size()), .kind = "answer"});
  sample.meta_json = meta.dump();
  return sample;
}

SynthSample passkey(Synthesizer& synth, std::int64_t index, SplitMix64& rng) {
  const std::int64_t target = synth.config().length_of(index);
  const std::int64_t key = draw_pass_key(rng, SeedSpace::Training);
  const double depth = rng.unit();
  constexpr std::string_view kReplyStart = " The pass key is";  // the prompt's completion cue becomes the reply
  const std::string answer = fmt::format("The pass key is {}.", key);
  const auto build = [&](std::int64_t n_garbage) {
    std::string prompt = passkey_prompt(n_garbage, static_cast<std::int64_t>(depth * static_cast<double>(n_garbage)), key);
    prompt.resize(prompt.size() - kReplyStart.size());
    return instruction_haystack_question(prompt, answer, {std::to_string(key)},
                                         {{"task", "passkey"}, {"pass_key", key}, {"garbage_chars", n_garbage}});
  };
  const std::int64_t n = largest_fitting(target * 16, [&](std::int64_t g) { return synth.count_tokens(build(g).messages) <= target; });
  if (n < 0) throw SampleShortfall(fmt::format("the passkey template alone takes more than the target {} tokens", target));
  return build(n);
}

SynthSample ruler(Synthesizer& synth, std::int64_t index, RulerTask task, SplitMix64& rng) {
  const std::int64_t target = synth.config().length_of(index);
  std::string essay;
  if (synth.config().tasks.corpus.empty()) {
    essay = std::string(builtin_haystack_text());
  } else {
    CorpusTexts& corpus = synth.corpus();
    for (std::int64_t i = 0; i < corpus.size() && essay.size() < static_cast<size_t>(target) * 8; ++i) essay += corpus.text(i) + "\n";
  }
  const RulerBuilder builder(synth.tokenizer(), essay);
  const double depth = rng.unit() * 100;
  const std::uint64_t seed = rng.next();
  const auto build = [&](std::int64_t units) {
    const RulerSample s = builder.sample(task, units, depth, seed, target, SeedSpace::Training);
    std::string prefix = s.text.answer_prefix;
    prefix.erase(0, prefix.find_first_not_of(' '));
    std::string answer = prefix;
    for (size_t i = 0; i < s.references.size(); ++i) answer += (i == 0 ? " " : ", ") + s.references[i];
    answer += ".";
    return instruction_haystack_question(
        s.text.input, answer, task == RulerTask::CommonWords ? std::vector<std::string>{} : s.references,
        {{"task", ruler_task_name(task)}, {"units", units}, {"depth_percent", depth}, {"references", s.references}});
  };
  const std::int64_t units = largest_fitting(target, [&](std::int64_t u) { return synth.count_tokens(build(u).messages) <= target; });
  if (units < 0) throw SampleShortfall(fmt::format("RULER {} without a haystack takes more than the target {} tokens", ruler_task_name(task), target));
  return build(units);
}

}  // namespace

SynthSample make_task_sample(Synthesizer& synth, std::int64_t index) {
  const auto& tasks = synth.config().tasks.tasks;
  const std::string& task = tasks[static_cast<size_t>(index % static_cast<std::int64_t>(tasks.size()))];
  SplitMix64 rng(synth.sample_seed(index));
  if (task == "needle_chat") return needle_chat(synth, index, rng);
  if (task == "passkey") return passkey(synth, index, rng);
  return ruler(synth, index, ruler_task_from_name(task), rng);
}

}  // namespace rw::core
