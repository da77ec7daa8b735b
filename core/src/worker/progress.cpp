// ProgressReporter (see progress.h).
#include "rw/core/worker/progress.h"

#include <unistd.h>

#include <cmath>
#include <iostream>

#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"
#include "rw/core/worker/worker_output.h"

namespace rw::core {

ProgressMode progress_mode_from_string(std::string_view name) {
  static constexpr std::pair<std::string_view, ProgressMode> kModes[] = {
      {"human", ProgressMode::Human}, {"json", ProgressMode::JsonLines}, {"none", ProgressMode::None}};
  return value_of(kModes, name, "progress mode");
}

ProgressReporter::ProgressReporter(ProgressMode mode, std::string task, std::string unit)
    : mode_(mode), task_(std::move(task)), unit_(std::move(unit)) {}

double ProgressReporter::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

WorkerEvent ProgressReporter::event(std::int64_t done, std::int64_t total, std::string_view detail) const {
  WorkerEvent e;
  e.type = WorkerEventType::Progress;
  e.done = done;
  e.total = total;
  e.unit = unit_;
  e.elapsed_s = elapsed_s();
  e.rate = e.elapsed_s > 0 ? static_cast<double>(done) / e.elapsed_s : 0.0;
  if (total > 0 && done > 0 && done <= total)
    e.eta_s = e.elapsed_s * static_cast<double>(total - done) / static_cast<double>(done);
  e.stage = stage_;
  e.detail = std::string(detail);
  return e;
}

void ProgressReporter::update(std::int64_t done, std::int64_t total, std::string_view detail) {
  if (mode_ == ProgressMode::None) return;
  const auto now = std::chrono::steady_clock::now();
  // A terminal gets one line rewritten in place; a log file gets a new line every few seconds.
  const bool tty = mode_ == ProgressMode::Human && ::isatty(STDERR_FILENO) == 1;
  const auto min_gap = mode_ == ProgressMode::JsonLines ? std::chrono::milliseconds(100)
                       : tty                            ? std::chrono::milliseconds(250)
                                                        : std::chrono::milliseconds(5000);
  const bool final = total > 0 && done >= total;
  if (!final && now - last_write_ < min_gap) return;
  last_write_ = now;
  if (mode_ == ProgressMode::JsonLines) {
    WorkerOutput::instance().progress(event(done, total, detail));
    return;
  }
  std::string line = fmt::format("{}{}: {}", tty ? "\r" : "", task_, done);
  if (total > 0) {
    line +=
        fmt::format("/{} {} ({:.0f}%)", total, unit_, 100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    line += " " + unit_;
  }
  if (!detail.empty()) line += fmt::format(", {}", detail);
  if (tty) {
    std::cerr << line << "\x1b[K" << std::flush;  // clear the rest of a longer previous line
    wrote_human_ = true;
  } else {
    std::cerr << line << '\n' << std::flush;
  }
}

void ProgressReporter::finish() {
  if (mode_ == ProgressMode::Human && wrote_human_) std::cerr << '\n' << std::flush;
  wrote_human_ = false;
}

}  // namespace rw::core
