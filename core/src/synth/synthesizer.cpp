// The synthesizer and the synthesis job (see synthesizer.h); SegmentedText (synth_sample.h).
#include "rw/core/synth/synthesizer.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "rw/core/data/sample_stream.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/tasks/eval_grid.h"

namespace rw::core {
namespace {

using json = nlohmann::json;

constexpr size_t kReasonsKept = 5;

/// The first index a dataset holds no sample of or beyond: one past the largest stored index.
std::int64_t next_index(Database& db, std::int64_t dataset_id) {
  auto s = db.prepare(
      "SELECT coalesce(max(CAST(json_extract(meta_json, '$.index') AS INTEGER)) + 1, 0) FROM samples "
      "WHERE dataset_id = ?1");
  s.bind(1, dataset_id);
  s.step();
  return s.column_int64(0);
}

/// The dataset to fill: created with the config, or an existing one made by the same recipe.
DatasetRecord dataset_for(Database& db, const SynthConfig& config) {
  DatasetStore store(db);
  const std::string recipe = synth_recipe_json(config);
  auto existing = store.find_dataset(config.name);
  if (!existing) {
    return store.create_dataset({.name = config.name,
                                 .kind = std::string(config.dataset_kind()),
                                 .description = config.description,
                                 .source = "synth:" + std::string(synth_generator_name(config.generator)),
                                 .config_json = synth_config_to_json(config)});
  }
  const json stored = json::parse(existing->config_json, nullptr, false);
  const json wanted = json::parse(recipe);
  if (!existing->source.starts_with("synth:") || stored.is_discarded())
    fail("{}: dataset '{}' already exists and was not made by the synthesizer (source '{}'); give the synth config "
         "another \"name\"",
         config.source, config.name, existing->source);
  for (const auto& [key, value] : wanted.items()) {
    if (!stored.contains(key) || stored[key] != value)
      fail("{}: dataset '{}' was made with another \"{}\" ({} there, {} here); a dataset holds one recipe's samples, "
           "so give this config another \"name\"",
           config.source, config.name, key, stored.contains(key) ? stored[key].dump() : "none", value.dump());
  }
  return *existing;
}

}  // namespace

// ---- SegmentedText --------------------------------------------------------------------------------

void SegmentedText::add(std::string_view text, std::string_view kind, std::string meta_json,
                        std::optional<std::int64_t> source_document, std::optional<std::int64_t> source_begin,
                        std::optional<std::int64_t> source_end) {
  SampleSegment g;
  g.message_index = message_index_;
  g.byte_begin = size();
  text_ += text;
  g.byte_end = size();
  g.kind = std::string(kind);
  g.meta_json = std::move(meta_json);
  g.source_document_id = source_document;
  g.source_begin = source_begin;
  g.source_end = source_end;
  segments_.push_back(std::move(g));
}

void SegmentedText::label(std::int64_t begin, std::int64_t end, std::string_view kind, std::string meta_json) {
  if (begin < 0 || begin > end || end > size())
    fail("segment [{}, {}) lies outside the {} bytes of the text", begin, end, size());
  SampleSegment g;
  g.message_index = message_index_;
  g.byte_begin = begin;
  g.byte_end = end;
  g.kind = std::string(kind);
  g.meta_json = std::move(meta_json);
  segments_.push_back(std::move(g));
}

std::vector<SampleSegment> SegmentedText::segments() const {
  std::vector<SampleSegment> out = segments_;
  std::stable_sort(out.begin(), out.end(),
                   [](const SampleSegment& a, const SampleSegment& b) { return a.byte_begin < b.byte_begin; });
  return out;
}

// ---- CorpusTexts ----------------------------------------------------------------------------------

CorpusTexts::CorpusTexts(Database& db, const std::string& corpus, std::string_view who) : db_(db), name_(corpus) {
  CorpusStore store(db);
  const CorpusRecord record = store.require_corpus(corpus, who);
  corpus_id_ = record.id;
  auto s = db.prepare("SELECT id FROM documents WHERE corpus_id = ?1 ORDER BY id");
  s.bind(1, record.id);
  while (s.step()) ids_.push_back(s.column_int64(0));
  if (ids_.empty()) fail("{}: corpus '{}' has no documents; add some with `ropewalk-cli corpus add`", who, corpus);
}

std::optional<std::int64_t> CorpusTexts::index_of(std::int64_t document_id) const {
  const auto it = std::lower_bound(ids_.begin(), ids_.end(), document_id);  // ids_ is in id order
  if (it == ids_.end() || *it != document_id) return std::nullopt;
  return it - ids_.begin();
}

const std::string& CorpusTexts::text(std::int64_t i) {
  const std::int64_t document = id(i);
  auto it = texts_.find(document);
  if (it == texts_.end()) it = texts_.emplace(document, CorpusStore(db_).document_text(document)).first;
  return it->second;
}

// ---- Synthesizer ----------------------------------------------------------------------------------

Synthesizer::Synthesizer(Database& db, SynthConfig config, const Tokenizer& tokenizer, SynthResources resources)
    : db_(db), config_(std::move(config)), tokenizer_(tokenizer), resources_(std::move(resources)) {
  std::string corpus;
  switch (config_.generator) {
    case SynthGenerator::Cip: corpus = config_.cip.corpus; break;
    case SynthGenerator::Tasks: corpus = config_.tasks.corpus; break;
    case SynthGenerator::Bootstrap: corpus = config_.bootstrap.corpus; break;
    case SynthGenerator::Synl: break;
  }
  if (!corpus.empty()) corpus_ = std::make_unique<CorpusTexts>(db_, corpus, config_.source);
  if (config_.generator == SynthGenerator::Bootstrap) {
    if (!resources_.model) fail("{}: the bootstrap generator needs its model (\"bootstrap.model\")", config_.source);
    prompts_ = std::make_unique<BootstrapPrompts>(resources_.prompt_dir);
  }
}

SynthModel& Synthesizer::model() {
  if (!resources_.model) fail("{}: this generator uses no model", config_.source);
  return *resources_.model;
}

Synthesizer::~Synthesizer() = default;

CorpusTexts& Synthesizer::corpus() {
  if (!corpus_) fail("{}: this generator reads no corpus", config_.source);
  return *corpus_;
}

std::uint64_t Synthesizer::sample_seed(std::int64_t index) const {
  return item_seed(SeedSpace::Training, config_.seed, synth_generator_name(config_.generator),
                   config_.length_of(index), index);
}

std::int64_t Synthesizer::count_tokens(const std::vector<ChatMessage>& messages) const {
  return static_cast<std::int64_t>(
      render_sample(config_.dataset_kind(), config_.chat_format, tokenizer_, messages, LossOn::Responses).ids.size());
}

SynthSample Synthesizer::make(std::int64_t index) {
  if (index < 0) fail("{}: sample index {} is negative", config_.source, index);
  SynthSample sample;
  switch (config_.generator) {
    case SynthGenerator::Tasks: sample = make_task_sample(*this, index); break;
    case SynthGenerator::Cip: sample = make_cip_sample(*this, index); break;
    case SynthGenerator::Synl: sample = make_synl_sample(*this, index); break;
    case SynthGenerator::Bootstrap: sample = make_bootstrap_sample(*this, index); break;
  }
  sample.index = index;
  sample.target_tokens = config_.length_of(index);
  sample.n_tokens = count_tokens(sample.messages);
  json meta = json::parse(sample.meta_json);
  meta["generator"] = synth_generator_name(config_.generator);
  meta["index"] = index;
  meta["seed"] = sample_seed(index);
  meta["target_tokens"] = sample.target_tokens;
  meta["n_tokens"] = sample.n_tokens;
  meta["tokenizer"] = config_.tokenizer;
  sample.meta_json = meta.dump();
  // Generators size samples with the same count; this guards the promise that none exceeds its target.
  if (sample.n_tokens > sample.target_tokens)
    fail("{}: sample {} has {} tokens, more than its target {} (a generator sized it wrong)", config_.source, index,
         sample.n_tokens, sample.target_tokens);
  return sample;
}

// ---- the job --------------------------------------------------------------------------------------

std::string synth_tokenizer_id(const SynthConfig& config) {
  return fmt::format("{}|{}", config.tokenizer,
                     config.dataset_kind() == "text" ? std::string_view("text") : chat_format_name(config.chat_format));
}

SynthReport run_synthesis(Database& db, const SynthConfig& config, const Tokenizer& tokenizer,
                          const std::function<bool(const SynthProgress&)>& on_progress, SynthResources resources) {
  SynthReport report;
  std::int64_t start = 0;
  {
    Transaction tx(db);
    const DatasetRecord dataset = dataset_for(db, config);
    report.dataset_id = dataset.id;
    report.dataset = dataset.name;
    start = next_index(db, dataset.id);
    tx.commit();
  }
  report.resumed_from = start;
  Synthesizer synth(db, config, tokenizer, std::move(resources));
  DatasetStore store(db);
  const std::string tokenizer_id = synth_tokenizer_id(config);
  SynthProgress progress{.done = start, .total = config.samples};
  for (std::int64_t index = start; index < config.samples; ++index) {
    try {
      const SynthSample sample = synth.make(index);
      Transaction tx(db);  // a sample and its segments land together or not at all
      if (const auto id = store.add_sample(report.dataset_id, sample.messages, sample.meta_json, sample.segments)) {
        store.set_sample_tokens(*id, tokenizer_id, sample.n_tokens);
        ++report.written;
        report.tokens_written += sample.n_tokens;
      } else {
        ++report.duplicates;
      }
      tx.commit();
    } catch (const SampleShortfall& e) {
      ++report.shortfalls;
      if (report.shortfall_reasons.size() < kReasonsKept)
        report.shortfall_reasons.push_back(fmt::format("sample {}: {}", index, e.what()));
    }
    progress = {.done = index + 1,
                .total = config.samples,
                .written = report.written,
                .duplicates = report.duplicates,
                .shortfalls = report.shortfalls};
    if (on_progress && !on_progress(progress) && index + 1 < config.samples) {
      report.stopped = true;
      break;
    }
  }
  report.samples = store.sample_count(report.dataset_id);
  return report;
}

}  // namespace rw::core
