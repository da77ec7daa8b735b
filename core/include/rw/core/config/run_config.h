// RunConfig: the typed training-run configuration that `ropewalk-cli train PROJECT RUN.json` reads — the
// structs are the source of truth and the JSON file is their serialization. Strict parsing (unknown keys
// with "did you mean", wrong types, duplicate keys, out-of-range values, each error naming the file and
// the JSON path such as `stages[1].rope.theta`), JSON writing, and the checks against a base model (RoPE
// coverage per stage) and a project store (named corpora and datasets exist). Not here: the trainer, data
// packing, and how a path is resolved against the project folder (Project::resolve).
// Every key, default and rule, for users: docs/run-config.md (test_config_docs keeps it in step with the parser).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rw/core/chat/chat_tokens.h"  // ChatFormat, LossOn
#include "rw/core/data/packing.h"      // Overflow
#include "rw/core/config/model_config.h"
#include "rw/core/config/lr_schedule.h"

namespace rw::core {

class Database;

enum class Objective { Pretrain, Sft };
enum class Precision { Fp32, Bf16Mixed, Bf16 };

// One name table per enum, used by the parser, the writer and the launcher form alike.
inline constexpr std::pair<std::string_view, Objective> kObjectives[] = {{"pretrain", Objective::Pretrain},
                                                                         {"sft", Objective::Sft}};
inline constexpr std::pair<std::string_view, LossOn> kLossOn[] = {{"responses", LossOn::Responses},
                                                                  {"all", LossOn::All}};
inline constexpr std::pair<std::string_view, Precision> kPrecisions[] = {
    {"fp32", Precision::Fp32}, {"bf16-mixed", Precision::Bf16Mixed}, {"bf16", Precision::Bf16}};
inline constexpr std::pair<std::string_view, Overflow> kOverflows[] = {
    {"split", Overflow::Split}, {"truncate", Overflow::Truncate}, {"drop", Overflow::Drop}};
inline constexpr std::pair<std::string_view, LrSchedule::Kind> kScheduleKinds[] = {
    {"cosine", LrSchedule::Kind::Cosine}, {"linear", LrSchedule::Kind::Linear}, {"constant", LrSchedule::Kind::Constant}};

/// The architecture of a from-scratch model (the config.json fields a user picks).
struct ScratchModel {
  ModelFamily family = ModelFamily::Llama;
  std::optional<std::int64_t> vocab_size;  ///< unset: the tokenizer's vocabulary size
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t num_key_value_heads = 0;
  std::int64_t max_position_embeddings = 0;
  double rope_theta = 10000.0;
  bool tie_word_embeddings = false;
};

struct TokenizerInit {
  enum class Kind { SentencePiece, Model };
  Kind kind = Kind::SentencePiece;
  std::string model;               ///< Model: an HF folder holding the tokenizer files
  std::int64_t vocab_size = 0;     ///< SentencePiece
  std::string model_type = "bpe";  ///< SentencePiece: "bpe" | "unigram"
  std::string from_corpus;         ///< SentencePiece: the corpus it is trained on
};

struct InitConfig {
  enum class Kind { Model, Scratch };
  Kind kind = Kind::Model;
  std::string model;  ///< Model: HF folder, relative to the project or absolute
  ScratchModel scratch;
  TokenizerInit tokenizer;  ///< Scratch only
};

struct OptimizerConfig {
  double lr = 1e-5;
  double beta1 = 0.9, beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.1;
  double clip_grad_norm = 1.0;  ///< 0 = no clipping
};

struct ScheduleConfig {
  LrSchedule::Kind kind = LrSchedule::Kind::Cosine;
  std::int64_t warmup_steps = 0;
  double min_lr_ratio = 0.1;
};

struct BatchConfig {
  std::int64_t micro_batch_size = 1;
  std::int64_t grad_accumulation = 1;
};

struct CheckpointConfig {
  std::int64_t every_steps = 500;  ///< 0 = only at the end of each stage
  std::int64_t keep_last = 2;      ///< 0 = keep all
};

struct EvalConfig {
  std::string suite;             ///< eval suite file; empty = no periodic evals
  std::int64_t every_steps = 0;  ///< 0 = at every checkpoint
};

/// A stage's RoPE change. `scaling` has a type other than Default and the fields that type uses; its
/// theta is not used (the stage's `theta`, else the carried one, applies). An unset
/// original_max_position_embeddings means the max_position_embeddings carried in.
struct StageRope {
  std::optional<double> theta;
  std::optional<RopeConfig> scaling;
  bool changes() const { return theta || scaling; }
};

struct DataSource {
  enum class Kind { Corpus, Dataset };
  Kind kind = Kind::Corpus;
  std::string name;
  double weight = 1.0;
  std::int64_t min_tokens = 0;  ///< Corpus only
};

struct StageConfig {
  std::string name;
  std::int64_t seq_len = 0;
  std::optional<std::int64_t> steps, tokens;  ///< exactly one is set
  std::optional<double> lr;
  std::optional<std::int64_t> warmup_steps;
  std::optional<std::int64_t> micro_batch_size, grad_accumulation;
  StageRope rope;
  std::optional<std::int64_t> max_position_embeddings;
  std::vector<DataSource> data;
  bool document_masking = true;
  bool reset_positions = true;
  Overflow overflow = Overflow::Split;
};

struct RunConfig {
  int format = 1;
  std::string name;
  std::string description;
  Objective objective = Objective::Pretrain;
  LossOn loss_on = LossOn::Responses;     ///< sft only
  std::optional<ChatFormat> chat_format;  ///< sft only, and set there
  InitConfig init;
  std::int64_t seed = 1234;
  std::string device = "auto";
  Precision precision = Precision::Bf16Mixed;
  bool activation_checkpointing = false;
  std::int64_t chunked_loss_rows = 2048;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  BatchConfig batch;
  CheckpointConfig checkpoint;
  EvalConfig eval;
  std::vector<StageConfig> stages;
  /// Where it was read from, for later error messages (validate_*); not written to JSON.
  std::string source = "run config";
};

/// Parses and validates a run config; `source` names the file in errors. Throws rw::core::Error.
RunConfig parse_run_config(std::string_view json_text, std::string_view source);
/// parse_run_config of the file, with the path as source.
RunConfig read_run_config(const std::filesystem::path& path);
/// Pretty JSON (2-space indent, keys in the order of the structs, every default written out, unset optionals
/// left out) that parse_run_config reads back to the same config.
std::string run_config_to_json(const RunConfig& config);

/// The batch a stage trains with (its overrides over the run's).
BatchConfig stage_batch(const RunConfig& config, const StageConfig& stage);
/// Optimizer steps of a stage: `steps`, or ceil(tokens / tokens per step).
std::int64_t stage_steps(const RunConfig& config, const StageConfig& stage);

/// The learning-rate schedule of a stage: the stage's lr and warmup over the run's, over stage_steps.
LrSchedule stage_schedule(const RunConfig& config, const StageConfig& stage);

/// The model config a scratch init builds (head_dim = hidden_size / num_attention_heads).
ModelConfig scratch_model_config(const ScratchModel& scratch, std::int64_t tokenizer_vocab_size);

/// The model config each stage trains with, starting from `base` and carrying every stage's rope and
/// max_position_embeddings forward. Throws when a stage's seq_len exceeds what the carried RoPE settings
/// cover and the stage does not extend on purpose (see validate_against_model).
std::vector<ModelConfig> stage_model_configs(const RunConfig& config, const ModelConfig& base);

/// Coverage check per stage, in order: a stage that sets rope.scaling must have seq_len <=
/// original_max_position_embeddings * factor; a stage that raises rope.theta or sets
/// max_position_embeddings extends on purpose and is accepted; any other stage must have seq_len <= the
/// carried max_position_embeddings. Error like `run.json: stages[1] ("16k") trains at 16384 tokens but
/// the RoPE settings cover 4096; raise stages[1].rope.theta or set stages[1].rope.scaling`.
void validate_against_model(const RunConfig& config, const ModelConfig& base);

/// Every corpus named (in data entries and a sentencepiece tokenizer's from_corpus) and every dataset named
/// (in data entries) exists in the project store; errors name the JSON path and the known corpora or
/// datasets.
void validate_against_store(const RunConfig& config, Database& db);

std::string_view to_string(Objective objective);
std::string_view to_string(Precision precision);
std::string_view to_string(Overflow overflow);

}  // namespace rw::core
