// RunConfig: the typed training-run configuration that `ropewalk-cli train PROJECT RUN.json` reads — the
// structs are the source of truth and the JSON file is their serialization. Strict parsing (unknown keys
// with "did you mean", wrong types, duplicate keys, out-of-range values, each error naming the file and
// the JSON path such as `stages[1].rope.theta`), JSON writing, and the checks against a base model (RoPE
// coverage per stage) and a project store (named corpora and datasets exist). Not here: the trainer, data
// packing, and how a path is resolved against the project folder (Project::resolve).
//
// The file, every key (defaults in brackets; `?` = optional, no default):
//   format        1 [1]: refused when newer than this build reads
//   name          string, required, non-empty
//   description   string [""]: free text (recipe, sources)
//   objective     "pretrain" (LM loss on every token of packed documents) | "sft" (chat samples) [pretrain]
//   loss_on       sft only: "responses" (assistant turns only) | "all" [responses]; refused for pretrain
//   chat_format   sft only, required there: "llama2" | "llama3" | "mistral" | "qwen2" (the family's official
//                 chat template) | "plain" (a built-in format for from-scratch models without a template,
//                 see data/chat_format.h); refused for pretrain
//   init          required, exactly one of
//                   {"model": PATH}  an HF model folder, relative to the project or absolute
//                   {"scratch": SCRATCH, "tokenizer": TOKENIZER}  a randomly initialized model
//     SCRATCH       family "llama"|"mistral"|"qwen2" [llama]; vocab_size N | "from_tokenizer" [from_tokenizer];
//                   hidden_size, intermediate_size, num_hidden_layers, num_attention_heads (all required, > 0);
//                   num_key_value_heads [= num_attention_heads]; max_position_embeddings (required);
//                   rope_theta [10000]; tie_word_embeddings [false]
//     TOKENIZER     {"sentencepiece": {"vocab_size": N, "model_type": "bpe"|"unigram" [bpe], "from_corpus": NAME}}
//                   (trained in-process on a project corpus) or {"model": PATH} (an HF folder's tokenizer)
//   seed          integer [1234]
//   device        "auto" | "cpu" | "cuda" | "cuda:N" [auto]
//   precision     "fp32" | "bf16-mixed" (bf16 autocast, fp32 master weights) | "bf16" (pure bf16) [bf16-mixed]
//   activation_checkpointing  bool [false]
//   chunked_loss_rows         rows per cross-entropy block, > 0 [2048] (ProLong's LOGIT_BLOCK_SIZE)
//   optimizer     AdamW: lr > 0 [1e-5]; betas [b1, b2] each in [0, 1) [[0.9, 0.95]]; eps > 0 [1e-8];
//                 weight_decay >= 0 [0.1]; clip_grad_norm >= 0, 0 = off [1.0]
//   schedule      kind "cosine"|"linear"|"constant" [cosine]; warmup_steps >= 0 [0]; min_lr_ratio in [0, 1]
//                 [0.1]. The schedule restarts at every stage (ProLong resets it for its 512K stage), over
//                 that stage's steps, from that stage's lr.
//   batch         micro_batch_size > 0 [1] sequences per forward; grad_accumulation > 0 [1] forwards per
//                 optimizer step. Tokens per step = micro_batch_size * grad_accumulation * seq_len.
//   checkpoint    every_steps >= 0, 0 = only at the end of each stage [500]; keep_last >= 0, 0 = all [2]
//   eval          suite: an eval suite file (eval/eval_suite.h), relative to the project or absolute [""] = no
//                 periodic evals; every_steps >= 0, 0 = at every checkpoint [0]. Cells go to this run, under the
//                 step they were computed at.
//   stages        required, non-empty list, trained in order; each:
//     name          required, non-empty, unique (names the stage's checkpoints)
//     seq_len       tokens per packed sequence, > 0, required
//     steps | tokens  exactly one, > 0: optimizer steps, or training tokens (steps = ceil(tokens / tokens
//                   per step))
//     lr            ? peak lr for this stage instead of optimizer.lr
//     warmup_steps  ? instead of schedule.warmup_steps
//     batch         ? {micro_batch_size ?, grad_accumulation ?} overriding the run's batch for this stage
//     rope          ? {theta ?, scaling ?}: changes carried into later stages. theta > 0 replaces the
//                   model's rope_theta; scaling {type "linear"|"dynamic"|"yarn"|"llama3", factor >= 1,
//                   original_max_position_embeddings ? (default: the max_position_embeddings carried in),
//                   yarn: attention_factor ?, beta_fast ?, beta_slow ?; llama3: low_freq_factor [1],
//                   high_freq_factor [4]}
//     max_position_embeddings  ? written to the model config from this stage on; when unset and the stage
//                   changes rope it becomes max(seq_len, the carried value) (scaling: original * factor)
//     data          required, non-empty list of {"corpus": NAME, "weight": w > 0 [1], "min_tokens": N >= 0 [0]}
//                   (pretrain and sft: plain documents, loss on every token; min_tokens skips shorter
//                   documents, as ProLong keeps only long documents in its long domains) or
//                   {"dataset": NAME, "weight": w > 0 [1]} (sft only: chat samples). Weights are relative.
//                   An sft stage needs at least one dataset; a pretrain stage takes corpora only.
//     document_masking  bool [true]: attention stays within each packed document
//     reset_positions   bool [true]: RoPE positions restart at each document (ProLong keeps them running)
//     overflow      "split" (the rest starts the next sequence) | "truncate" (the rest is dropped) | "drop"
//                   (documents longer than seq_len are skipped) [split]
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_tokens.h"  // ChatFormat, LossOn
#include "rw/core/data/packing.h"      // Overflow
#include "rw/core/config/model_config.h"
#include "rw/core/config/lr_schedule.h"

namespace rw::core {

class Database;

enum class Objective { Pretrain, Sft };
enum class Precision { Fp32, Bf16Mixed, Bf16 };

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
/// Pretty JSON (2-space indent, keys in the order above, every default written out, unset optionals
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
