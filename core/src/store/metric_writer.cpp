// MetricWriter: batched INSERTs into metrics plus the latest_metrics upsert, one transaction per flush.
// Not the reader queries (run_store.cpp).
#include "rw/core/store/metric_writer.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <map>
#include <utility>

#include "rw/core/util/error.h"

namespace rw::core {

MetricWriter::MetricWriter(RunStore& store, Options options) : store_(store), options_(options) {
  rows_.reserve(options_.max_rows);
}

MetricWriter::~MetricWriter() {
  try {
    flush();
  } catch (const std::exception& e) {
    spdlog::error("metric writer: {} rows lost: {}", rows_.size(), e.what());
  }
}

void MetricWriter::add(std::int64_t run_id, std::string_view key, std::int64_t step, double value) {
  if (rows_.empty()) oldest_ = std::chrono::steady_clock::now();
  rows_.push_back(Row{run_id, std::string(key), step, value, now_ms()});
  if (rows_.size() >= options_.max_rows || std::chrono::steady_clock::now() - oldest_ >= options_.max_delay) flush();
}

void MetricWriter::flush() {
  if (rows_.empty()) return;
  Database& db = store_.database();
  Transaction tx(db);
  auto insert = db.prepare("INSERT INTO metrics(run_id, key, step, value, is_nan, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  // Only move latest forward: rows may arrive out of step order (several keys, resumed runs).
  auto latest = db.prepare(
      "INSERT INTO latest_metrics(run_id, key, step, value, is_nan, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value, "
      "is_nan = excluded.is_nan, ts_ms = excluded.ts_ms WHERE excluded.step >= latest_metrics.step");
  const auto bind_row = [](Statement& s, const Row& row) {
    // SQLite stores NaN as NULL; keep the column NOT NULL and the fact in is_nan.
    const bool nan = std::isnan(row.value);
    s.reset();
    s.bind(1, row.run_id).bind(2, row.key).bind(3, row.step).bind(4, nan ? 0.0 : row.value);
    s.bind(5, static_cast<std::int64_t>(nan ? 1 : 0)).bind(6, row.ts_ms);
    s.run();
  };
  // latest_metrics needs one upsert per (run, key), with its newest row (the last of the highest step):
  // the same end state as one upsert per row, at a fraction of the writes.
  std::map<std::pair<std::int64_t, std::string_view>, const Row*> newest;
  for (const Row& row : rows_) {
    bind_row(insert, row);
    const Row*& best = newest[{row.run_id, row.key}];
    if (!best || row.step >= best->step) best = &row;
  }
  for (const auto& [key, row] : newest) bind_row(latest, *row);
  tx.commit();
  ++transactions_;
  rows_written_ += rows_.size();
  rows_.clear();
}

}  // namespace rw::core
