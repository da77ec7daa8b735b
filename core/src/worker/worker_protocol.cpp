// The worker event protocol's lines (see worker_protocol.h and docs/worker-protocol.md).
#include "rw/core/worker/worker_protocol.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>

#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"

namespace rw::core {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kLevels[] = {"debug", "info", "warning", "error"};

/// Field checks of one parsed line; errors name the line's type and the field.
class LineReader {
 public:
  LineReader(const json& line, std::string_view type) : line_(line), type_(type) {}

  void only(std::initializer_list<std::string_view> keys) const {
    for (const auto& item : line_.items()) {
      if (item.key() == "type" || std::find(keys.begin(), keys.end(), item.key()) != keys.end()) continue;
      fail("worker event \"{}\": unknown field \"{}\"", type_, item.key());
    }
  }
  const json& at(std::string_view key) const {
    const auto it = line_.find(key);
    if (it == line_.end()) fail("worker event \"{}\": missing field \"{}\"", type_, key);
    return *it;
  }
  std::string string(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_string()) fail("worker event \"{}\": \"{}\" must be a string, got {}", type_, key, v.dump());
    return v.get<std::string>();
  }
  std::string optional_string(std::string_view key) const { return line_.contains(key) ? string(key) : ""; }
  std::int64_t integer(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail("worker event \"{}\": \"{}\" must be an integer, got {}", type_, key, v.dump());
    return v.get<std::int64_t>();
  }
  double number(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number()) fail("worker event \"{}\": \"{}\" must be a number, got {}", type_, key, v.dump());
    return v.get<double>();
  }
  std::optional<std::int64_t> integer_or_null(std::string_view key) const {
    return at(key).is_null() ? std::nullopt : std::optional(integer(key));
  }
  std::optional<double> number_or_null(std::string_view key) const {
    return at(key).is_null() ? std::nullopt : std::optional(number(key));
  }

 private:
  const json& line_;
  std::string_view type_;
};

}  // namespace

std::string to_json_line(const WorkerEvent& e) {
  // "type" first, then the fields in the order docs/worker-protocol.md lists them.
  ordered_json j = {{"type", name_of(kWorkerEventTypeNames, e.type)}};
  switch (e.type) {
    case WorkerEventType::Started:
      j["protocol"] = e.protocol;
      j["kind"] = e.kind;
      j["run_id"] = e.run_id ? ordered_json(*e.run_id) : ordered_json(nullptr);
      j["pid"] = e.pid;
      break;
    case WorkerEventType::Progress:
      j["done"] = e.done;
      j["total"] = e.total;
      j["unit"] = e.unit;
      j["rate"] = e.rate;
      j["eta_s"] = e.eta_s ? ordered_json(*e.eta_s) : ordered_json(nullptr);
      j["elapsed_s"] = e.elapsed_s;
      j["stage"] = e.stage;
      j["detail"] = e.detail;
      break;
    case WorkerEventType::Log:
      j["level"] = e.level;
      j["text"] = e.text;
      break;
    case WorkerEventType::Result:
      j["payload"] = ordered_json::parse(e.payload_json);
      break;
    case WorkerEventType::Error:
      j["message"] = e.message;
      if (!e.file.empty()) j["file"] = e.file;
      if (!e.json_path.empty()) j["json_path"] = e.json_path;
      if (!e.key.empty()) j["key"] = e.key;
      break;
  }
  // Text from files and models may hold invalid UTF-8: replaced, so the line is always valid JSON.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

WorkerEvent parse_worker_event(std::string_view line) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::parse_error&) {
    fail("worker event: not a JSON line: {}", line.substr(0, 200));
  }
  if (!j.is_object()) fail("worker event: not a JSON object: {}", line.substr(0, 200));
  if (!j.contains("type") || !j.at("type").is_string()) fail("worker event: no \"type\" string: {}", line.substr(0, 200));
  WorkerEvent e;
  e.type = value_of(kWorkerEventTypeNames, j.at("type").get<std::string>(), "worker event type");
  const std::string type(name_of(kWorkerEventTypeNames, e.type));
  const LineReader r(j, type);
  switch (e.type) {
    case WorkerEventType::Started:
      r.only({"protocol", "kind", "run_id", "pid"});
      e.protocol = static_cast<int>(r.integer("protocol"));
      if (e.protocol != kWorkerProtocolVersion)
        fail("worker event \"started\": protocol {} (this build reads {})", e.protocol, kWorkerProtocolVersion);
      e.kind = r.string("kind");
      e.run_id = r.integer_or_null("run_id");
      e.pid = r.integer("pid");
      break;
    case WorkerEventType::Progress:
      r.only({"done", "total", "unit", "rate", "eta_s", "elapsed_s", "stage", "detail"});
      e.done = r.integer("done");
      e.total = r.integer("total");
      if (e.done < 0 || e.total < 0) fail("worker event \"progress\": negative done or total");
      e.unit = r.string("unit");
      e.rate = r.number("rate");
      e.eta_s = r.number_or_null("eta_s");
      e.elapsed_s = r.number("elapsed_s");
      e.stage = r.string("stage");
      e.detail = r.string("detail");
      break;
    case WorkerEventType::Log:
      r.only({"level", "text"});
      e.level = r.string("level");
      if (std::find(std::begin(kLevels), std::end(kLevels), e.level) == std::end(kLevels))
        fail("worker event \"log\": unknown level \"{}\"", e.level);
      e.text = r.string("text");
      break;
    case WorkerEventType::Result:
      r.only({"payload"});
      if (!r.at("payload").is_object()) fail("worker event \"result\": \"payload\" must be an object");
      e.payload_json = r.at("payload").dump();
      break;
    case WorkerEventType::Error:
      r.only({"message", "file", "json_path", "key"});
      e.message = r.string("message");
      if (e.message.empty()) fail("worker event \"error\": empty message");
      e.file = r.optional_string("file");
      e.json_path = r.optional_string("json_path");
      e.key = r.optional_string("key");
      break;
  }
  return e;
}

std::vector<WorkerEvent> parse_worker_transcript(std::string_view transcript) {
  std::vector<WorkerEvent> events;
  size_t line_no = 0, begin = 0;
  while (begin < transcript.size()) {
    size_t end = transcript.find('\n', begin);
    if (end == std::string_view::npos) end = transcript.size();
    const std::string_view line = transcript.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    WorkerEvent e;
    try {
      e = parse_worker_event(line);
    } catch (const Error& error) {
      fail("line {}: {}", line_no, error.what());
    }
    const bool first = events.empty();
    if (first != (e.type == WorkerEventType::Started))
      fail("line {}: \"started\" must be the first line and only the first", line_no);
    if (!first && (events.back().type == WorkerEventType::Result || events.back().type == WorkerEventType::Error))
      fail("line {}: a line after the final \"{}\"", line_no, name_of(kWorkerEventTypeNames, events.back().type));
    events.push_back(std::move(e));
  }
  if (events.empty()) fail("no worker events (an empty transcript)");
  const WorkerEventType last = events.back().type;
  if (last != WorkerEventType::Result && last != WorkerEventType::Error)
    fail("the transcript ends without a \"result\" or \"error\" line");
  return events;
}

}  // namespace rw::core
