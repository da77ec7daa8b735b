// Dataset export (see dataset_export.h). Field names follow LLaMA-Factory's data/README (alpaca, sharegpt,
// dataset_info.json "columns" and "tags") and Axolotl's dataset formats (chat_template, completion).
#include "rw/core/data/dataset_export.h"

#include <nlohmann/json.hpp>

#include "rw/core/store/dataset_store.h"
#include "rw/core/util/error.h"
#include "rw/core/util/file_names.h"
#include "rw/core/util/files.h"
#include "rw/core/util/sha256.h"

namespace rw::core {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::string dump_line(const ordered_json& j) { return j.dump(-1, ' ', false, json::error_handler_t::strict) + "\n"; }

/// The dataset's name as a file stem (file_name_chars), never empty or hidden.
std::string file_stem(const std::string& name) {
  std::string out = file_name_chars(name);
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

/// A conversation as alternating user/assistant turns after an optional system prompt: consecutive turns of
/// one role joined by a blank line (LLaMA-Factory's sharegpt and alpaca need strict alternation).
struct Turns {
  std::string system;
  std::vector<std::pair<std::string, std::string>> turns;  // (role, content)
};

Turns alternating(const SampleRecord& s, const std::string& dataset) {
  Turns out;
  for (const ChatMessage& m : s.messages) {
    if (m.role == "system" && out.turns.empty()) {
      out.system += (out.system.empty() ? "" : "\n\n") + m.content;
      continue;
    }
    const std::string role = m.role == "system" ? "user" : m.role;  // a late system note reads as the user's
    if (!out.turns.empty() && out.turns.back().first == role) {
      out.turns.back().second += "\n\n" + m.content;
    } else {
      out.turns.emplace_back(role, m.content);
    }
  }
  if (out.turns.empty() || out.turns.front().first != "user" || out.turns.back().first != "assistant")
    fail("dataset '{}': sample {} (index {}) does not run from a user turn to an assistant reply, which the export "
         "formats need",
         dataset, s.id, s.idx);
  return out;
}

ordered_json sharegpt_line(const Turns& t) {
  ordered_json conversations = ordered_json::array();
  for (const auto& [role, content] : t.turns)
    conversations.push_back({{"from", role == "user" ? "human" : "gpt"}, {"value", content}});
  ordered_json line = {{"conversations", conversations}};
  if (!t.system.empty()) line["system"] = t.system;
  return line;
}

ordered_json alpaca_line(const Turns& t) {
  ordered_json history = ordered_json::array();
  for (size_t i = 0; i + 2 < t.turns.size(); i += 2) history.push_back({t.turns[i].second, t.turns[i + 1].second});
  const size_t last = t.turns.size() - 2;
  ordered_json line = {{"instruction", t.turns[last].second}, {"input", ""}, {"output", t.turns[last + 1].second}};
  if (!t.system.empty()) line["system"] = t.system;
  if (!history.empty()) line["history"] = history;
  return line;
}

ordered_json messages_line(const SampleRecord& s) {
  ordered_json messages = ordered_json::array();
  for (const ChatMessage& m : s.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  return {{"messages", messages}};
}

std::int64_t count_lines(const std::string& text) { return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

DatasetExportReport export_dataset(Database& db, const std::string& name, const std::filesystem::path& folder) {
  DatasetStore store(db);
  const auto dataset = store.find_dataset(name);
  if (!dataset) fail("{}: no dataset named '{}'", db.path().string(), name);
  const std::vector<std::int64_t> ids = store.sample_ids(dataset->id);
  if (ids.empty()) fail("dataset '{}' has no samples to export", name);
  const std::string stem = file_stem(name);
  const bool text = dataset->kind == "text";

  // Every file is built whole before any is written, so a bad sample stops the export before it starts.
  std::vector<std::pair<ExportedFile, std::string>> files;
  if (text) {
    std::string lines;
    for (const std::int64_t id : ids) lines += dump_line({{"text", store.sample(id).messages.at(0).content}});
    files.push_back({{stem + ".text.jsonl", "text"}, std::move(lines)});
  } else {
    std::string sharegpt, alpaca, messages;
    for (const std::int64_t id : ids) {
      const SampleRecord s = store.sample(id);
      const Turns t = alternating(s, name);
      sharegpt += dump_line(sharegpt_line(t));
      alpaca += dump_line(alpaca_line(t));
      messages += dump_line(messages_line(s));
    }
    files.push_back({{stem + ".sharegpt.jsonl", "sharegpt"}, std::move(sharegpt)});
    files.push_back({{stem + ".alpaca.jsonl", "alpaca"}, std::move(alpaca)});
    files.push_back({{stem + ".messages.jsonl", "messages"}, std::move(messages)});
  }

  ordered_json info = ordered_json::object();
  std::string axolotl = "# Axolotl: the dataset '" + name + "' exported by Ropewalk (see manifest.json).\n" +
                        "# Paste the entry under `datasets:` in your Axolotl config; paths are relative to this folder.\n" +
                        "datasets:\n";
  if (text) {
    info[stem + "_text"] = {{"file_name", stem + ".text.jsonl"}, {"columns", {{"prompt", "text"}}}};
    axolotl += "  - path: " + stem + ".text.jsonl\n    ds_type: json\n    type: completion\n    field: text\n";
  } else {
    info[stem + "_sharegpt"] = {
        {"file_name", stem + ".sharegpt.jsonl"},
        {"formatting", "sharegpt"},
        {"columns", {{"messages", "conversations"}, {"system", "system"}}},
        {"tags", {{"role_tag", "from"}, {"content_tag", "value"}, {"user_tag", "human"}, {"assistant_tag", "gpt"}}}};
    info[stem + "_alpaca"] = {{"file_name", stem + ".alpaca.jsonl"},
                              {"formatting", "alpaca"},
                              {"columns",
                               {{"prompt", "instruction"},
                                {"query", "input"},
                                {"response", "output"},
                                {"system", "system"},
                                {"history", "history"}}}};
    axolotl += "  - path: " + stem + ".messages.jsonl\n    ds_type: json\n    type: chat_template\n" +
               "    field_messages: messages\n    message_property_mappings:\n      role: role\n      content: content\n";
  }
  files.push_back({{"dataset_info.json", "dataset_info"}, info.dump(2) + "\n"});
  files.push_back({{"axolotl.yaml", "axolotl"}, axolotl});

  DatasetExportReport report{.dataset = name, .kind = dataset->kind, .samples = static_cast<std::int64_t>(ids.size()),
                             .folder = folder};
  std::filesystem::create_directories(folder);
  ordered_json listed = ordered_json::array();
  for (auto& [file, content] : files) {
    file.lines = count_lines(content);
    file.sha256 = sha256_hex(content);
    write_file_atomic(folder / file.name, content);
    listed.push_back({{"name", file.name}, {"format", file.format}, {"lines", file.lines}, {"sha256", file.sha256}});
    report.files.push_back(file);
  }
  const ordered_json manifest = {{"dataset", name},
                                 {"kind", dataset->kind},
                                 {"description", dataset->description},
                                 {"source", dataset->source},
                                 {"config", json::parse(dataset->config_json, nullptr, false).is_discarded()
                                                ? json(dataset->config_json)
                                                : json::parse(dataset->config_json)},
                                 {"samples", report.samples},
                                 {"files", listed}};
  const std::string manifest_text = manifest.dump(2) + "\n";
  write_file_atomic(folder / "manifest.json", manifest_text);  // last: its presence means the export is whole
  report.files.push_back({"manifest.json", "manifest", count_lines(manifest_text), sha256_hex(manifest_text)});
  return report;
}

}  // namespace rw::core
