// WorkerOutput (see worker_output.h).
#include "rw/core/worker/worker_output.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>

namespace rw::core {
namespace {

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warning";
    default: return "error";
  }
}

/// spdlog records as `log` events, so everything core logs reaches the GUI through the protocol.
class LogEventSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    WorkerOutput::instance().log(level_name(msg.level), std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}
};

}  // namespace

WorkerOutput& WorkerOutput::instance() {
  static WorkerOutput output;
  return output;
}

void WorkerOutput::configure(ProgressMode mode, std::string kind) {
  {
    const std::lock_guard lock(mutex_);
    mode_ = mode;
    kind_ = std::move(kind);
  }
  if (mode == ProgressMode::JsonLines) {
    auto logger = std::make_shared<spdlog::logger>("ropewalk", std::make_shared<LogEventSink>());
    logger->set_level(spdlog::get_level());
    spdlog::set_default_logger(logger);
  }
}

ProgressMode WorkerOutput::mode() const {
  const std::lock_guard lock(mutex_);
  return mode_;
}

bool WorkerOutput::finished() const {
  const std::lock_guard lock(mutex_);
  return finished_;
}

void WorkerOutput::write(const WorkerEvent& event) {
  if (mode_ != ProgressMode::JsonLines || finished_) return;
  std::cout << to_json_line(event) << '\n' << std::flush;
}

void WorkerOutput::ensure_started() {
  if (started_) return;
  started_ = true;
  WorkerEvent e;
  e.type = WorkerEventType::Started;
  e.kind = kind_;
  e.run_id = run_id_;
  e.pid = static_cast<std::int64_t>(::getpid());
  write(e);
}

void WorkerOutput::started(std::optional<std::int64_t> run_id) {
  const std::lock_guard lock(mutex_);
  if (mode_ != ProgressMode::JsonLines) return;  // in-process callers (tests, tools) may run several jobs
  if (started_) {
    if (run_id != run_id_) fail("worker output: started twice, for run {} and run {}", run_id_.value_or(-1), run_id.value_or(-1));
    return;
  }
  run_id_ = run_id;
  ensure_started();
}

void WorkerOutput::progress(WorkerEvent event) {
  const std::lock_guard lock(mutex_);
  event.type = WorkerEventType::Progress;
  ensure_started();
  write(event);
}

void WorkerOutput::log(std::string_view level, std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (mode_ != ProgressMode::JsonLines) return;
  ensure_started();
  WorkerEvent e;
  e.type = WorkerEventType::Log;
  e.level = std::string(level);
  e.text = std::string(text);
  write(e);
}

void WorkerOutput::result(const std::string& payload_json) {
  const std::lock_guard lock(mutex_);
  ensure_started();
  WorkerEvent e;
  e.type = WorkerEventType::Result;
  e.payload_json = payload_json;
  write(e);
  finished_ = true;
}

void WorkerOutput::error(std::string_view message, const ErrorContext& context) {
  const std::lock_guard lock(mutex_);
  ensure_started();
  WorkerEvent e;
  e.type = WorkerEventType::Error;
  e.message = message.empty() ? "unknown error" : std::string(message);
  e.file = context.file;
  e.json_path = context.json_path;
  e.key = context.key;
  write(e);
  finished_ = true;
}

}  // namespace rw::core
