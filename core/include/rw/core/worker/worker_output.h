// The worker side of the event protocol (worker_protocol.h): one process-wide writer that every worker
// command configures from its --progress flag. Under json it writes protocol lines on stdout and keeps the
// protocol's order (started first, exactly one result or error last); log records (spdlog) become `log`
// events. Under human and none it writes nothing on stdout: commands print their own human output, and
// progress goes to stderr (progress.h).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "rw/core/util/error.h"
#include "rw/core/worker/progress.h"
#include "rw/core/worker/worker_protocol.h"

namespace rw::core {

class WorkerOutput {
 public:
  static WorkerOutput& instance();

  /// Sets the mode and the job kind ("train", "eval", "synth", "import"). Json also routes spdlog's default
  /// logger into `log` events. Call once, before the first event.
  void configure(ProgressMode mode, std::string kind);
  ProgressMode mode() const;
  bool json() const { return mode() == ProgressMode::JsonLines; }

  /// `started`, at most once (later calls with the same run are ignored; in JSON mode a different run is an
  /// Error: one worker process, one job).
  void started(std::optional<std::int64_t> run_id);
  void progress(WorkerEvent event);  // type and nothing else is set here
  void log(std::string_view level, std::string_view text);
  /// The final line: `result` with the command's JSON object. Writes `started` first if it is missing.
  void result(const std::string& payload_json);
  /// The final line: `error`. Writes `started` first if it is missing; nothing when a final line was written.
  void error(std::string_view message, const ErrorContext& context = {});
  bool finished() const;

 private:
  void write(const WorkerEvent& event);  // with mutex_ held
  void ensure_started();                 // with mutex_ held

  mutable std::mutex mutex_;
  ProgressMode mode_ = ProgressMode::None;
  std::string kind_;
  bool started_ = false, finished_ = false;
  std::optional<std::int64_t> run_id_;
};

}  // namespace rw::core
