// The synthesizer: makes sample `index` of a synth config (synth_config.h) with the generator it names,
// deterministically — a sample depends only on the config, the tokenizer, the corpus and its index, so a
// killed job resumes where it stopped and `synth regenerate` rebuilds any stored sample — and runs a job
// into the store: one transaction per sample, duplicates and shortfalls counted with their reasons.
// The generators: task_samples.cpp (training tasks), cip_samples.cpp (CIP), synl_samples.cpp (SynL),
// bootstrap_samples.cpp (the Bootstrap agent workflow).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rw/core/store/database.h"
#include "rw/core/synth/bootstrap_prompts.h"
#include "rw/core/synth/synth_config.h"
#include "rw/core/synth/synth_model.h"
#include "rw/core/synth/synth_sample.h"
#include "rw/core/tokenizer/tokenizer.h"

namespace rw::core {

/// A corpus's documents as the generators read them (texts loaded on first use).
class CorpusTexts {
 public:
  /// Error naming the corpus (and those there are) when it is missing or empty. `who` starts messages.
  CorpusTexts(Database& db, const std::string& corpus, std::string_view who);
  const std::string& name() const { return name_; }
  std::int64_t corpus_id() const { return corpus_id_; }
  std::int64_t size() const { return static_cast<std::int64_t>(ids_.size()); }
  std::int64_t id(std::int64_t i) const { return ids_.at(static_cast<size_t>(i)); }
  /// The position of document `document_id` in this corpus, if it is one of its documents.
  std::optional<std::int64_t> index_of(std::int64_t document_id) const;
  const std::string& text(std::int64_t i);

 private:
  Database& db_;
  std::string name_;
  std::int64_t corpus_id_ = 0;
  std::vector<std::int64_t> ids_;
  std::map<std::int64_t, std::string> texts_;
};

/// What the agent workflows use besides the store: the generator model and the project's prompt overrides.
struct SynthResources {
  SynthModel* model = nullptr;            ///< required by the bootstrap generator
  std::filesystem::path prompt_dir;       ///< PROJECT/prompts/bootstrap: overrides of the built-in prompts
};

class Synthesizer {
 public:
  /// Checks what the config names (the corpus exists and has documents; the bootstrap generator has its
  /// model and readable prompts). The database, tokenizer and model must outlive it.
  Synthesizer(Database& db, SynthConfig config, const Tokenizer& tokenizer, SynthResources resources = {});
  ~Synthesizer();

  /// Sample `index`. Throws SampleShortfall when it cannot reach its target length.
  SynthSample make(std::int64_t index);

  const SynthConfig& config() const { return config_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  /// Tokens of a sample's messages as the trainer renders them (chat format, or text with BOS/EOS).
  std::int64_t count_tokens(const std::vector<ChatMessage>& messages) const;
  /// The seed of sample `index` (training seed space, so no sample shares an eval item's seed).
  std::uint64_t sample_seed(std::int64_t index) const;
  CorpusTexts& corpus();
  Database& db() { return db_; }
  SynthModel& model();
  const BootstrapPrompts& prompts() const { return *prompts_; }

 private:
  Database& db_;
  SynthConfig config_;
  const Tokenizer& tokenizer_;
  SynthResources resources_;
  std::unique_ptr<CorpusTexts> corpus_;
  std::unique_ptr<BootstrapPrompts> prompts_;
};

/// The generators, each making one sample for the synthesizer (its seed and target set).
SynthSample make_task_sample(Synthesizer& synth, std::int64_t index);
SynthSample make_cip_sample(Synthesizer& synth, std::int64_t index);
SynthSample make_synl_sample(Synthesizer& synth, std::int64_t index);
SynthSample make_bootstrap_sample(Synthesizer& synth, std::int64_t index);

struct SynthProgress {
  std::int64_t done = 0;      ///< indices finished (this run and earlier ones)
  std::int64_t total = 0;
  std::int64_t written = 0;   ///< by this run
  std::int64_t duplicates = 0;
  std::int64_t shortfalls = 0;
};

struct SynthReport {
  std::int64_t dataset_id = 0;
  std::string dataset;
  std::int64_t resumed_from = 0;  ///< the first index this run made (0 on a fresh dataset)
  std::int64_t written = 0, duplicates = 0, shortfalls = 0;
  std::int64_t tokens_written = 0;
  std::vector<std::string> shortfall_reasons;  ///< the first few, "sample 12: ..."
  bool stopped = false;
  std::int64_t samples = 0;  ///< samples the dataset holds at the end
};

/// Runs the job into the dataset `config.name` (created with the config on the first run). A dataset made
/// by another recipe (generator, seed, lengths, tokenizer or settings differ) is refused, naming the
/// differing setting; one made by the same recipe continues after the last index it holds. `on_progress`
/// after each sample: return false to stop (the sample in hand is stored first).
SynthReport run_synthesis(Database& db, const SynthConfig& config, const Tokenizer& tokenizer,
                          const std::function<bool(const SynthProgress&)>& on_progress = {},
                          SynthResources resources = {});

/// The tokenizer id sample token counts are stored under: the tokenizer folder and the chat format.
std::string synth_tokenizer_id(const SynthConfig& config);

}  // namespace rw::core
