// Dataset import (see dataset_import.h): JSONL lines in the messages, ShareGPT and Alpaca layouts turned
// into conversations and stored through DatasetStore in one transaction.
#include "rw/core/data/dataset_import.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "rw/core/store/dataset_store.h"
#include "rw/core/util/enum_names.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/util/utf8.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::pair<std::string_view, DatasetFormat> kFormats[] = {{"auto", DatasetFormat::Auto},
                                                                   {"messages", DatasetFormat::Messages},
                                                                   {"sharegpt", DatasetFormat::ShareGpt},
                                                                   {"alpaca", DatasetFormat::Alpaca}};

bool all_whitespace(std::string_view s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos; }

/// A line's conversation, or why it has none (the skip reason).
using Parsed = std::variant<std::vector<ChatMessage>, std::string>;

DatasetFormat detect(const json& line) {
  if (line.contains("messages")) return DatasetFormat::Messages;
  if (line.contains("conversations")) return DatasetFormat::ShareGpt;
  if (line.contains("instruction") && line.contains("output")) return DatasetFormat::Alpaca;
  return DatasetFormat::Auto;  // none
}

/// The string at `key` of an object, or nothing when absent; a reason in `problem` when not a string.
std::optional<std::string> string_field(const json& object, const char* key, std::string& problem) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    problem = fmt::format("\"{}\" is a {}, not a string", key, it->type_name());
    return std::nullopt;
  }
  return it->get<std::string>();
}

Parsed parse_turns(const json& line, const char* list_key, const char* role_key, const char* content_key,
                   bool sharegpt) {
  const auto list = line.find(list_key);
  if (list == line.end() || !list->is_array()) return fmt::format("no \"{}\" array", list_key);
  std::vector<ChatMessage> out;
  if (sharegpt) {
    std::string problem;
    if (auto system = string_field(line, "system", problem)) out.push_back({"system", *system});
    if (!problem.empty()) return problem;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const json& turn = (*list)[i];
    const char* what = sharegpt ? "turn" : "message";
    if (!turn.is_object()) return fmt::format("{} {}: a JSON {}, not an object", what, i, turn.type_name());
    const auto role = turn.find(role_key);
    if (role == turn.end() || !role->is_string()) return fmt::format("{} {}: no \"{}\" string", what, i, role_key);
    const auto content = turn.find(content_key);
    if (content == turn.end() || !content->is_string())
      return fmt::format("{} {}: \"{}\" is not a string", what, i, content_key);
    std::string name = role->get<std::string>();
    if (sharegpt) {
      if (name == "human" || name == "user") {
        name = "user";
      } else if (name == "gpt" || name == "assistant") {
        name = "assistant";
      } else if (name != "system") {
        return fmt::format("turn {}: unknown speaker '{}' (expected system, human or gpt)", i, name);
      }
    } else if (!is_chat_role(name)) {
      return fmt::format("message {}: unknown role '{}' (expected system, user or assistant)", i, name);
    }
    out.push_back({name, content->get<std::string>()});
  }
  return out;
}

Parsed parse_alpaca(const json& line) {
  std::string problem;
  const auto instruction = string_field(line, "instruction", problem);
  const auto output = string_field(line, "output", problem);
  const auto input = string_field(line, "input", problem);
  const auto system = string_field(line, "system", problem);
  if (!problem.empty()) return problem;
  if (!instruction || !output) return std::string("no \"instruction\" and \"output\" strings");
  std::vector<ChatMessage> out;
  if (system) out.push_back({"system", *system});
  if (const auto history = line.find("history"); history != line.end() && !history->is_null()) {
    if (!history->is_array()) return std::string("\"history\" is not an array of [instruction, output] pairs");
    for (const json& pair : *history) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
        return std::string("\"history\" is not an array of [instruction, output] pairs");
      out.push_back({"user", pair[0].get<std::string>()});
      out.push_back({"assistant", pair[1].get<std::string>()});
    }
  }
  out.push_back({"user", input && !input->empty() ? *instruction + "\n" + *input : *instruction});
  out.push_back({"assistant", *output});
  return out;
}

/// Checks a conversation is trainable: empty system messages are dropped; reason otherwise.
Parsed check_conversation(std::vector<ChatMessage> messages) {
  std::vector<ChatMessage> kept;
  bool has_reply = false;
  for (size_t i = 0; i < messages.size(); ++i) {
    ChatMessage& m = messages[i];
    if (all_whitespace(m.content)) {
      if (m.role == "system") continue;
      return fmt::format("message {} ({}): empty content", i, m.role);
    }
    if (!is_valid_utf8(m.content)) return fmt::format("message {} ({}): content is not UTF-8", i, m.role);
    has_reply |= m.role == "assistant";
    kept.push_back(std::move(m));
  }
  if (kept.empty()) return std::string("no messages");
  if (!has_reply) return std::string("no assistant turn");
  for (const ChatMessage& m : kept) {
    if (m.role == "system") continue;
    if (m.role != "user")
      return std::string("the conversation does not start with a user turn after the system prompt");
    break;
  }
  return kept;
}

