// ropewalk-cli dataset commands: `dataset import|list|show PROJECT ...` (import JSONL chat samples, list
// datasets with sample counts, show a dataset or one sample with its messages, provenance and segments).
#include "dataset.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "sample_json.h"
#include "rw/core/data/dataset_export.h"
#include "rw/core/data/dataset_import.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/project.h"
#include "rw/core/util/error.h"

namespace rw::app {

using namespace rw::core;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kPreviewSamples = 10;

std::string dump(const json& j, int indent = 2) { return j.dump(indent, ' ', false, json::error_handler_t::replace); }

/// Whitespace runs collapsed and cut to about max_bytes (at a UTF-8 boundary), for one-line previews.
std::string preview(std::string_view text, size_t max_bytes) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (out.size() >= max_bytes && (static_cast<unsigned char>(c) & 0xC0) != 0x80) return out + "…";
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

DatasetRecord require_dataset(DatasetStore& store, const std::string& name, const Project& project) {
  if (auto d = store.find_dataset(name)) return *d;
  std::string known;
  for (const DatasetRecord& d : store.list_datasets()) known += (known.empty() ? "" : ", ") + d.name;
  fail("{}: no dataset named '{}' (datasets: {})", project.dir().string(), name, known.empty() ? "none yet" : known);
}

json dataset_json(const DatasetRecord& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"kind", d.kind},
          {"description", d.description},
          {"source", d.source},
          {"config", parsed_json(d.config_json)},
          {"samples", d.sample_count},
          {"created_ms", d.created_ms}};
}

json sample_json(const SampleRecord& s, const std::string& dataset) {
  return {{"id", s.id},
          {"dataset", dataset},
          {"index", s.idx},
          {"n_bytes", s.n_bytes},
          {"messages", messages_json(s.messages)},
          {"meta", parsed_json(s.meta_json)},
          {"segments", segments_json(s.segments, s.messages)}};
}

void print_sample(const SampleRecord& s, const std::string& dataset) {
  std::cout << fmt::format("sample {} (index {}) of dataset '{}', {} bytes\nmeta: {}\n", s.id, s.idx, dataset,
                           s.n_bytes, dump(parsed_json(s.meta_json), -1));
  for (size_t i = 0; i < s.messages.size(); ++i) {
    const ChatMessage& m = s.messages[i];
    std::cout << fmt::format("\n[{}] {} ({} bytes)\n{}\n", i, m.role, m.content.size(), m.content);
  }
  if (s.segments.empty()) return;
  std::cout << fmt::format("\nsegments ({}):\n", s.segments.size());
  for (size_t k = 0; k < s.segments.size(); ++k) {
    const SampleSegment& g = s.segments[k];
    const std::string& content = s.messages[static_cast<size_t>(g.message_index)].content;
    const std::string source = g.source_document_id ? fmt::format("  from document {} [{}, {})", *g.source_document_id,
                                                                  g.source_begin.value_or(0), g.source_end.value_or(0))
                                                    : "";
    std::cout << fmt::format("  #{} {} in message {} [{}, {}){}: {}\n", k, g.kind, g.message_index, g.byte_begin,
                             g.byte_end, source,
                             preview(std::string_view(content).substr(static_cast<size_t>(g.byte_begin),
                                                                      static_cast<size_t>(g.byte_end - g.byte_begin)),
                                     80));
  }
}

}  // namespace

int run_dataset_import(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"name", "format", "json"}, {"json"});
  if (args.positionals().size() != 2 || !args.has("name"))
    fail(
        "usage: ropewalk-cli dataset import PROJECT FILE.jsonl --name NAME [--format auto|messages|sharegpt|alpaca] "
        "[--json]");
  const Project project = Project::open(args.positionals()[0]);
  const DatasetFormat format = dataset_format_from_name(args.get_or("format", "auto"));
  Database db = project.open_store();
  const DatasetImportReport r = import_dataset(db, *args.get("name"), args.positionals()[1], format);
  if (args.has("json")) {
    std::cout << dataset_import_report_to_json(r) << "\n";
    return 0;
  }
  std::cout << fmt::format(
      "dataset '{}'{}: {} samples imported (messages {}, sharegpt {}, alpaca {}), {} duplicates "
      "skipped, {} lines read\n",
      r.dataset, r.created ? " (new)" : "", r.imported, r.by_format[0], r.by_format[1], r.by_format[2], r.duplicates,
      r.lines);
  if (!r.skipped.empty()) std::cout << fmt::format("skipped {}:\n", r.skipped.size());
  for (const SkippedLine& s : r.skipped) std::cout << fmt::format("  line {}: {}\n", s.line, s.reason);
  return 0;
}

