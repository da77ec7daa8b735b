// Run config: strict parsing (through util/strict_json), JSON writing, and the checks against a base model
// and a project store. Key meanings and defaults are documented in docs/run-config.md.
#include "rw/core/config/run_config.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "config_json.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/dataset_store.h"
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

void check_positive(const ObjectReader& in, std::string_view key, std::int64_t value) {
  in.check(value > 0, key, "must be positive, got {}", value);
}
void check_not_negative(const ObjectReader& in, std::string_view key, std::int64_t value) {
  in.check(value >= 0, key, "must not be negative, got {}", value);
}
void check_positive(const ObjectReader& in, std::string_view key, double value) {
  in.check(value > 0, key, "must be positive, got {}", value);
}

// ---- reading -------------------------------------------------------------------------------------

ScratchModel parse_scratch(const ObjectReader& in) {
  in.refuse_unknown_keys({"family", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                          "num_attention_heads", "num_key_value_heads", "max_position_embeddings", "rope_theta",
                          "tie_word_embeddings"});
  ScratchModel m;
  in.read_choice("family", m.family, kModelFamilyNames);
  if (const json* v = in.find("vocab_size"); v && !(v->is_string() && v->get<std::string>() == "from_tokenizer")) {
    if (!v->is_number_integer()) in.wrong_type("vocab_size", "an integer or \"from_tokenizer\"", *v);
    m.vocab_size = in.required<std::int64_t>("vocab_size");
    check_positive(in, "vocab_size", *m.vocab_size);
  }
  const std::pair<const char*, std::int64_t*> sizes[] = {{"hidden_size", &m.hidden_size},
                                                         {"intermediate_size", &m.intermediate_size},
                                                         {"num_hidden_layers", &m.num_hidden_layers},
                                                         {"num_attention_heads", &m.num_attention_heads},
                                                         {"max_position_embeddings", &m.max_position_embeddings}};
  for (const auto& [key, field] : sizes) {
    *field = in.required<std::int64_t>(key);
    check_positive(in, key, *field);
  }
  m.num_key_value_heads = in.optional<std::int64_t>("num_key_value_heads").value_or(m.num_attention_heads);
  check_positive(in, "num_key_value_heads", m.num_key_value_heads);
  in.read("rope_theta", m.rope_theta);
  check_positive(in, "rope_theta", m.rope_theta);
  in.read("tie_word_embeddings", m.tie_word_embeddings);
  in.check(m.hidden_size % m.num_attention_heads == 0, "hidden_size",
           "({}) must be a multiple of num_attention_heads ({})", m.hidden_size, m.num_attention_heads);
  in.check((m.hidden_size / m.num_attention_heads) % 2 == 0, "num_attention_heads",
           "must leave an even head size for RoPE, got hidden_size / {} = {}", m.num_attention_heads,
           m.hidden_size / m.num_attention_heads);
  in.check(m.num_attention_heads % m.num_key_value_heads == 0, "num_key_value_heads",
           "({}) must divide num_attention_heads ({})", m.num_key_value_heads, m.num_attention_heads);
  return m;
}

TokenizerInit parse_tokenizer(const ObjectReader& in) {
  in.refuse_unknown_keys({"sentencepiece", "model"});
  in.check(in.has("sentencepiece") != in.has("model"), "", "must hold exactly one of \"sentencepiece\" or \"model\"");
  TokenizerInit t;
  if (in.has("model")) {
    t.kind = TokenizerInit::Kind::Model;
    t.model = in.required<std::string>("model");
    in.check(!t.model.empty(), "model", "must not be empty");
    return t;
  }
  const auto sp = in.object("sentencepiece");
  sp.refuse_unknown_keys({"vocab_size", "model_type", "from_corpus"});
  t.vocab_size = sp.required<std::int64_t>("vocab_size");
  check_positive(sp, "vocab_size", t.vocab_size);
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {{"bpe", "bpe"}, {"unigram", "unigram"}};
  std::string_view type = t.model_type;
  sp.read_choice("model_type", type, kTypes);
  t.model_type = type;
  t.from_corpus = sp.required<std::string>("from_corpus");
  sp.check(!t.from_corpus.empty(), "from_corpus", "must name a corpus");
  return t;
}

