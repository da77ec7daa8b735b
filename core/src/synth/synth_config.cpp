// Synth config: strict parsing and JSON writing (see synth_config.h; keys in docs/synth-config.md).
#include "rw/core/synth/synth_config.h"

#include <algorithm>

#include "rw/core/tasks/ruler.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/strict_json.h"

namespace rw::core {
namespace {

using strict_json::json;
using strict_json::ObjectReader;
using ordered_json = nlohmann::ordered_json;

constexpr int kLatestFormat = 1;
// 1M tokens, the longest context the three papers train for; each sample is sized by tokenizing it whole
// several times, which past this takes minutes and gigabytes per sample.
constexpr std::int64_t kMaxLength = 1 << 20;
constexpr std::int64_t kMaxSamples = 100'000'000;

constexpr std::pair<std::string_view, SynthGenerator> kGenerators[] = {
    {"tasks", SynthGenerator::Tasks},
    {"cip", SynthGenerator::Cip},
    {"synl", SynthGenerator::Synl},
    {"bootstrap", SynthGenerator::Bootstrap}};
constexpr std::pair<std::string_view, SynthBootstrap::Variant> kVariants[] = {
    {"multi_document", SynthBootstrap::Variant::MultiDocument}, {"long_output", SynthBootstrap::Variant::LongOutput}};
constexpr std::pair<std::string_view, SynthCip::Order> kCipOrders[] = {{"round_robin", SynthCip::Order::RoundRobin},
                                                                       {"random", SynthCip::Order::Random}};

bool is_task_name(std::string_view name) {
  if (name == "needle_chat" || name == "passkey") return true;
  const auto ruler = all_ruler_tasks();
  return std::any_of(ruler.begin(), ruler.end(), [&](RulerTask t) { return ruler_task_name(t) == name; });
}

std::vector<std::string_view> task_names() {
  std::vector<std::string_view> names = {"needle_chat", "passkey"};
  for (const RulerTask t : all_ruler_tasks()) names.push_back(ruler_task_name(t));
  return names;
}

void parse_tasks(const ObjectReader& in, SynthTasks& t) {
  in.refuse_unknown_keys({"tasks", "corpus"});
  in.read("tasks", t.tasks);
  in.check(!t.tasks.empty(), "tasks", "must list at least one task");
  const auto names = task_names();
  for (size_t i = 0; i < t.tasks.size(); ++i) {
    if (!is_task_name(t.tasks[i])) in.refuse_choice(fmt::format("tasks[{}]", i), t.tasks[i], names);
  }
  in.read("corpus", t.corpus);
  const bool needs_corpus = std::find(t.tasks.begin(), t.tasks.end(), "needle_chat") != t.tasks.end();
  in.check(!needs_corpus || !t.corpus.empty(), "corpus",
           "is required for the needle_chat task (its haystack is a corpus's sentences)");
}

void parse_cip(const ObjectReader& in, SynthCip& c) {
  in.refuse_unknown_keys({"corpus", "chunk_tokens", "documents", "order"});
  c.corpus = in.required<std::string>("corpus");
  in.check(!c.corpus.empty(), "corpus", "must not be empty");
  in.read("chunk_tokens", c.chunk_tokens);
  in.check(c.chunk_tokens > 0, "chunk_tokens", "must be positive, got {}", c.chunk_tokens);
  in.read("documents", c.documents);
  in.check(c.documents >= 2, "documents", "must be at least 2 (chunks of one document are not interleaved), got {}",
           c.documents);
  in.read_choice("order", c.order, kCipOrders);
}

template <typename E>
std::vector<E> parse_names(const ObjectReader& in, std::string_view key, E (*from_name)(std::string_view)) {
  std::vector<std::string> names;
  in.read(key, names);
  in.check(!names.empty(), key, "must list at least one");
  std::vector<E> out;
  for (size_t i = 0; i < names.size(); ++i) {
    try {
      out.push_back(from_name(names[i]));
    } catch (const Error& e) {
      in.fail_at(fmt::format("{}[{}]", key, i), e.what());
    }
  }
  return out;
}

void parse_synl(const ObjectReader& in, SynthSynl& s) {
  in.refuse_unknown_keys({"formats", "questions", "questions_per_sample"});
  if (in.has("formats")) s.formats = parse_names<TableFormat>(in, "formats", table_format_from_name);
  if (in.has("questions")) s.questions = parse_names<TableQuestionType>(in, "questions", table_question_from_name);
  in.read("questions_per_sample", s.questions_per_sample);
  in.check(s.questions_per_sample >= 1 && s.questions_per_sample <= 100, "questions_per_sample",
           "must be within 1..100, got {}", s.questions_per_sample);
}

void parse_bootstrap(const ObjectReader& in, SynthBootstrap& b) {
  in.refuse_unknown_keys({"model", "prompt_format", "corpus", "variant", "queries", "top_k", "passage_tokens",
                          "instruction_tokens", "summary_tokens", "answer_tokens", "temperature", "distractors",
                          "min_answer_chars", "max_answer_chars", "refusals", "answer_in_documents"});
  b.model = in.required<std::string>("model");
  in.check(!b.model.empty(), "model", "must name the generator model's folder");
  in.read("prompt_format", b.prompt_format);
  in.check(b.prompt_format == "model" || b.prompt_format == "auto" || find_value(kChatFormatNames, b.prompt_format),
           "prompt_format", "must be model, auto or one of {}, got \"{}\"", name_choices(kChatFormatNames),
           b.prompt_format);
  b.corpus = in.required<std::string>("corpus");
  in.check(!b.corpus.empty(), "corpus", "must not be empty");
  in.read_choice("variant", b.variant, kVariants);
  const std::pair<const char*, std::int64_t*> counts[] = {{"queries", &b.queries},
                                                          {"top_k", &b.top_k},
                                                          {"passage_tokens", &b.passage_tokens},
                                                          {"instruction_tokens", &b.instruction_tokens},
                                                          {"summary_tokens", &b.summary_tokens},
                                                          {"answer_tokens", &b.answer_tokens}};
  for (const auto& [key, field] : counts) {
    in.read(key, *field);
    in.check(*field >= 1 && *field <= 100000, key, "must be within 1..100000, got {}", *field);
  }
  in.read("temperature", b.temperature);
  in.check(b.temperature >= 0 && b.temperature <= 10, "temperature", "must be within 0..10, got {}", b.temperature);
  in.read("distractors", b.distractors);
  in.read("min_answer_chars", b.min_answer_chars);
  in.check(b.min_answer_chars >= 0, "min_answer_chars", "must not be negative, got {}", b.min_answer_chars);
  in.read("max_answer_chars", b.max_answer_chars);
  in.check(b.max_answer_chars >= 0, "max_answer_chars", "must not be negative (0: no limit), got {}",
           b.max_answer_chars);
  in.check(b.max_answer_chars == 0 || b.max_answer_chars >= b.min_answer_chars, "max_answer_chars",
           "({}) is below min_answer_chars ({})", b.max_answer_chars, b.min_answer_chars);
  in.read("refusals", b.refusals);
  in.read("answer_in_documents", b.answer_in_documents);
}

ordered_json section_json(const SynthConfig& c) {
  switch (c.generator) {
    case SynthGenerator::Tasks:
      return {{"tasks", c.tasks.tasks}, {"corpus", c.tasks.corpus}};
    case SynthGenerator::Cip:
      return {{"corpus", c.cip.corpus},
              {"chunk_tokens", c.cip.chunk_tokens},
              {"documents", c.cip.documents},
              {"order", name_of(kCipOrders, c.cip.order)}};
    case SynthGenerator::Synl: {
      ordered_json formats = ordered_json::array(), questions = ordered_json::array();
      for (const TableFormat f : c.synl.formats) formats.push_back(table_format_name(f));
      for (const TableQuestionType q : c.synl.questions) questions.push_back(table_question_name(q));
      return {{"formats", formats}, {"questions", questions}, {"questions_per_sample", c.synl.questions_per_sample}};
    }
    case SynthGenerator::Bootstrap: {
      const SynthBootstrap& b = c.bootstrap;
      return {{"model", b.model},
              {"prompt_format", b.prompt_format},
              {"corpus", b.corpus},
              {"variant", name_of(kVariants, b.variant)},
              {"queries", b.queries},
              {"top_k", b.top_k},
              {"passage_tokens", b.passage_tokens},
              {"instruction_tokens", b.instruction_tokens},
              {"summary_tokens", b.summary_tokens},
              {"answer_tokens", b.answer_tokens},
              {"temperature", b.temperature},
              {"distractors", b.distractors},
              {"min_answer_chars", b.min_answer_chars},
              {"max_answer_chars", b.max_answer_chars},
              {"refusals", b.refusals},
              {"answer_in_documents", b.answer_in_documents}};
    }
  }
  return ordered_json::object();
}

/// The settings that decide the samples (synth_recipe_json).
ordered_json recipe(const SynthConfig& c) {
  ordered_json root = {{"generator", name_of(kGenerators, c.generator)},
                       {"seed", c.seed},
                       {"lengths", c.lengths},
                       {"tokenizer", c.tokenizer},
                       {"chat_format", chat_format_name(c.chat_format)}};
  root[std::string(name_of(kGenerators, c.generator))] = section_json(c);
  return root;
}

}  // namespace

std::string_view synth_generator_name(SynthGenerator generator) { return name_of(kGenerators, generator); }

std::string_view SynthConfig::dataset_kind() const { return generator == SynthGenerator::Cip ? "text" : "chat"; }

std::int64_t SynthConfig::length_of(std::int64_t index) const {
  return lengths.at(static_cast<size_t>(index % static_cast<std::int64_t>(lengths.size())));
}

SynthConfig parse_synth_config(std::string_view json_text, std::string_view source) {
  const json root = strict_json::parse_strict(json_text, source);
  const ObjectReader in(root, "", source);
  in.refuse_unknown_keys({"format", "name", "description", "generator", "seed", "samples", "lengths", "tokenizer",
                          "chat_format", "tasks", "cip", "synl", "bootstrap"});
  SynthConfig c;
  c.source = std::string(source);
  c.format = in.read_format(kLatestFormat);
  c.name = in.required<std::string>("name");
  in.check(!c.name.empty(), "name", "must not be empty (it names the dataset the samples go into)");
  in.read("description", c.description);
  if (!in.has("generator")) in.missing("generator");
  in.read_choice("generator", c.generator, kGenerators);
  std::int64_t seed = 1;
  in.read("seed", seed);
  in.check(seed >= 0, "seed", "must not be negative, got {}", seed);
  c.seed = static_cast<std::uint64_t>(seed);
  c.samples = in.required<std::int64_t>("samples");
  in.check(c.samples > 0 && c.samples <= kMaxSamples, "samples", "must be within 1..{}, got {}", kMaxSamples,
           c.samples);
  if (!in.has("lengths")) in.missing("lengths");
  const json& lengths = *in.find("lengths");
  if (!lengths.is_array() || lengths.empty()) in.wrong_type("lengths", "a non-empty array of token counts", lengths);
  for (size_t i = 0; i < lengths.size(); ++i) {
    const std::string key = fmt::format("lengths[{}]", i);
    if (!lengths[i].is_number_integer()) in.wrong_type(key, "an integer", lengths[i]);
    const auto n = lengths[i].get<std::int64_t>();
    in.check(n >= 16 && n <= kMaxLength, key, "must be within 16..{} tokens, got {}", kMaxLength, n);
    c.lengths.push_back(n);
  }
  c.tokenizer = in.required<std::string>("tokenizer");
  in.check(!c.tokenizer.empty(), "tokenizer", "must name a model folder");
  in.read_choice("chat_format", c.chat_format, kChatFormatNames, {ChatFormat::Completion});  // samples have roles
  const std::string_view own = synth_generator_name(c.generator);
  for (const std::string_view section : {"tasks", "cip", "synl", "bootstrap"}) {
    in.check(section == own || !in.has(section), section, "is the section of generator \"{}\", but the generator is \"{}\"",
             section, own);
  }
  switch (c.generator) {
    case SynthGenerator::Tasks: parse_tasks(in.object("tasks"), c.tasks); break;
    case SynthGenerator::Cip:
      if (!in.has("cip")) in.missing("cip");
      parse_cip(in.object("cip"), c.cip);
      break;
    case SynthGenerator::Synl: parse_synl(in.object("synl"), c.synl); break;
    case SynthGenerator::Bootstrap:
      if (!in.has("bootstrap")) in.missing("bootstrap");
      parse_bootstrap(in.object("bootstrap"), c.bootstrap);
      break;
  }
  return c;
}

SynthConfig read_synth_config(const std::filesystem::path& path) {
  return parse_synth_config(read_text_file(path), path.string());
}

std::string synth_config_to_json(const SynthConfig& c) {
  ordered_json root = {{"format", c.format}, {"name", c.name}, {"description", c.description}};
  root.update(recipe(c));
  root["samples"] = c.samples;
  return root.dump();
}

std::string synth_recipe_json(const SynthConfig& c) { return recipe(c).dump(); }

}  // namespace rw::core