int run_dataset_list(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"json"}, {"json"});
  if (args.positionals().size() != 1) fail("usage: ropewalk-cli dataset list PROJECT [--json]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  const std::vector<DatasetRecord> datasets = DatasetStore(db).list_datasets();
  if (args.has("json")) {
    json out = json::array();
    for (const DatasetRecord& d : datasets) out.push_back(dataset_json(d));
    std::cout << dump(out) << "\n";
    return 0;
  }
  if (datasets.empty()) std::cout << "no datasets (import one with `ropewalk-cli dataset import`)\n";
  for (const DatasetRecord& d : datasets) {
    std::cout << fmt::format("{:<24} {:>8} samples  {:<5} {}\n", d.name, d.sample_count, d.kind, d.source);
  }
  return 0;
}

int run_dataset_show(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"sample", "index", "json"}, {"json"});
  if (args.positionals().size() != 2 || (args.has("sample") && args.has("index")))
    fail("usage: ropewalk-cli dataset show PROJECT NAME [--sample ID | --index N] [--json]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  DatasetStore store(db);
  const DatasetRecord d = require_dataset(store, args.positionals()[1], project);
  std::optional<std::int64_t> sample_id;
  if (args.has("sample")) {
    sample_id = args.get_int("sample", 0);
    const auto ids = store.sample_ids(d.id);
    if (std::find(ids.begin(), ids.end(), *sample_id) == ids.end())
      fail("dataset '{}' has no sample with id {}", d.name, *sample_id);
  } else if (args.has("index")) {
    const std::int64_t index = args.get_int("index", 0);
    sample_id = store.sample_id_at(d.id, index);
    if (!sample_id) fail("dataset '{}' has {} samples; there is no index {}", d.name, d.sample_count, index);
  }
  if (sample_id) {
    const SampleRecord s = store.sample(*sample_id);
    if (args.has("json")) {
      std::cout << dump(sample_json(s, d.name)) << "\n";
    } else {
      print_sample(s, d.name);
    }
    return 0;
  }
  // The dataset itself, with a preview of its first samples.
  json first = json::array();
  for (std::int64_t i = 0; i < kPreviewSamples; ++i) {
    const auto id = store.sample_id_at(d.id, i);
    if (!id) break;
    const SampleRecord s = store.sample(*id);
    const auto user = std::find_if(s.messages.begin(), s.messages.end(), [](auto& m) { return m.role == "user"; });
    first.push_back({{"id", s.id},
                     {"index", s.idx},
                     {"messages", s.messages.size()},
                     {"n_bytes", s.n_bytes},
                     {"preview", preview(user == s.messages.end() ? "" : user->content, 80)}});
  }
  if (args.has("json")) {
    json out = dataset_json(d);
    out["first_samples"] = first;
    std::cout << dump(out) << "\n";
    return 0;
  }
  std::cout << fmt::format("dataset  {} ({})\nsource   {}\nconfig   {}\nsamples  {}\n", d.name, d.kind, d.source,
                           d.config_json, d.sample_count);
  if (!d.description.empty()) std::cout << "about    " << d.description << "\n";
  for (const json& s : first) {
    std::cout << fmt::format("  #{:<5} id {:<7} {} messages, {} bytes  {}\n", s["index"].get<std::int64_t>(),
                             s["id"].get<std::int64_t>(), s["messages"].get<size_t>(), s["n_bytes"].get<std::int64_t>(),
                             s["preview"].get<std::string>());
  }
  return 0;
}

int run_dataset_export(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"json"}, {"json"});
  if (args.positionals().size() != 3) fail("usage: ropewalk-cli dataset export PROJECT NAME OUT_DIR [--json]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  const DatasetExportReport r = export_dataset(db, args.positionals()[1], args.positionals()[2]);
  if (args.has("json")) {
    json files = json::array();
    for (const ExportedFile& f : r.files)
      files.push_back({{"name", f.name}, {"format", f.format}, {"lines", f.lines}, {"sha256", f.sha256}});
    std::cout << json{{"dataset", r.dataset}, {"kind", r.kind}, {"samples", r.samples},
                      {"folder", r.folder.string()}, {"files", files}}.dump()
              << "\n";
    return 0;
  }
  std::cout << fmt::format("dataset '{}' ({}, {} samples) exported to {}:\n", r.dataset, r.kind, r.samples,
                           r.folder.string());
  for (const ExportedFile& f : r.files) std::cout << fmt::format("  {:<36} {:<12} {} lines\n", f.name, f.format, f.lines);
  return 0;
}

}  // namespace rw::app