InitConfig parse_init(const ObjectReader& root) {
  if (!root.has("init")) root.missing("init");
  const auto in = root.object("init");
  in.refuse_unknown_keys({"model", "scratch", "tokenizer"});
  InitConfig init;
  if (in.has("model")) {
    in.check(!in.has("scratch"), "", "must hold either \"model\" or \"scratch\", not both");
    in.check(!in.has("tokenizer"), "tokenizer", "applies only to a \"scratch\" init (a model folder has its own)");
    init.model = in.required<std::string>("model");
    in.check(!init.model.empty(), "model", "must not be empty");
    return init;
  }
  in.check(in.has("scratch"), "", "must hold \"model\" (an HF folder) or \"scratch\" (a new model)");
  init.kind = InitConfig::Kind::Scratch;
  init.scratch = parse_scratch(in.object("scratch"));
  if (!in.has("tokenizer")) in.missing("tokenizer");
  init.tokenizer = parse_tokenizer(in.object("tokenizer"));
  if (init.scratch.vocab_size && init.tokenizer.kind == TokenizerInit::Kind::SentencePiece)
    in.check(*init.scratch.vocab_size >= init.tokenizer.vocab_size, "scratch.vocab_size",
             "({}) is smaller than the tokenizer's vocab_size ({})", *init.scratch.vocab_size,
             init.tokenizer.vocab_size);
  return init;
}

OptimizerConfig parse_optimizer(const ObjectReader& in) {
  in.refuse_unknown_keys({"lr", "betas", "eps", "weight_decay", "clip_grad_norm"});
  OptimizerConfig o;
  in.read("lr", o.lr);
  check_positive(in, "lr", o.lr);
  if (const json* v = in.find("betas")) {
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number())
      in.wrong_type("betas", "an array of two numbers [beta1, beta2]", *v);
    o.beta1 = (*v)[0].get<double>();
    o.beta2 = (*v)[1].get<double>();
    in.check(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "betas",
             "must each be in [0, 1), got [{}, {}]", o.beta1, o.beta2);
  }
  in.read("eps", o.eps);
  check_positive(in, "eps", o.eps);
  in.read("weight_decay", o.weight_decay);
  in.check(o.weight_decay >= 0, "weight_decay", "must not be negative, got {}", o.weight_decay);
  in.read("clip_grad_norm", o.clip_grad_norm);
  in.check(o.clip_grad_norm >= 0, "clip_grad_norm", "must not be negative (0 turns clipping off), got {}",
           o.clip_grad_norm);
  return o;
}

ScheduleConfig parse_schedule(const ObjectReader& in) {
  in.refuse_unknown_keys({"kind", "warmup_steps", "min_lr_ratio"});
  ScheduleConfig s;
  in.read_choice("kind", s.kind, kScheduleKinds);
  in.read("warmup_steps", s.warmup_steps);
  check_not_negative(in, "warmup_steps", s.warmup_steps);
  in.read("min_lr_ratio", s.min_lr_ratio);
  in.check(s.min_lr_ratio >= 0 && s.min_lr_ratio <= 1, "min_lr_ratio", "must be in [0, 1], got {}", s.min_lr_ratio);
  return s;
}

// The run's batch, or a stage's overrides (both keys optional there).
void parse_batch(const ObjectReader& in, std::optional<std::int64_t>& micro, std::optional<std::int64_t>& accum) {
  in.refuse_unknown_keys({"micro_batch_size", "grad_accumulation"});
  micro = in.optional<std::int64_t>("micro_batch_size");
  if (micro) check_positive(in, "micro_batch_size", *micro);
  accum = in.optional<std::int64_t>("grad_accumulation");
  if (accum) check_positive(in, "grad_accumulation", *accum);
}

