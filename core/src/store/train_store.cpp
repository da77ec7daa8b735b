// TrainStore: SQL for train_pieces, run_stages and discarding rows past a resume point (see train_store.h).
#include "rw/core/store/train_store.h"

#include <algorithm>

#include "rw/core/util/error.h"

namespace rw::core {

std::string_view to_string(ItemKind kind) { return kind == ItemKind::Document ? "document" : "sample"; }

void TrainStore::add_pieces(std::int64_t run_id, std::int64_t step, const std::vector<TrainPiece>& pieces) {
  std::optional<Transaction> tx;
  if (!db_.in_transaction()) tx.emplace(db_);
  auto s = db_.prepare(
      "INSERT INTO train_pieces(run_id, step, sequence, source, item_kind, item_id, item_offset, seq_offset, length) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  for (const TrainPiece& p : pieces) {
    s.reset();
    s.bind(1, run_id).bind(2, step).bind(3, p.sequence).bind(4, p.source).bind(5, to_string(p.item_kind));
    s.bind(6, p.item_id).bind(7, p.item_offset).bind(8, p.seq_offset).bind(9, p.length);
    s.run();
  }
  if (tx) tx->commit();
}

std::vector<TrainPiece> TrainStore::pieces(std::int64_t run_id, std::int64_t step) {
  auto s = db_.prepare(
      "SELECT sequence, source, item_kind, item_id, item_offset, seq_offset, length FROM train_pieces "
      "WHERE run_id = ?1 AND step = ?2 ORDER BY rowid");
  s.bind(1, run_id).bind(2, step);
  std::vector<TrainPiece> out;
  while (s.step()) {
    out.push_back({s.column_int64(0), s.column_text(1),
                   s.column_text(2) == "document" ? ItemKind::Document : ItemKind::Sample, s.column_int64(3),
                   s.column_int64(4), s.column_int64(5), s.column_int64(6)});
  }
  return out;
}

std::vector<std::int64_t> TrainStore::steps_with_item(std::int64_t run_id, ItemKind kind, std::int64_t item_id) {
  auto s = db_.prepare(
      "SELECT DISTINCT step FROM train_pieces WHERE item_kind = ?2 AND item_id = ?3 AND run_id = ?1 ORDER BY step");
  s.bind(1, run_id).bind(2, to_string(kind)).bind(3, item_id);
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.column_int64(0));
  return out;
}

void TrainStore::begin_stage(std::int64_t run_id, std::int64_t index, std::string_view name,
                             std::string_view config_json, std::int64_t start_step) {
  auto s = db_.prepare(
      "INSERT OR REPLACE INTO run_stages(run_id, idx, name, config_json, start_step, started_ms, ended_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)");
  s.bind(1, run_id).bind(2, index).bind(3, name).bind(4, config_json).bind(5, start_step).bind(6, now_ms());
  s.run();
}

void TrainStore::end_stage(std::int64_t run_id, std::int64_t index) {
  auto s = db_.prepare("UPDATE run_stages SET ended_ms = ?3 WHERE run_id = ?1 AND idx = ?2");
  s.bind(1, run_id).bind(2, index).bind(3, now_ms());
  s.run();
  if (db_.changes() == 0) fail("{}: run {} has no stage {} to end", db_.path().string(), run_id, index);
}

std::vector<StageRecord> TrainStore::stages(std::int64_t run_id) {
  auto s = db_.prepare(
      "SELECT idx, name, config_json, start_step, started_ms, ended_ms FROM run_stages WHERE run_id = ?1 ORDER BY idx");
  s.bind(1, run_id);
  std::vector<StageRecord> out;
  while (s.step()) {
    out.push_back({s.column_int64(0), s.column_text(1), s.column_text(2), s.column_optional_int64(3),
                   s.column_optional_int64(4), s.column_optional_int64(5)});
  }
  return out;
}

void TrainStore::forget_checkpoints_except(std::int64_t run_id, const std::vector<std::int64_t>& kept) {
  Transaction tx(db_);
  auto steps = db_.prepare("SELECT step FROM checkpoints WHERE run_id = ?1");
  steps.bind(1, run_id);
  std::vector<std::int64_t> gone;
  while (steps.step()) {
    const std::int64_t step = steps.column_int64(0);
    if (std::find(kept.begin(), kept.end(), step) == kept.end()) gone.push_back(step);
  }
  auto del = db_.prepare("DELETE FROM checkpoints WHERE run_id = ?1 AND step = ?2");
  for (std::int64_t step : gone) {
    del.reset();
    del.bind(1, run_id).bind(2, step);
    del.run();
  }
  tx.commit();
}

void TrainStore::discard_after(std::int64_t run_id, std::int64_t step) {
  Transaction tx(db_);
  for (const char* sql : {
           "DELETE FROM metrics WHERE run_id = ?1 AND step > ?2",
           "DELETE FROM train_pieces WHERE run_id = ?1 AND step > ?2",
           "DELETE FROM checkpoints WHERE run_id = ?1 AND step > ?2",
           "DELETE FROM eval_cells WHERE run_id = ?1 AND checkpoint_step > ?2",
           "DELETE FROM run_stages WHERE run_id = ?1 AND start_step > ?2",
           "DELETE FROM latest_metrics WHERE run_id = ?1",
           // The newest remaining point per key; rowid breaks ties between points logged twice for a step.
           "INSERT INTO latest_metrics(run_id, key, step, value, is_nan, ts_ms) "
           "SELECT run_id, key, step, value, is_nan, ts_ms FROM metrics m WHERE run_id = ?1 AND rowid = "
           "(SELECT rowid FROM metrics WHERE run_id = ?1 AND key = m.key ORDER BY step DESC, rowid DESC LIMIT 1)",
       }) {
    auto s = db_.prepare(sql);
    s.bind(1, run_id);
    if (std::string_view(sql).find("?2") != std::string_view::npos) s.bind(2, step);
    s.run();
  }
  tx.commit();
}

}  // namespace rw::core
