// MetricWriter: buffers scalar metrics (run, key, step, value) and writes them in one transaction per
// batch, keeping latest_metrics current. One transaction per log interval keeps a job's write rate
// (and its fsyncs) independent of how many scalars it logs. Not the reader side (run_store.h).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/run_store.h"

namespace rw::core {

class MetricWriter {
 public:
  struct Options {
    size_t max_rows = 512;                        // flush when this many rows are buffered
    std::chrono::milliseconds max_delay{1000};    // ... or when the oldest buffered row is this old
  };

  /// Writes through `store`'s connection, which must outlive the writer.
  explicit MetricWriter(RunStore& store) : MetricWriter(store, Options{}) {}
  MetricWriter(RunStore& store, Options options);
  /// Flushes what is left; an error there is logged, not thrown (call flush() first to see it).
  ~MetricWriter();
  MetricWriter(const MetricWriter&) = delete;
  MetricWriter& operator=(const MetricWriter&) = delete;

  /// Buffers one point (NaN allowed: stored as value 0, is_nan 1). Flushes when a limit is reached; the
  /// delay is checked here, not by a timer, so an idle writer holds rows until the next add() or flush().
  void add(std::int64_t run_id, std::string_view key, std::int64_t step, double value);
  /// Writes the buffer in one transaction (nothing when empty). On Error the buffer is kept for a retry.
  void flush();

  size_t buffered() const { return rows_.size(); }
  /// Transactions committed so far (for tests and diagnostics).
  size_t transactions() const { return transactions_; }
  size_t rows_written() const { return rows_written_; }

 private:
  struct Row {
    std::int64_t run_id;
    std::string key;
    std::int64_t step;
    double value;
    std::int64_t ts_ms;
  };
  RunStore& store_;
  Options options_;
  std::vector<Row> rows_;
  std::chrono::steady_clock::time_point oldest_{};
  size_t transactions_ = 0;
  size_t rows_written_ = 0;
};

}  // namespace rw::core