RopeConfig parse_scaling(const ObjectReader& in) {
  RopeConfig s;
  if (!in.has("type")) in.missing("type");
  in.read_choice("type", s.type, kRopeTypeNames);
  in.check(s.type != RopeType::Default, "type", "must be a scaling type (linear, dynamic, yarn or llama3); leave "
           "\"scaling\" out for plain RoPE");
  // Each type takes only the keys it uses, so a yarn key under llama3 is reported, not ignored.
  if (s.type == RopeType::Yarn) {
    in.refuse_unknown_keys(
        {"type", "factor", "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow"});
  } else if (s.type == RopeType::Llama3) {
    in.refuse_unknown_keys(
        {"type", "factor", "original_max_position_embeddings", "low_freq_factor", "high_freq_factor"});
  } else {
    in.refuse_unknown_keys({"type", "factor", "original_max_position_embeddings"});
  }
  s.factor = in.required<double>("factor");
  in.check(s.factor >= 1, "factor", "must be at least 1, got {}", s.factor);
  s.original_max_position_embeddings = in.optional<std::int64_t>("original_max_position_embeddings");
  if (s.original_max_position_embeddings)
    check_positive(in, "original_max_position_embeddings", *s.original_max_position_embeddings);
  s.attention_factor = in.optional<double>("attention_factor");
  if (s.attention_factor) check_positive(in, "attention_factor", *s.attention_factor);
  s.beta_fast = in.optional<double>("beta_fast");
  s.beta_slow = in.optional<double>("beta_slow");
  in.read("low_freq_factor", s.low_freq_factor);
  in.read("high_freq_factor", s.high_freq_factor);
  if (s.type == RopeType::Llama3)
    in.check(s.high_freq_factor > s.low_freq_factor && s.low_freq_factor > 0, "high_freq_factor",
             "must be greater than low_freq_factor ({}), both positive, got {}", s.low_freq_factor, s.high_freq_factor);
  return s;
}

DataSource parse_data_source(const ObjectReader& in) {
  in.refuse_unknown_keys({"corpus", "dataset", "weight", "min_tokens"});
  in.check(in.has("corpus") != in.has("dataset"), "", "must name exactly one of \"corpus\" or \"dataset\"");
  DataSource d;
  if (in.has("dataset")) {
    d.kind = DataSource::Kind::Dataset;  // a chat dataset under pretrain is refused against the store
    in.check(!in.has("min_tokens"), "min_tokens", "applies only to corpus entries");
  }
  const char* key = d.kind == DataSource::Kind::Corpus ? "corpus" : "dataset";
  d.name = in.required<std::string>(key);
  in.check(!d.name.empty(), key, "must not be empty");
  in.read("weight", d.weight);
  check_positive(in, "weight", d.weight);
  in.read("min_tokens", d.min_tokens);
  check_not_negative(in, "min_tokens", d.min_tokens);
  return d;
}

StageConfig parse_stage(const ObjectReader& in, Objective objective) {
  in.refuse_unknown_keys({"name", "seq_len", "steps", "tokens", "lr", "warmup_steps", "batch", "rope",
                          "max_position_embeddings", "data", "document_masking", "reset_positions", "overflow"});
  StageConfig s;
  s.name = in.required<std::string>("name");
  in.check(!s.name.empty(), "name", "must not be empty");
  s.seq_len = in.required<std::int64_t>("seq_len");
  check_positive(in, "seq_len", s.seq_len);
  s.steps = in.optional<std::int64_t>("steps");
  s.tokens = in.optional<std::int64_t>("tokens");
  in.check(s.steps.has_value() != s.tokens.has_value(), "",
           "must give its length as exactly one of \"steps\" or \"tokens\", {}", s.steps ? "not both" : "got neither");
  if (s.steps) check_positive(in, "steps", *s.steps);
  if (s.tokens) check_positive(in, "tokens", *s.tokens);
  s.lr = in.optional<double>("lr");
  if (s.lr) check_positive(in, "lr", *s.lr);
  s.warmup_steps = in.optional<std::int64_t>("warmup_steps");
  if (s.warmup_steps) check_not_negative(in, "warmup_steps", *s.warmup_steps);
  parse_batch(in.object("batch"), s.micro_batch_size, s.grad_accumulation);
  const auto rope = in.object("rope");
  rope.refuse_unknown_keys({"theta", "scaling"});
  s.rope.theta = rope.optional<double>("theta");
  if (s.rope.theta) check_positive(rope, "theta", *s.rope.theta);
  if (rope.has("scaling")) s.rope.scaling = parse_scaling(rope.object("scaling"));
  s.max_position_embeddings = in.optional<std::int64_t>("max_position_embeddings");
  if (s.max_position_embeddings) check_positive(in, "max_position_embeddings", *s.max_position_embeddings);
  if (!in.has("data")) in.missing("data");
  for (const auto& item : in.objects("data")) s.data.push_back(parse_data_source(item));
  in.check(!s.data.empty(), "data", "must list at least one {}", objective == Objective::Sft ? "dataset" : "corpus");
  if (objective == Objective::Sft) {
    const bool any_dataset = std::any_of(s.data.begin(), s.data.end(),
                                         [](const DataSource& d) { return d.kind == DataSource::Kind::Dataset; });
    in.check(any_dataset, "data",
             "has no dataset, but the objective is \"sft\" (chat samples; corpora can only be mixed in); use "
             "objective \"pretrain\" to train on corpora alone");
  }
  in.read("document_masking", s.document_masking);
  in.read("reset_positions", s.reset_positions);
  in.read_choice("overflow", s.overflow, kOverflows);
  return s;
}