void check_file(const fs::path& file, const std::string& bytes) {
  if (all_whitespace(bytes)) fail("dataset import: {} is empty", file.string());
  if (const auto bad = find_invalid_utf8(bytes))
    fail("dataset import: {} is not UTF-8 (invalid bytes at offset {})", file.string(), *bad);
}

}  // namespace

DatasetFormat dataset_format_from_name(std::string_view name) { return value_of(kFormats, name, "dataset format"); }

std::string_view dataset_format_name(DatasetFormat format) { return name_of(kFormats, format); }

DatasetImportReport import_dataset(Database& db, const std::string& dataset_name, const fs::path& file,
                                   DatasetFormat format) {
  if (dataset_name.empty()) fail("dataset import: the dataset name is empty");
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    fail("dataset import: {} {}", file.string(), fs::exists(file, ec) ? "is not a regular file" : "does not exist");
  }
  const std::string bytes = read_text_file(file);
  check_file(file, bytes);

  DatasetImportReport report;
  report.dataset = dataset_name;
  DatasetStore store(db);
  Transaction tx(db);
  if (auto existing = store.find_dataset(dataset_name)) {
    if (existing->kind != "chat")
      fail("dataset import: dataset '{}' holds {} samples, not chat", dataset_name, existing->kind);
    report.dataset_id = existing->id;
  } else {
    DatasetRecord record;
    record.name = dataset_name;
    record.source = file.string();
    record.config_json = json{{"format", dataset_format_name(format)}}.dump();
    report.dataset_id = store.create_dataset(record).id;
    report.created = true;
  }

  size_t line_begin = bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark
  for (std::int64_t line_no = 1; line_begin < bytes.size(); ++line_no) {
    size_t line_end = bytes.find('\n', line_begin);
    if (line_end == std::string::npos) line_end = bytes.size();
    const std::string_view line = std::string_view(bytes).substr(line_begin, line_end - line_begin);
    line_begin = line_end + 1;
    if (all_whitespace(line)) continue;
    ++report.lines;
    const auto skip = [&](std::string reason) { report.skipped.push_back({line_no, std::move(reason)}); };
    json value;
    try {
      value = json::parse(line);
    } catch (const json::parse_error& e) {
      skip(fmt::format("not valid JSON: {}", e.what()));
      continue;
    }
    if (!value.is_object()) {
      skip(fmt::format("a JSON {}, not an object", value.type_name()));
      continue;
    }
    const DatasetFormat line_format = format == DatasetFormat::Auto ? detect(value) : format;
    Parsed parsed;
    switch (line_format) {
      case DatasetFormat::Auto:
        skip("unknown format: no \"messages\", \"conversations\" or \"instruction\"/\"output\" field");
        continue;
      case DatasetFormat::Messages:
        parsed = parse_turns(value, "messages", "role", "content", false);
        break;
      case DatasetFormat::ShareGpt:
        parsed = parse_turns(value, "conversations", "from", "value", true);
        break;
      case DatasetFormat::Alpaca:
        parsed = parse_alpaca(value);
        break;
    }
    if (auto* messages = std::get_if<std::vector<ChatMessage>>(&parsed)) parsed = check_conversation(*messages);
    if (auto* reason = std::get_if<std::string>(&parsed)) {
      skip(*reason);
      continue;
    }
    const json meta = {{"source", file.string()}, {"line", line_no}, {"format", dataset_format_name(line_format)}};
    if (!store.add_sample(report.dataset_id, std::get<std::vector<ChatMessage>>(parsed), meta.dump())) {
      ++report.duplicates;
      continue;
    }
    ++report.imported;
    ++report.by_format[static_cast<size_t>(line_format) - 1];
  }
  tx.commit();
  return report;
}

std::string dataset_import_report_to_json(const DatasetImportReport& r) {
  json skipped = json::array();
  for (const SkippedLine& s : r.skipped) skipped.push_back({{"line", s.line}, {"reason", s.reason}});
  return json{{"dataset_id", r.dataset_id},
              {"dataset", r.dataset},
              {"created", r.created},
              {"lines", r.lines},
              {"imported", r.imported},
              {"duplicates", r.duplicates},
              {"by_format", {{"messages", r.by_format[0]}, {"sharegpt", r.by_format[1]}, {"alpaca", r.by_format[2]}}},
              {"skipped", skipped}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace rw::core
