// Synth config: the settings of one synthesis job (`ropewalk-cli synth run PROJECT SYNTH.json`) — which
// generator, which dataset it fills, how many samples at which target lengths under which tokenizer, and
// the generator's own section. Parsed strictly like run configs (util/strict_json.h): unknown keys,
// wrong types and impossible values are refused with the file and JSON path. Keys and meanings:
// docs/synth-config.md. Not the generators (synthesizer.h) and not the store (dataset_store.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_format.h"
#include "rw/core/synth/synl.h"

namespace rw::core {

enum class SynthGenerator {
  Tasks,  ///< retrieval training tasks (needle chats, RULER tasks, passkey) in the training seed space
  Cip,    ///< LongSkywork Chunk Interleaved Pretraining: raw text of interleaved document chunks
  Synl,   ///< LongSkywork Synthetic Lengthy Tables: a long table and questions answered by code
  Bootstrap,  ///< Bootstrap Your Own Context Length: a generator model, the retriever and the corpus
};

/// A generator's name in files ("tasks", "cip", "synl", "bootstrap").
std::string_view synth_generator_name(SynthGenerator generator);

struct SynthTasks {
  /// Each sample's task, round robin over the list: "needle_chat" (the gkamradt NIAH chat over corpus
  /// sentences), "passkey", or a RULER task name ("niah_single_1", ..., "niah_multivalue", "vt", "cwe").
  std::vector<std::string> tasks = {"needle_chat"};
  /// Haystack text: the corpus's documents; empty = Ropewalk's bundled public-domain haystack (not for
  /// needle_chat, which needs a corpus).
  std::string corpus;
};

struct SynthCip {
  enum class Order { RoundRobin, Random };
  std::string corpus;
  std::int64_t chunk_tokens = 256;   ///< tokens per chunk (the last chunk of a document may be shorter)
  std::int64_t documents = 4;        ///< documents interleaved into one sample
  Order order = Order::RoundRobin;   ///< round robin over the documents, or a random document each time
};

struct SynthSynl {
  std::vector<TableFormat> formats = {TableFormat::Markdown, TableFormat::Csv, TableFormat::JsonLines};
  std::vector<TableQuestionType> questions = all_table_questions();
  std::int64_t questions_per_sample = 1;
};

struct SynthBootstrap {
  enum class Variant {
    MultiDocument,  ///< instruction -> retrieval -> query-focused summaries -> answer; documents as the input
    LongOutput,     ///< a long document as the reply to a back-written writing instruction
  };
  std::string model;                  ///< generator model folder (relative: to the project)
  std::string prompt_format = "auto";  ///< how prompts reach it: auto, completion or a chat format
  std::string corpus;                 ///< where seed passages, retrieved documents and distractors come from
  Variant variant = Variant::MultiDocument;
  std::int64_t queries = 3;           ///< search queries used, at most
  std::int64_t top_k = 2;             ///< documents per query
  std::int64_t passage_tokens = 128;  ///< the random corpus passage shown in the instruction prompt
  std::int64_t instruction_tokens = 96, summary_tokens = 64, answer_tokens = 128;  ///< reply lengths
  double temperature = 0;             ///< 0: greedy; else sampling, seeded per sample
  bool distractors = true;            ///< fill the input to the target length with other documents
  // Filters: a sample whose answer fails one is rejected with the reason.
  std::int64_t min_answer_chars = 1;
  std::int64_t max_answer_chars = 0;  ///< 0: no limit
  std::vector<std::string> refusals = {"I cannot", "I can't", "I'm sorry", "As an AI"};
  bool answer_in_documents = false;   ///< the answer must share a number or a capitalized word with them
};

struct SynthConfig {
  int format = 1;
  std::string name;          ///< the dataset the samples go into (created on the first run)
  std::string description;
  SynthGenerator generator = SynthGenerator::Tasks;
  std::uint64_t seed = 1;
  std::int64_t samples = 0;  ///< samples to make (indices 0 .. samples-1)
  std::vector<std::int64_t> lengths;  ///< target token counts, round robin over the samples
  std::string tokenizer;     ///< model folder whose tokenizer measures lengths (relative: to the project)
  ChatFormat chat_format = ChatFormat::Plain;  ///< how chat samples are rendered to be measured
  SynthTasks tasks;
  SynthCip cip;
  SynthSynl synl;
  SynthBootstrap bootstrap;
  /// Where it was read from, for errors; not written to JSON.
  std::string source = "synth config";

  /// "chat" or "text": what the generator's samples are.
  std::string_view dataset_kind() const;
  /// The target length of sample `index`.
  std::int64_t length_of(std::int64_t index) const;
};

/// Parses and validates; `source` names the file in errors. Throws rw::core::Error.
SynthConfig parse_synth_config(std::string_view json_text, std::string_view source);
SynthConfig read_synth_config(const std::filesystem::path& path);
/// Compact JSON with every setting written out, read back by parse_synth_config to the same config: what
/// the dataset records, so a later run into it can be checked for the same settings.
std::string synth_config_to_json(const SynthConfig& config);

/// The settings that decide the samples (everything but name, description and samples), as JSON: a
/// dataset's samples come from one recipe, so a run with another recipe into it is refused.
std::string synth_recipe_json(const SynthConfig& config);

}  // namespace rw::core