// ---- writing -------------------------------------------------------------------------------------

ordered_json scaling_to_json(const RopeConfig& s) {
  ordered_json j = {{"type", rope_type_name(s.type)}};
  write_rope_scaling(s, j);
  return j;
}

ordered_json stage_to_json(const StageConfig& s) {
  ordered_json j = {{"name", s.name}, {"seq_len", s.seq_len}};
  if (s.steps) j["steps"] = *s.steps;
  if (s.tokens) j["tokens"] = *s.tokens;
  if (s.lr) j["lr"] = *s.lr;
  if (s.warmup_steps) j["warmup_steps"] = *s.warmup_steps;
  if (s.micro_batch_size || s.grad_accumulation) {
    ordered_json batch = ordered_json::object();
    if (s.micro_batch_size) batch["micro_batch_size"] = *s.micro_batch_size;
    if (s.grad_accumulation) batch["grad_accumulation"] = *s.grad_accumulation;
    j["batch"] = batch;
  }
  if (s.rope.changes()) {
    ordered_json rope = ordered_json::object();
    if (s.rope.theta) rope["theta"] = *s.rope.theta;
    if (s.rope.scaling) rope["scaling"] = scaling_to_json(*s.rope.scaling);
    j["rope"] = rope;
  }
  if (s.max_position_embeddings) j["max_position_embeddings"] = *s.max_position_embeddings;
  ordered_json data = ordered_json::array();
  for (const auto& d : s.data) {
    const bool corpus = d.kind == DataSource::Kind::Corpus;
    ordered_json entry = {{corpus ? "corpus" : "dataset", d.name}, {"weight", d.weight}};
    if (corpus && d.min_tokens > 0) entry["min_tokens"] = d.min_tokens;
    data.push_back(entry);
  }
  j["data"] = data;
  j["document_masking"] = s.document_masking;
  j["reset_positions"] = s.reset_positions;
  j["overflow"] = name_of(kOverflows, s.overflow);
  return j;
}

ordered_json init_to_json(const InitConfig& init) {
  if (init.kind == InitConfig::Kind::Model) return {{"model", init.model}};
  const ScratchModel& m = init.scratch;
  ordered_json scratch = {{"family", model_family_name(m.family)}};
  scratch["vocab_size"] = m.vocab_size ? ordered_json(*m.vocab_size) : ordered_json("from_tokenizer");
  write_shape(m, scratch);
  scratch["rope_theta"] = m.rope_theta;
  scratch["tie_word_embeddings"] = m.tie_word_embeddings;
  const TokenizerInit& t = init.tokenizer;
  const ordered_json tokenizer =
      t.kind == TokenizerInit::Kind::Model
          ? ordered_json{{"model", t.model}}
          : ordered_json{
                {"sentencepiece",
                 {{"vocab_size", t.vocab_size}, {"model_type", t.model_type}, {"from_corpus", t.from_corpus}}}};
  return {{"scratch", scratch}, {"tokenizer", tokenizer}};
}

// ---- checks --------------------------------------------------------------------------------------

std::string stage_label(const RunConfig& config, size_t i) {
  return fmt::format("stages[{}] (\"{}\")", i, config.stages[i].name);
}

}  // namespace

