// TrainStore: the trainer's own rows in the run store: which tokens of which document or sample went into
// each optimizer step (train_pieces), the stages of a run (run_stages), and forgetting what a run wrote
// after the checkpoint it resumes from. Not the run life cycle, metrics or checkpoints list (run_store.h,
// metric_writer.h), and not the training loop (train/trainer.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

enum class ItemKind { Document, Sample };
std::string_view to_string(ItemKind kind);

/// Item tokens [item_offset, item_offset + length) at positions [seq_offset, seq_offset + length) of packed
/// sequence `sequence` of a step (micro-batch index times accumulation, in the order they were trained).
struct TrainPiece {
  std::int64_t sequence = 0;
  std::string source;  // "corpus:NAME" or "dataset:NAME"
  ItemKind item_kind = ItemKind::Document;
  std::int64_t item_id = 0;
  std::int64_t item_offset = 0;
  std::int64_t seq_offset = 0;
  std::int64_t length = 0;
  bool operator==(const TrainPiece&) const = default;
};

struct StageRecord {
  std::int64_t index = 0;
  std::string name;
  std::string config_json;
  std::optional<std::int64_t> start_step, started_ms, ended_ms;
};

class TrainStore {
 public:
  explicit TrainStore(Database& db) : db_(db) {}

  /// Records a step's pieces (in the caller's transaction when one is open, else in one of its own).
  void add_pieces(std::int64_t run_id, std::int64_t step, const std::vector<TrainPiece>& pieces);
  /// A step's pieces in the order they were added.
  std::vector<TrainPiece> pieces(std::int64_t run_id, std::int64_t step);
  /// The steps of a run that trained on an item, ascending.
  std::vector<std::int64_t> steps_with_item(std::int64_t run_id, ItemKind kind, std::int64_t item_id);

  /// A stage has started (started_ms = now) at optimizer step start_step; replaces an earlier record of the
  /// same stage (a resumed run re-enters the stage it stopped in).
  void begin_stage(std::int64_t run_id, std::int64_t index, std::string_view name, std::string_view config_json,
                   std::int64_t start_step);
  void end_stage(std::int64_t run_id, std::int64_t index);
  std::vector<StageRecord> stages(std::int64_t run_id);

  /// Deletes the run's checkpoint rows whose step is not in `kept` (after keep-last pruned their folders).
  void forget_checkpoints_except(std::int64_t run_id, const std::vector<std::int64_t>& kept);

  /// Forgets what the run wrote for steps after `step` (metrics, train pieces, checkpoint rows, eval cells of
  /// later checkpoints, stages not yet begun by then), so a run resumed from the checkpoint at `step` writes
  /// them again instead of twice. latest_metrics is recomputed from what remains. One transaction.
  void discard_after(std::int64_t run_id, std::int64_t step);

 private:
  Database& db_;
};

}  // namespace rw::core
