// The worker event protocol: what every worker command (train, eval, synth, corpus add) writes on stdout
// under --progress json, one JSON object per line, and the parser the GUI reads those lines with. The
// reference is docs/worker-protocol.md. Every worker writes `started` first and exactly one of `result`
// or `error` last; `progress` and `log` lines come between. No LibTorch, no Qt: both sides link this.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rw::core {

inline constexpr int kWorkerProtocolVersion = 1;

enum class WorkerEventType { Started, Progress, Log, Result, Error };
inline constexpr std::pair<std::string_view, WorkerEventType> kWorkerEventTypeNames[] = {
    {"started", WorkerEventType::Started},
    {"progress", WorkerEventType::Progress},
    {"log", WorkerEventType::Log},
    {"result", WorkerEventType::Result},
    {"error", WorkerEventType::Error}};

/// One line of the protocol. Which fields are set depends on `type` (docs/worker-protocol.md).
struct WorkerEvent {
  WorkerEventType type = WorkerEventType::Log;
  // started
  int protocol = kWorkerProtocolVersion;
  std::string kind;                   ///< train | eval | synth | import
  std::optional<std::int64_t> run_id;  ///< the run in the project's store; none for a job without a store
  std::int64_t pid = 0;
  // progress
  std::int64_t done = 0;
  std::int64_t total = 0;  ///< 0 = unknown
  std::string unit;        ///< what done/total count: "steps", "cells", "files", "samples"
  double rate = 0;         ///< units per second since the job started
  std::optional<double> eta_s;
  double elapsed_s = 0;
  std::string stage;   ///< the phase or training stage ("" when the job has one phase)
  std::string detail;  ///< free text for people ("loss 2.31", "12.5 MB, 340 documents")
  // log
  std::string level;  ///< debug | info | warning | error
  std::string text;
  // result: the command's own JSON object, as text (docs/worker-protocol.md lists each command's keys)
  std::string payload_json = "{}";
  // error
  std::string message;
  std::string file, json_path, key;  ///< where in the user's input, when known ("" otherwise)
};

/// The event as one JSON line (no newline).
std::string to_json_line(const WorkerEvent& event);

/// Parses and validates one line: a JSON object with a known "type" and that type's required fields of the
/// right JSON types. Error naming the line's problem otherwise (the GUI shows it as a protocol error).
WorkerEvent parse_worker_event(std::string_view line);

/// Checks a whole stdout transcript: every line an event, `started` first, exactly one `result` or `error`,
/// and it last. Returns the events; Error naming the line number and the rule broken otherwise.
std::vector<WorkerEvent> parse_worker_transcript(std::string_view transcript);

}  // namespace rw::core
