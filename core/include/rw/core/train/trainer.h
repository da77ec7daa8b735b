// The training loop of `ropewalk-cli train PROJECT RUN.json`: stages in order (each with its sequence length
// and RoPE settings), packed sequences from the stage's data mix, chunked cross-entropy, AdamW with the
// stage's schedule, gradient accumulation and clipping, metrics and per-step provenance in the run store,
// JSON-lines progress, checkpoints with exact resume, and a clean stop on request. The run row records the
// outcome: finished, stopped (after a checkpoint), or failed with the reason (out-of-memory included).
// Not the pieces it drives: model (llama.h), data (sequence_stream.h), optimizer, schedule, checkpoints.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "rw/core/data/packing.h"
#include "rw/core/store/run_store.h"
#include "rw/core/config/run_config.h"
#include "rw/core/worker/progress.h"

namespace rw::core {

class Project;

struct TrainOptions {
  ProgressMode progress = ProgressMode::None;
  /// Continue run `resume_run` (or, when unset, the newest train run named like the config) from its
  /// latest checkpoint. The run config may differ from the checkpoint's only as resume_rules.h allows;
  /// an accepted change replaces the run's stored config and is logged as an event.
  bool resume = false;
  std::optional<std::int64_t> resume_run;
  /// Train the queued run with this id (one the GUI created) instead of creating a run (not with resume).
  std::optional<std::int64_t> adopt_run;
  /// Stop like a request once this many optimizer steps were taken in this call (0 = no limit).
  std::int64_t max_steps = 0;
  std::int64_t heartbeat_interval_ms = 2000;
  /// Sees every step's sequences (1-based step, micro-batches in order) before they are trained on, for
  /// tests and tools that replay a step elsewhere.
  std::function<void(std::int64_t step, const std::vector<PackedSequence>& sequences)> on_batch;
};

struct TrainResult {
  std::int64_t run_id = 0;
  RunState state = RunState::Finished;  // Finished or Stopped (failures throw)
  std::int64_t step = 0;                // optimizer steps done in total
  double last_loss = 0;
  std::filesystem::path run_dir;  // <project>/checkpoints/<name>-<run id>
  std::optional<std::filesystem::path> last_checkpoint;
};

/// Trains a run of `project` under a RunLease (worker/run_lease.h). Everything the config names is checked
/// before a run row is created (corpora and datasets in the store, RoPE coverage per stage, schedules); an
/// adopted queued run records such a failure. Between steps the trainer heartbeats and, when SIGINT/SIGTERM
/// asked for a stop, checkpoints and stops. Failures after the run row exists mark it failed with the reason
/// and rethrow; an out-of-memory error's reason names the stage, sequence length, micro-batch and memory.
TrainResult train(const Project& project, const RunConfig& config, const TrainOptions& options = {});

/// The folder a run's tokenizer and checkpoints live in.
std::filesystem::path run_directory(const Project& project, const std::string& run_name, std::int64_t run_id);

}  // namespace rw::core
