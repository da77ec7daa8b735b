// The training loop (see trainer.h). One optimizer step: take micro_batch_size * grad_accumulation packed
// sequences from the stage's mix, run each micro-batch forward and backward with the loss summed over its
// targets and divided by the step's target count (so accumulation equals one large batch), clip, AdamW.
#include "rw/core/train/trainer.h"

#include <ATen/autocast_mode.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "rw/core/config/resume_rules.h"
#include "rw/core/data/document_stream.h"
#include "rw/core/data/sample_stream.h"
#include "rw/core/eval/eval_runner.h"
#include "rw/core/runtime/device.h"
#include "rw/core/runtime/exception_message.h"
#include "rw/core/runtime/peak_memory.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/metric_writer.h"
#include "rw/core/store/project.h"
#include "rw/core/store/train_store.h"
#include "rw/core/train/checkpoint.h"
#include "rw/core/train/chunked_cross_entropy.h"
#include "rw/core/train/model_init.h"
#include "rw/core/train/optimizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/file_names.h"
#include "rw/core/util/files.h"
#include "rw/core/worker/run_lease.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// bf16 autocast for the forward pass on CUDA (bf16-mixed); nothing elsewhere.
class AutocastScope {
 public:
  explicit AutocastScope(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
  }
  ~AutocastScope() {
    if (!on_) return;
    at::autocast::set_autocast_enabled(at::kCUDA, false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
};

struct MicroBatch {
  at::Tensor ids, labels, positions, segments;  // [B, T] int64 each
};

MicroBatch to_tensors(const std::vector<PackedSequence>& seqs, size_t first, size_t count, const at::Device& device) {
  const auto T = static_cast<std::int64_t>(seqs[first].ids.size());
  const auto B = static_cast<std::int64_t>(count);
  std::vector<std::int64_t> ids, labels, positions, segments;
  for (size_t i = first; i < first + count; ++i) {
    const PackedSequence& s = seqs[i];
    ids.insert(ids.end(), s.ids.begin(), s.ids.end());
    labels.insert(labels.end(), s.labels.begin(), s.labels.end());
    positions.insert(positions.end(), s.position_ids.begin(), s.position_ids.end());
    segments.insert(segments.end(), s.segment_ids.begin(), s.segment_ids.end());
  }
  const auto tensor = [&](std::vector<std::int64_t>& v) {
    return at::from_blob(v.data(), {B, T}, at::kLong).clone().to(device);
  };
  return {tensor(ids), tensor(labels), tensor(positions), tensor(segments)};
}

std::unique_ptr<MixedStream> make_stream(Database& db, const RunConfig& config, size_t stage_index,
                                         const Tokenizer& tokenizer, const PackingOptions& packing) {
  const StageConfig& stage = config.stages[stage_index];
  CorpusStore corpora(db);
  std::vector<MixedStream::Source> sources;
  for (size_t i = 0; i < stage.data.size(); ++i) {
    const DataSource& d = stage.data[i];
    // Every source of every stage gets its own shuffle.
    const auto seed = static_cast<std::uint64_t>(config.seed) * 1000003 + stage_index * 1009 + i + 1;
    if (d.kind == DataSource::Kind::Dataset) {
      const auto dataset = DatasetStore(db).find_dataset(d.name);
      if (!dataset) fail("{}: no dataset named \"{}\" in the project store", config.source, d.name);
      // A text dataset ignores the chat format (pretrain has none).
      sources.push_back({std::make_unique<SampleStream>(db, dataset->id, tokenizer,
                                                        config.chat_format.value_or(ChatFormat::Plain), config.loss_on,
                                                        packing, seed),
                         d.weight, "dataset:" + d.name});
      continue;
    }
    const auto corpus = corpora.require_corpus(d.name, config.source);
    PackingOptions options = packing;
    options.overflow = Overflow::Split;  // documents are streams of text: never dropped
    sources.push_back({std::make_unique<DocumentStream>(db, corpus.id, tokenizer, options, seed, d.min_tokens),
                       d.weight, "corpus:" + d.name});
  }
  return std::make_unique<MixedStream>(std::move(sources), static_cast<std::uint64_t>(config.seed) + stage_index);
}

/// The run to resume and its latest checkpoint, checked before anything is changed: the checkpoint exists
/// and the config changes only what resume_rules allows (`changes` lists what it changes).
std::int64_t find_resumable_run(RunStore& store, const Project& project, const RunConfig& config,
                                const TrainOptions& options, TrainingState& state, fs::path& checkpoint,
                                std::string& changes) {
  std::optional<RunRecord> run;
  if (options.resume_run) {
    run = store.run(*options.resume_run);
  } else {
    for (const RunRecord& r : store.list_runs()) {
      if (r.kind == "train" && r.name == config.name) {
        run = r;
        break;
      }
    }
    if (!run) fail("--resume: no train run named \"{}\" in {}", config.name, store.path().string());
  }
  const fs::path dir = run_directory(project, run->name, run->id);
  const auto latest = latest_checkpoint(dir);
  if (!latest)
    fail("--resume: run {} (\"{}\") has no complete checkpoint under {}; start it anew", run->id, run->name,
         dir.string());
  checkpoint = *latest;
  state = load_training_state(checkpoint);
  const std::string now_json = run_config_to_json(config);
  if (state.run_config_json != now_json) {
    const RunConfig trained = parse_run_config(state.run_config_json, (checkpoint / "training_state").string());
    if (const std::string refusal = resume_refusal(trained, config, state.stage, state.stage_step); !refusal.empty()) {
      fail(
          "--resume: {} changes what run {} has already trained with ({}); a resumed run may change only its "
          "description, eval and checkpoint settings and the steps or stages it has not reached yet. Resume with "
          "the config kept in {} or start a new run",
          config.source, run->id, refusal, (checkpoint / "training_state").string());
    }
    changes = resume_changes(trained, config);
  }
  return run->id;
}

/// Continues the run from `checkpoint`: what the killed process logged after it is discarded.
void rewind_to_checkpoint(RunStore& store, std::int64_t run_id, const RunConfig& config, const TrainingState& state,
                          const fs::path& checkpoint, const std::string& changes) {
  TrainStore(store.database()).discard_after(run_id, state.step);
  if (!changes.empty()) store.set_config(run_id, run_config_to_json(config));
  store.add_event(run_id, "info",
                  fmt::format("resumed from {} (step {}){}", checkpoint.filename().string(), state.step,
                              changes.empty() ? "" : " with a changed run config: " + changes));
}

class TrainingLoop {
 public:
  TrainingLoop(const Project& project, const RunConfig& config, const TrainOptions& options, RunLease& lease,
               at::Device device, std::optional<EvalSuite> suite)
      : project_(project),
        config_(config),
        options_(options),
        lease_(lease),
        store_(lease.store()),
        db_(store_.database()),
        run_id_(lease.run_id()),
        device_(device),
        metrics_(store_),
        pieces_(db_),
        progress_(options.progress, "train", "steps"),
        suite_(std::move(suite)) {}

  TrainResult run(std::optional<TrainingState> resume_state, const std::optional<fs::path>& resume_checkpoint);
  /// The stage being trained (for error reports).
  size_t stage() const { return stage_; }

 private:
  double train_step(MixedStream& stream, size_t stage_index, std::int64_t stage_step);
  fs::path save(std::int64_t stage_index, std::int64_t stage_step, const std::string& cursor);
  void evaluate();

  const Project& project_;
  const RunConfig& config_;
  const TrainOptions& options_;
  RunLease& lease_;
  RunStore& store_;
  Database& db_;
  std::int64_t run_id_;
  at::Device device_;
  MetricWriter metrics_;
  TrainStore pieces_;
  ProgressReporter progress_;
  std::optional<EvalSuite> suite_;
  TrainingModel model_;
  std::unique_ptr<AdamW> optimizer_;
  std::int64_t step_ = 0, tokens_seen_ = 0;
  std::optional<std::int64_t> saved_step_;
  size_t stage_ = 0;
  TrainResult result_;
};

TrainResult TrainingLoop::run(std::optional<TrainingState> resume_state,
                              const std::optional<fs::path>& resume_checkpoint) {
  const at::ScalarType dtype = config_.precision == Precision::Bf16 ? at::kBFloat16 : at::kFloat;
  result_.run_id = run_id_;
  result_.run_dir = run_directory(project_, config_.name, run_id_);
  fs::create_directories(result_.run_dir);
  if (resume_checkpoint) {
    model_.tokenizer = training_tokenizer(project_, config_, db_, result_.run_dir, model_.tokenizer_dir);
    model_.base = base_model_config(project_, config_, model_.tokenizer.get());
    model_.model = load_hf_model(*resume_checkpoint, device_, dtype).model;
  } else {
    model_ = init_training_model(project_, config_, db_, result_.run_dir, device_, dtype);
  }
  const std::vector<ModelConfig> stage_configs = stage_model_configs(config_, model_.base);

  AdamWOptions adamw{.lr = config_.optimizer.lr,
                     .beta1 = config_.optimizer.beta1,
                     .beta2 = config_.optimizer.beta2,
                     .eps = config_.optimizer.eps,
                     .weight_decay = config_.optimizer.weight_decay,
                     .fp32_master = config_.precision != Precision::Bf16};
  NamedParameters params;
  for (auto& item : model_.model->named_parameters()) params.emplace_back(item.key(), item.value());
  optimizer_ = std::make_unique<AdamW>(params, adamw);

  std::size_t first_stage = 0;
  std::int64_t stage_step = 0;
  std::string cursor;
  if (resume_state) {
    try {
      optimizer_->load_state_tensors(resume_state->optimizer);
    } catch (const Error& e) {
      fail("{}: {}", optimizer_state_path(*resume_checkpoint).string(), e.what());
    }
    restore_rng_state(resume_state->rng);
    step_ = resume_state->step;
    tokens_seen_ = resume_state->tokens_seen;
    first_stage = static_cast<size_t>(resume_state->stage);
    stage_step = resume_state->stage_step;
    cursor = resume_state->data_cursor_json;
    saved_step_ = step_;
  } else {
    store_.add_event(run_id_, "info",
                     fmt::format("model: {} parameters on {}, {}", model_.base.num_parameters(), device_.str(),
                                 to_string(config_.precision)));
  }
  std::int64_t total_steps = 0;
  for (const StageConfig& s : config_.stages) total_steps += stage_steps(config_, s);

  std::int64_t steps_this_call = 0;
  for (size_t si = first_stage; si < config_.stages.size(); ++si) {
    const StageConfig& stage = config_.stages[si];
    stage_ = si;
    model_.model->set_rope_config(stage_configs[si]);
    const std::int64_t steps = stage_steps(config_, stage);
    PackingOptions packing{.seq_len = stage.seq_len,
                           .pad_id = model_.tokenizer->pad_id().value_or(model_.tokenizer->eos_id().value_or(0)),
                           .document_masking = stage.document_masking,
                           .reset_positions = stage.reset_positions,
                           .overflow = stage.overflow};
    std::unique_ptr<MixedStream> stream = make_stream(db_, config_, si, *model_.tokenizer, packing);
    if (!cursor.empty()) stream->seek(mixed_cursor_from_json(cursor));
    cursor.clear();
    if (stage_step == 0) {
      pieces_.begin_stage(run_id_, static_cast<std::int64_t>(si), stage.name, "{}", step_);
      store_.add_event(run_id_, "info",
                       fmt::format("stage {} (\"{}\"): {} steps at {} tokens, rope_theta {}{}", si, stage.name, steps,
                                   stage.seq_len, stage_configs[si].rope.theta,
                                   stage_configs[si].rope.type == RopeType::Default ? "" : " with rope scaling"));
    }
    while (stage_step < steps) {
      const bool stop_asked = lease_.stop_requested();
      if (stop_asked || (options_.max_steps > 0 && steps_this_call >= options_.max_steps)) {
        if (saved_step_ != step_) {
          result_.last_checkpoint =
              save(static_cast<std::int64_t>(si), stage_step, mixed_cursor_to_json(stream->cursor()));
        }
        metrics_.flush();
        lease_.stop(fmt::format("stopped at step {}{}", step_, stop_asked ? " on request" : ""));
        progress_.finish();
        result_.state = RunState::Stopped;
        result_.step = step_;
        return result_;
      }
      result_.last_loss = train_step(*stream, si, stage_step);
      ++stage_step;
      ++steps_this_call;
      progress_.update(step_, total_steps,
                       fmt::format("stage {} ({} tokens) loss {:.4f}", stage.name, stage.seq_len, result_.last_loss));
      lease_.heartbeat();
      const bool stage_done = stage_step == steps;
      const bool checkpoint =
          stage_done || (config_.checkpoint.every_steps > 0 && step_ % config_.checkpoint.every_steps == 0);
      if (checkpoint) {
        // A checkpoint at the end of a stage resumes at the start of the next one.
        result_.last_checkpoint =
            stage_done ? save(static_cast<std::int64_t>(si) + 1, 0, "")
                       : save(static_cast<std::int64_t>(si), stage_step, mixed_cursor_to_json(stream->cursor()));
      }
      if (suite_ && (config_.eval.every_steps > 0 ? step_ % config_.eval.every_steps == 0 : checkpoint)) evaluate();
    }
    pieces_.end_stage(run_id_, static_cast<std::int64_t>(si));
    stage_step = 0;
  }
  metrics_.flush();
  lease_.finish(fmt::format("finished after {} steps, {} tokens", step_, tokens_seen_));
  progress_.finish();
  result_.state = RunState::Finished;
  result_.step = step_;
  return result_;
}

double TrainingLoop::train_step(MixedStream& stream, size_t stage_index, std::int64_t stage_step) {
  const StageConfig& stage = config_.stages[stage_index];
  const BatchConfig batch = stage_batch(config_, stage);
  const auto started = Clock::now();
  const auto n = static_cast<size_t>(batch.micro_batch_size * batch.grad_accumulation);
  std::vector<PackedSequence> seqs;
  std::vector<TrainPiece> pieces;
  std::int64_t targets = 0, real_tokens = 0;
  for (size_t i = 0; i < n; ++i) {
    auto [seq, source] = stream.next();
    for (const PackedPiece& p : seq.pieces) {
      const std::string& name = stream.source_name(source);
      pieces.push_back({static_cast<std::int64_t>(i), name,
                        name.starts_with("dataset:") ? ItemKind::Sample : ItemKind::Document, p.sample_id,
                        p.sample_offset, p.seq_offset, p.length});
    }
    targets += seq.target_tokens();
    real_tokens += seq.real_tokens();
    seqs.push_back(std::move(seq));
  }
  if (options_.on_batch) options_.on_batch(step_ + 1, seqs);
  const bool autocast = config_.precision == Precision::Bf16Mixed && device_.is_cuda();
  const at::Tensor head = model_.model->lm_head_weight();
  const ChunkedCrossEntropyOptions loss_options{.chunk_rows = config_.chunked_loss_rows,
                                                .reduction = LossReduction::Sum};
  double loss_sum = 0;
  for (std::int64_t a = 0; a < batch.grad_accumulation; ++a) {
    const MicroBatch mb = to_tensors(seqs, static_cast<size_t>(a * batch.micro_batch_size),
                                     static_cast<size_t>(batch.micro_batch_size), device_);
    ForwardContext ctx;
    ctx.position_ids = mb.positions;
    if (stage.document_masking) ctx.segment_ids = mb.segments;
    ctx.checkpoint_activations = config_.activation_checkpointing;
    at::Tensor loss;
    {
      AutocastScope scope(autocast);
      const at::Tensor hidden = model_.model->model->forward(mb.ids, ctx);  // [B, T, C]
      loss = chunked_cross_entropy(hidden.reshape({-1, hidden.size(-1)}), head, mb.labels.reshape({-1}), loss_options);
    }
    (loss / static_cast<double>(std::max<std::int64_t>(targets, 1))).backward();
    loss_sum += loss.item<double>();
  }
  const double loss = loss_sum / static_cast<double>(std::max<std::int64_t>(targets, 1));
  if (!std::isfinite(loss)) {
    fail("the loss is {} at step {} (stage \"{}\"); lower the learning rate or check the data", loss, step_ + 1,
         stage.name);
  }
  const double grad_norm = clip_grad_norm(optimizer_->parameters(), config_.optimizer.clip_grad_norm);
  const double lr = lr_at(stage_schedule(config_, stage), stage_step);
  optimizer_->step(lr);
  optimizer_->zero_grad();
  ++step_;
  tokens_seen_ += real_tokens;
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  pieces_.add_pieces(run_id_, step_, pieces);
  for (const auto& [key, value] : {std::pair<const char*, double>{"loss", loss},
                                   {"lr", lr},
                                   {"grad_norm", grad_norm},
                                   {"tokens_per_s", static_cast<double>(real_tokens) / std::max(seconds, 1e-9)},
                                   {"tokens_seen", static_cast<double>(tokens_seen_)},
                                   {"peak_memory_mb", peak_memory_mb(device_)},
                                   {"stage", static_cast<double>(stage_index)},
                                   {"seq_len", static_cast<double>(stage.seq_len)}}) {
    metrics_.add(run_id_, key, step_, value);
  }
  return loss;
}

fs::path TrainingLoop::save(std::int64_t stage_index, std::int64_t stage_step, const std::string& cursor) {
  const TrainingState state{.step = step_,
                            .stage = stage_index,
                            .stage_step = stage_step,
                            .tokens_seen = tokens_seen_,
                            .data_cursor_json = cursor,
                            .run_config_json = run_config_to_json(config_),
                            .optimizer = optimizer_->state_tensors(),
                            .rng = capture_rng_state()};
  SaveOptions save_options;
  save_options.tokenizer_from = model_.tokenizer_dir;
  const fs::path dir =
      save_checkpoint(model_.model, result_.run_dir, state, save_options, config_.checkpoint.keep_last);
  metrics_.flush();  // the metrics up to a checkpoint are durable with it
  store_.add_checkpoint(run_id_, step_, fs::relative(dir, project_.dir()).string());
  std::vector<std::int64_t> kept;
  for (const fs::path& p : list_checkpoints(result_.run_dir)) kept.push_back(*checkpoint_step(p));
  pieces_.forget_checkpoints_except(run_id_, kept);
  store_.add_event(run_id_, "info", fmt::format("checkpoint {} (step {})", dir.filename().string(), step_));
  saved_step_ = step_;
  return dir;
}

void TrainingLoop::evaluate() {
  torch::NoGradGuard no_grad;
  LlamaTextGenerator generator(model_.model, *model_.tokenizer, generation_defaults(model_.base));
  const EvalTarget target{&generator, model_.tokenizer.get(),
                          resolve_prompt_format(suite_->prompt_format, model_.tokenizer_dir), &model_.model};
  const EvalTexts texts = load_eval_texts(*suite_, &db_);
  EvalRunOptions options;
  options.store = &store_;
  options.run_id = run_id_;
  options.checkpoint_step = step_;
  options.on_cell = [this](const EvalCell&) { lease_.heartbeat(); };
  options.should_stop = [this] { return lease_.stop_requested(); };  // the step loop then stops the run
  const EvalRunReport report = run_eval_suite(*suite_, texts, target, options);
  double total = 0;
  std::int64_t scored = 0;
  for (const EvalCell& c : report.cells) {
    if (c.task.starts_with("ppl/")) continue;  // NLL, not a score in [0, 1]
    total += c.score;
    ++scored;
  }
  if (scored > 0) metrics_.add(run_id_, "eval_score", step_, total / static_cast<double>(scored));
  store_.add_event(
      run_id_, "info",
      fmt::format("eval at step {}: {} cells in {:.1f} s{}", step_, report.cells.size(), report.seconds,
                  scored > 0 ? fmt::format(", mean score {:.3f}", total / static_cast<double>(scored)) : ""));
}

/// Everything the config names exists and fits: corpora and datasets in the store, RoPE coverage per stage
/// against the base model, each stage's schedule.
void check_inputs(const Project& project, const RunConfig& config, RunStore& store) {
  validate_against_store(config, store.database());
  validate_against_model(config, base_model_config(project, config));
  for (size_t i = 0; i < config.stages.size(); ++i) {
    try {
      validate(stage_schedule(config, config.stages[i]));
    } catch (const Error& e) {
      fail("{}: stages[{}] (\"{}\"): {}", config.source, i, config.stages[i].name, e.what());
    }
  }
}

std::string oom_reason(const RunConfig& config, size_t stage_index, const at::Device& device, const c10::Error& e) {
  const StageConfig& stage = config.stages[std::min(stage_index, config.stages.size() - 1)];
  const BatchConfig batch = stage_batch(config, stage);
  return fmt::format(
      "out of memory on {} in stage \"{}\": seq_len {}, micro_batch_size {} ({} tokens per forward), {} {:.0f} "
      "MiB; lower micro_batch_size, turn on activation_checkpointing or shorten seq_len ({})",
      device.str(), stage.name, stage.seq_len, batch.micro_batch_size, stage.seq_len * batch.micro_batch_size,
      device.is_cuda() ? "peak allocated" : "peak resident memory", peak_memory_mb(device), e.what_without_backtrace());
}

}  // namespace

fs::path run_directory(const Project& project, const std::string& run_name, std::int64_t run_id) {
  return project.checkpoints_dir() / fmt::format("{}-{}", file_name_chars(run_name), run_id);
}

TrainResult train(const Project& project, const RunConfig& config, const TrainOptions& options) {
  RunStore store(project.open_store(OpenMode::ReadWrite));
  const LeaseRequest request{.kind = "train",
                             .name = config.name,
                             .config_json = run_config_to_json(config),
                             .heartbeat_interval_ms = options.heartbeat_interval_ms};
  // A run the GUI queued is taken first, so that a config it cannot train is recorded as that run's failure.
  std::optional<RunLease> lease;
  if (options.adopt_run) lease.emplace(RunLease::adopt(store, *options.adopt_run, request));
  std::optional<at::Device> device;
  std::optional<EvalSuite> suite;
  std::optional<TrainingState> state;
  std::optional<fs::path> checkpoint;
  std::string changes;
  std::int64_t resume_id = 0;
  try {  // everything the config names, before any work or any new row
    check_inputs(project, config, store);
    device = resolve_device(config.device);
    if (!config.eval.suite.empty()) {
      const fs::path path = project.resolve(config.eval.suite);
      suite = parse_eval_suite(read_text_file(path), path.string());
      resolve_suite_paths(*suite, path.parent_path());
    }
    if (options.resume) {
      state.emplace();
      checkpoint.emplace();
      resume_id = find_resumable_run(store, project, config, options, *state, *checkpoint, changes);
    }
  } catch (const std::exception& e) {
    if (lease) lease->fail(e.what());
    throw;
  }
  if (!lease)
    lease.emplace(options.resume ? RunLease::reopen(store, resume_id, request) : RunLease::create(store, request));

  TrainResult result;
  run_job(*lease, [&] {
    if (state) rewind_to_checkpoint(store, lease->run_id(), config, *state, *checkpoint, changes);
    const size_t first_stage = state ? static_cast<size_t>(state->stage) : 0;
    std::optional<TrainingLoop> loop;
    try {
      loop.emplace(project, config, options, *lease, *device, std::move(suite));
      result = loop->run(std::move(state), checkpoint);
    } catch (const c10::OutOfMemoryError& e) {
      fail("{}", oom_reason(config, loop ? loop->stage() : first_stage, *device, e));
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      // LibTorch's backtrace and allocator internals are for its developers; bad_alloc says nothing alone.
      fail("{}", exception_message(e));
    }
    return result.state;
  });
  return result;
}

}  // namespace rw::core
