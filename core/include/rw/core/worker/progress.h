// One progress reporter for every long job: a throttled human line on stderr for the CLI, or `progress`
// events of the worker protocol on stdout for the GUI (which launches jobs with --progress json and reads
// their stdout; worker_output.h).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rw::core {

enum class ProgressMode { None, Human, JsonLines };

/// "none" | "human" | "json"; Error naming the value otherwise.
ProgressMode progress_mode_from_string(std::string_view name);

struct WorkerEvent;

class ProgressReporter {
 public:
  /// task: what is running, for the human line ("import", "train", ...); unit: what done/total count
  /// ("files", "steps").
  ProgressReporter(ProgressMode mode, std::string task, std::string unit);

  /// The phase or training stage reported with the following updates ("" = none).
  void set_stage(std::string stage) { stage_ = std::move(stage); }

  /// Reports done of total (total 0 = unknown); detail is free text (e.g. "12.5 MB, 340 documents").
  /// Human lines are throttled to a few per second; JSON lines to 10 per second; the final update
  /// (done == total) is always written.
  void update(std::int64_t done, std::int64_t total, std::string_view detail = {});
  /// Ends the human line (newline); nothing for JSON.
  void finish();

  /// The `progress` event update() writes in JSON mode (rate and ETA from the time since construction).
  WorkerEvent event(std::int64_t done, std::int64_t total, std::string_view detail) const;

 private:
  double elapsed_s() const;
  ProgressMode mode_;
  std::string task_, unit_, stage_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_write_{};
  bool wrote_human_ = false;
};

}  // namespace rw::core