RunConfig parse_run_config(std::string_view json_text, std::string_view source) {
  const json root = strict_json::parse_strict(json_text, source);
  const ObjectReader in(root, "", source);
  in.refuse_unknown_keys({"format", "name", "description", "objective", "loss_on", "chat_format", "init", "seed",
                          "device", "precision", "activation_checkpointing", "chunked_loss_rows", "optimizer",
                          "schedule", "batch", "checkpoint", "eval", "stages"});
  RunConfig c;
  c.source = std::string(source);
  c.format = in.read_format(kLatestFormat);
  c.name = in.required<std::string>("name");
  in.check(!c.name.empty(), "name", "must not be empty");
  in.read("description", c.description);
  in.read_choice("objective", c.objective, kObjectives);
  if (in.has("loss_on")) {
    in.check(c.objective == Objective::Sft, "loss_on",
             "applies only to objective \"sft\" (pretrain trains on every token)");
    in.read_choice("loss_on", c.loss_on, kLossOn);
  }
  if (in.has("chat_format")) {
    in.check(c.objective == Objective::Sft, "chat_format",
             "applies only to objective \"sft\" (pretrain trains on plain documents)");
    ChatFormat format = ChatFormat::Plain;
    in.read_choice("chat_format", format, kChatFormatNames, {ChatFormat::Completion});  // SFT needs roles
    c.chat_format = format;
  } else if (c.objective == Objective::Sft) {
    in.fail_at("chat_format",
               "is required for objective \"sft\": how samples become tokens, one of \"llama2\", \"llama3\", "
               "\"mistral\", \"qwen2\" (the model family's chat template) or \"plain\" (a model without one)");
  }
  c.init = parse_init(in);
  in.read("seed", c.seed);
  in.read("device", c.device);
  in.check(strict_json::is_valid_device(c.device), "device", "must be auto, cpu, cuda or cuda:N, got \"{}\"", c.device);
  in.read_choice("precision", c.precision, kPrecisions);
  in.read("activation_checkpointing", c.activation_checkpointing);
  in.read("chunked_loss_rows", c.chunked_loss_rows);
  check_positive(in, "chunked_loss_rows", c.chunked_loss_rows);
  c.optimizer = parse_optimizer(in.object("optimizer"));
  c.schedule = parse_schedule(in.object("schedule"));
  std::optional<std::int64_t> micro, accum;
  parse_batch(in.object("batch"), micro, accum);
  c.batch = {micro.value_or(c.batch.micro_batch_size), accum.value_or(c.batch.grad_accumulation)};
  const auto checkpoint = in.object("checkpoint");
  checkpoint.refuse_unknown_keys({"every_steps", "keep_last"});
  checkpoint.read("every_steps", c.checkpoint.every_steps);
  check_not_negative(checkpoint, "every_steps", c.checkpoint.every_steps);
  checkpoint.read("keep_last", c.checkpoint.keep_last);
  check_not_negative(checkpoint, "keep_last", c.checkpoint.keep_last);
  const auto eval = in.object("eval");
  eval.refuse_unknown_keys({"suite", "every_steps"});
  eval.read("suite", c.eval.suite);
  eval.read("every_steps", c.eval.every_steps);
  check_not_negative(eval, "every_steps", c.eval.every_steps);
  if (!in.has("stages")) in.missing("stages");
  std::set<std::string> names;
  for (const auto& item : in.objects("stages")) {
    c.stages.push_back(parse_stage(item, c.objective));
    item.check(names.insert(c.stages.back().name).second, "name", "\"{}\" is used by an earlier stage",
               c.stages.back().name);
  }
  in.check(!c.stages.empty(), "stages", "must list at least one stage");
  return c;
}

RunConfig read_run_config(const std::filesystem::path& path) {
  return parse_run_config(read_text_file(path), path.string());
}

