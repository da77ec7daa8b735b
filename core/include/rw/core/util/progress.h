// One progress reporter for every long job: a throttled human line on stderr for the CLI, or JSON lines
// on stdout for the GUI (which launches jobs with --progress json and reads their stdout).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rw::core {

enum class ProgressMode { None, Human, JsonLines };

/// "none" | "human" | "json"; Error naming the value otherwise.
ProgressMode progress_mode_from_string(std::string_view name);

class ProgressReporter {
 public:
  /// task: what is running ("import", "train", ...); unit: what done/total count ("files", "steps").
  ProgressReporter(ProgressMode mode, std::string task, std::string unit);

  /// Reports done of total (total 0 = unknown); detail is free text (e.g. "12.5 MB, 340 documents").
  /// Human lines are throttled to a few per second; JSON lines to 10 per second; the final update
  /// (done == total) is always written.
  void update(std::int64_t done, std::int64_t total, std::string_view detail = {});
  /// Ends the human line (newline); nothing for JSON.
  void finish();

  /// The JSON line update() writes: {"type":"progress","task":..,"unit":..,"done":..,"total":..,
  /// "elapsed_s":..,"eta_s":..(or null),"detail":..}.
  std::string json_line(std::int64_t done, std::int64_t total, std::string_view detail) const;

 private:
  double elapsed_s() const;
  ProgressMode mode_;
  std::string task_, unit_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_write_{};
  bool wrote_human_ = false;
};

}  // namespace rw::core