std::string run_config_to_json(const RunConfig& c) {
  // ordered_json keeps the documented order (format and name first), as a person reading the file expects.
  ordered_json root = {{"format", c.format},
                       {"name", c.name},
                       {"description", c.description},
                       {"objective", name_of(kObjectives, c.objective)}};
  if (c.objective == Objective::Sft) root["loss_on"] = name_of(kLossOn, c.loss_on);
  if (c.objective == Objective::Sft && c.chat_format) root["chat_format"] = chat_format_name(*c.chat_format);
  root["init"] = init_to_json(c.init);
  root["seed"] = c.seed;
  root["device"] = c.device;
  root["precision"] = name_of(kPrecisions, c.precision);
  root["activation_checkpointing"] = c.activation_checkpointing;
  root["chunked_loss_rows"] = c.chunked_loss_rows;
  const OptimizerConfig& o = c.optimizer;
  root["optimizer"] = {{"lr", o.lr},
                       {"betas", {o.beta1, o.beta2}},
                       {"eps", o.eps},
                       {"weight_decay", o.weight_decay},
                       {"clip_grad_norm", o.clip_grad_norm}};
  root["schedule"] = {{"kind", name_of(kScheduleKinds, c.schedule.kind)},
                      {"warmup_steps", c.schedule.warmup_steps},
                      {"min_lr_ratio", c.schedule.min_lr_ratio}};
  root["batch"] = {{"micro_batch_size", c.batch.micro_batch_size}, {"grad_accumulation", c.batch.grad_accumulation}};
  root["checkpoint"] = {{"every_steps", c.checkpoint.every_steps}, {"keep_last", c.checkpoint.keep_last}};
  root["eval"] = {{"every_steps", c.eval.every_steps}};
  if (!c.eval.suite.empty()) root["eval"]["suite"] = c.eval.suite;
  ordered_json stages = ordered_json::array();
  for (const auto& s : c.stages) stages.push_back(stage_to_json(s));
  root["stages"] = stages;
  try {
    return root.dump(2) + "\n";
  } catch (const json::type_error& e) {
    fail("run config \"{}\" holds text that is not valid UTF-8 ({})", c.name, e.what());
  }
}

BatchConfig stage_batch(const RunConfig& config, const StageConfig& stage) {
  return {stage.micro_batch_size.value_or(config.batch.micro_batch_size),
          stage.grad_accumulation.value_or(config.batch.grad_accumulation)};
}

std::int64_t stage_steps(const RunConfig& config, const StageConfig& stage) {
  if (stage.steps) return *stage.steps;
  const BatchConfig batch = stage_batch(config, stage);
  const std::int64_t per_step = batch.micro_batch_size * batch.grad_accumulation * stage.seq_len;
  return (stage.tokens.value_or(0) + per_step - 1) / per_step;
}

LrSchedule stage_schedule(const RunConfig& config, const StageConfig& stage) {
  return {.peak_lr = stage.lr.value_or(config.optimizer.lr),
          .warmup_steps = stage.warmup_steps.value_or(config.schedule.warmup_steps),
          .total_steps = stage_steps(config, stage),
          .min_lr_ratio = config.schedule.min_lr_ratio,
          .kind = config.schedule.kind};
}

ModelConfig scratch_model_config(const ScratchModel& s, std::int64_t tokenizer_vocab_size) {
  ModelConfig m;
  m.family = s.family;
  m.vocab_size = s.vocab_size.value_or(tokenizer_vocab_size);
  m.hidden_size = s.hidden_size;
  m.intermediate_size = s.intermediate_size;
  m.num_hidden_layers = s.num_hidden_layers;
  m.num_attention_heads = s.num_attention_heads;
  m.num_key_value_heads = s.num_key_value_heads > 0 ? s.num_key_value_heads : s.num_attention_heads;
  m.layer_windows.assign(static_cast<size_t>(s.num_hidden_layers), 0);  // full attention in every layer
  m.head_dim = s.hidden_size / s.num_attention_heads;
  m.max_position_embeddings = s.max_position_embeddings;
  m.rope.theta = s.rope_theta;
  m.tie_word_embeddings = s.tie_word_embeddings;
  m.attention_bias = s.family == ModelFamily::Qwen2;  // Qwen2 always has q/k/v biases
  return m;
}

std::vector<ModelConfig> stage_model_configs(const RunConfig& config, const ModelConfig& base) {
  std::vector<ModelConfig> out;
  ModelConfig carried = base;
  for (size_t i = 0; i < config.stages.size(); ++i) {
    const StageConfig& stage = config.stages[i];
    const bool raises_theta = stage.rope.theta && *stage.rope.theta > carried.rope.theta;
    if (stage.rope.theta) carried.rope.theta = *stage.rope.theta;
    std::int64_t covered = carried.max_position_embeddings;
    if (const auto& s = stage.rope.scaling) {
      RopeConfig& rope = carried.rope;
      const double theta = rope.theta;
      rope = *s;
      rope.theta = theta;
      if (!rope.original_max_position_embeddings) rope.original_max_position_embeddings = carried.max_position_embeddings;
      covered = static_cast<std::int64_t>(static_cast<double>(*rope.original_max_position_embeddings) * s->factor);
      if (stage.seq_len > covered && !stage.max_position_embeddings)
        fail(
            "{}: {} trains at {} tokens but its {} scaling covers {} ({} x {}); raise stages[{}].rope.scaling.factor "
            "to at least {}",
            config.source, stage_label(config, i), stage.seq_len, rope_type_name(s->type), covered,
            *rope.original_max_position_embeddings, s->factor, i,
            static_cast<double>(stage.seq_len) / static_cast<double>(*rope.original_max_position_embeddings));
    } else if (stage.seq_len > covered && !raises_theta && !stage.max_position_embeddings) {
      fail(
          "{}: {} trains at {} tokens but the RoPE settings cover {}; raise stages[{}].rope.theta or set "
          "stages[{}].rope.scaling",
          config.source, stage_label(config, i), stage.seq_len, covered, i, i);
    }
    // An explicit value or a rope change moves the model's advertised length to what this stage trains.
    if (stage.max_position_embeddings)
      carried.max_position_embeddings = std::max(stage.seq_len, *stage.max_position_embeddings);
    else if (stage.rope.changes())
      carried.max_position_embeddings = std::max(stage.seq_len, covered);
    out.push_back(carried);
  }
  return out;
}

void validate_against_model(const RunConfig& config, const ModelConfig& base) { stage_model_configs(config, base); }

void validate_against_store(const RunConfig& config, Database& db) {
  CorpusStore corpora(db);
  DatasetStore datasets(db);
  std::vector<std::string> known_corpora, known_datasets;
  for (const auto& corpus : corpora.list_corpora()) known_corpora.push_back(corpus.name);
  for (const auto& dataset : datasets.list_datasets()) known_datasets.push_back(dataset.name);
  const auto refuse = [&](std::string_view what, const std::string& name, const std::string& path,
                          const std::vector<std::string>& known, std::string_view first_step) {
    const std::vector<std::string_view> candidates(known.begin(), known.end());
    fail("{}: \"{}\": no {} named \"{}\" in the project store{}; {}", config.source, path, what, name,
         strict_json::did_you_mean(name, candidates),
         known.empty()
             ? fmt::format("it has no {} yet ({} first)", what == "corpus" ? "corpora" : "datasets", first_step)
             : fmt::format("known {}: {}", what == "corpus" ? "corpora" : "datasets", fmt::join(known, ", ")));
  };
  const auto check_corpus = [&](const std::string& name, const std::string& path) {
    if (!corpora.find_corpus(name)) refuse("corpus", name, path, known_corpora, "import one");
  };
  if (config.init.kind == InitConfig::Kind::Scratch && config.init.tokenizer.kind == TokenizerInit::Kind::SentencePiece)
    check_corpus(config.init.tokenizer.from_corpus, "init.tokenizer.sentencepiece.from_corpus");
  for (size_t i = 0; i < config.stages.size(); ++i) {
    const auto& data = config.stages[i].data;
    for (size_t j = 0; j < data.size(); ++j) {
      if (data[j].kind == DataSource::Kind::Corpus) {
        check_corpus(data[j].name, fmt::format("stages[{}].data[{}].corpus", i, j));
        continue;
      }
      const std::string path = fmt::format("stages[{}].data[{}].dataset", i, j);
      const auto dataset = datasets.find_dataset(data[j].name);
      if (!dataset) refuse("dataset", data[j].name, path, known_datasets, "import or synthesize one");
      if (dataset->kind == "chat" && config.objective == Objective::Pretrain)
        fail("{}: \"{}\": dataset \"{}\" holds chat samples, but the objective is \"pretrain\" (it trains on "
             "corpora and text datasets); use objective \"sft\" with a chat_format",
             config.source, path, data[j].name);
    }
  }
}

std::string_view to_string(Objective objective) { return name_of(kObjectives, objective); }
std::string_view to_string(Precision precision) { return name_of(kPrecisions, precision); }
std::string_view to_string(Overflow overflow) { return name_of(kOverflows, overflow); }

}  // namespace rw::core
