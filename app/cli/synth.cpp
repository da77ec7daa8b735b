// ropewalk-cli synth commands: `synth run` (the worker that fills a dataset from a synth config),
// `synth preview` (one sample made and printed, nothing stored), `synth show` (a stored sample with its
// segments coloured by role) and `synth regenerate` (a stored sample rebuilt from its provenance and
// compared byte for byte). Thin front ends over rw::core::Synthesizer and run_synthesis.
#include "synth.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "args.h"
#include "sample_json.h"
#include "rw/core/model/synth_chat_model.h"
#include "rw/core/runtime/device.h"
#include "rw/core/runtime/exception_message.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/error.h"
#include "rw/core/worker/progress.h"
#include "rw/core/worker/run_lease.h"
#include "rw/core/worker/stop_signal.h"
#include "rw/core/worker/worker_output.h"

namespace rw::app {

using namespace rw::core;
using json = nlohmann::json;

namespace {

/// ANSI colours by segment role, in the order the inspector's legend lists them.
std::string_view role_colour(std::string_view kind) {
  if (kind == "instruction") return "\033[1;36m";
  if (kind == "document" || kind == "chunk") return "\033[37m";
  if (kind == "distractor") return "\033[2m";
  if (kind == "needle") return "\033[1;33m";
  if (kind == "question") return "\033[1;35m";
  if (kind == "answer") return "\033[1;32m";
  if (kind == "table") return "\033[34m";
  if (kind == "summary") return "\033[36m";
  return "\033[0m";
}

bool use_colour(const CliArgs& args) {
  const std::string mode = args.get_or("color", "auto");
  if (mode != "auto" && mode != "always" && mode != "never")
    fail("--color must be auto, always or never, got '{}'", mode);
  return mode == "always" || (mode == "auto" && ::isatty(STDOUT_FILENO));
}

/// A message's text with its segments marked: coloured, or with [kind]...[/kind] tags without colour.
std::string marked(const std::string& content, std::int64_t message, const std::vector<SampleSegment>& segments,
                   bool colour) {
  std::string out;
  std::int64_t at = 0;
  for (const SampleSegment& g : segments) {
    if (g.message_index != message || g.byte_begin < at) continue;  // nested labels show once
    out.append(content, static_cast<size_t>(at), static_cast<size_t>(g.byte_begin - at));
    const std::string_view text(content.data() + g.byte_begin, static_cast<size_t>(g.byte_end - g.byte_begin));
    out += colour ? fmt::format("{}{}\033[0m", role_colour(g.kind), text) : fmt::format("[{}]{}[/{}]", g.kind, text, g.kind);
    at = g.byte_end;
  }
  out.append(content, static_cast<size_t>(at));
  return out;
}

void print_sample(const std::vector<ChatMessage>& messages, const std::vector<SampleSegment>& segments,
                  const std::string& meta_json, bool colour) {
  std::cout << "provenance: " << meta_json << "\n";
  if (colour) {
    std::cout << "roles:";
    for (const char* kind : {"instruction", "document", "chunk", "needle", "question", "answer", "table", "summary"})
      std::cout << " " << role_colour(kind) << kind << "\033[0m";
    std::cout << "\n";
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    std::cout << fmt::format("\n── [{}] {} ({} bytes)\n", i, messages[i].role, messages[i].content.size())
              << marked(messages[i].content, static_cast<std::int64_t>(i), segments, colour) << "\n";
  }
  std::cout << fmt::format("\nsegments ({}):\n", segments.size());
  for (const SampleSegment& g : segments) {
    const std::string source = g.source_document_id ? fmt::format(" from document {} bytes [{}, {})",
                                                                  *g.source_document_id, g.source_begin.value_or(0),
                                                                  g.source_end.value_or(0))
                                                    : "";
    std::cout << fmt::format("  {:<11} message {} bytes [{}, {}){}\n", g.kind, g.message_index, g.byte_begin, g.byte_end,
                             source);
  }
}

json sample_json(const SynthSample& s) {
  return {{"index", s.index},
          {"n_tokens", s.n_tokens},
          {"target_tokens", s.target_tokens},
          {"messages", messages_json(s.messages)},
          {"segments", segments_json(s.segments, s.messages)},
          {"meta", parsed_json(s.meta_json)}};
}

/// The config's tokenizer folder, relative paths taken from the project folder.
std::unique_ptr<Tokenizer> config_tokenizer(const Project& project, const SynthConfig& config) {
  const auto dir = project.resolve(config.tokenizer);
  try {
    return load_tokenizer(dir);
  } catch (const std::exception& e) {
    fail("{}: \"tokenizer\": {}", config.source, e.what());  // the message names the folder
  }
}

/// What the config's generator needs besides the store: the bootstrap generator's model (loaded on --device)
/// and the project's prompt overrides.
struct Resources {
  std::unique_ptr<LlamaSynthModel> model;
  SynthResources view() const { return {model.get(), prompt_dir}; }
  std::filesystem::path prompt_dir;
};

Resources config_resources(const Project& project, const SynthConfig& config, const CliArgs& args) {
  Resources r;
  r.prompt_dir = bootstrap_prompt_dir(project.dir());
  if (config.generator != SynthGenerator::Bootstrap) return r;
  const auto dir = project.resolve(config.bootstrap.model);
  try {
    r.model = std::make_unique<LlamaSynthModel>(dir, config.bootstrap.prompt_format, config.bootstrap.temperature,
                                                resolve_device(args.get_or("device", "cpu")));
  } catch (const std::exception& e) {
    fail("{}: \"bootstrap.model\": {}", config.source, exception_message(e));  // the message names the folder
  }
  return r;
}

/// The stored sample `--index N` of a synthesized dataset, with the config it was made by.
struct StoredSample {
  SampleRecord record;
  SynthConfig config;
};

StoredSample stored_sample(Database& db, const std::string& dataset, const CliArgs& args) {
  DatasetStore store(db);
  const auto d = store.find_dataset(dataset);
  if (!d) fail("{}: no dataset named '{}'", db.path().string(), dataset);
  if (!d->source.starts_with("synth:"))
    fail("dataset '{}' was not made by the synthesizer (source '{}'); see it with `ropewalk-cli dataset show`",
         d->name, d->source);
  const std::int64_t index = args.get_int("index", 0);
  const auto id = store.sample_id_at(d->id, index);
  if (!id) fail("dataset '{}' has {} samples; there is no index {}", d->name, d->sample_count, index);
  return {store.sample(*id), parse_synth_config(d->config_json, fmt::format("dataset '{}' config", d->name))};
}

}  // namespace

int run_synth_run(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"json", "progress", "run-id", "device"}, {"json"});
  install_stop_signal_handlers();
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli synth run PROJECT SYNTH.json [--run-id ID] [--device cpu|cuda] [--progress "
         "human|json|none] [--json]");
  const Project project = Project::open(args.positionals()[0]);
  RunStore runs(project.open_store());
  const LeaseRequest request{.kind = "synth", .name = "synth"};
  std::optional<RunLease> lease;
  if (args.has("run-id")) lease.emplace(RunLease::adopt(runs, args.get_int("run-id", 0), request));
  // Bad input is the queued run's failure, or refused before a run row exists.
  SynthConfig config;
  std::unique_ptr<Tokenizer> tokenizer;
  Resources resources;
  try {
    config = read_synth_config(args.positionals()[1]);
    tokenizer = config_tokenizer(project, config);
    resources = config_resources(project, config, args);
  } catch (const std::exception& e) {
    if (lease) lease->fail(e.what());
    throw;
  }
  if (!lease) {
    LeaseRequest create = request;
    create.name = fmt::format("synth {}", config.name);
    create.config_json = synth_config_to_json(config);
    lease.emplace(RunLease::create(runs, create));
  } else {
    runs.set_config(lease->run_id(), synth_config_to_json(config));
  }
  ProgressReporter progress(progress_mode_from_string(args.get_or("progress", args.has("json") ? "none" : "human")),
                            "synth", "samples");
  Database db = project.open_store();
  SynthReport report;
  const RunState state = run_job(*lease, [&] {
    report = run_synthesis(db, config, *tokenizer, [&](const SynthProgress& p) {
      lease->heartbeat();
      progress.update(p.done, p.total,
                      fmt::format("{} written, {} duplicates, {} short", p.written, p.duplicates, p.shortfalls));
      return !lease->stop_requested();
    }, resources.view());
    progress.finish();
    if (report.stopped) {
      lease->stop(fmt::format("stopped on request after {} samples; run again to continue", report.samples));
      return RunState::Stopped;
    }
    return RunState::Finished;
  }, exception_message);
  const json result = {{"run_id", lease->run_id()},         {"dataset", report.dataset},
                       {"dataset_id", report.dataset_id},   {"resumed_from", report.resumed_from},
                       {"written", report.written},         {"duplicates", report.duplicates},
                       {"shortfalls", report.shortfalls},   {"shortfall_reasons", report.shortfall_reasons},
                       {"tokens_written", report.tokens_written}, {"samples", report.samples},
                       {"stopped", report.stopped}};
  if (WorkerOutput::instance().json()) {
    WorkerOutput::instance().result(result.dump());
  } else if (args.has("json")) {
    std::cout << result.dump() << "\n";
  } else {
    std::cout << fmt::format("dataset '{}': {} samples written ({} tokens), {} duplicates, {} short of their target; "
                             "{} in the dataset{}\n",
                             report.dataset, report.written, report.tokens_written, report.duplicates,
                             report.shortfalls, report.samples, report.stopped ? " (stopped; run again to continue)" : "");
    for (const std::string& reason : report.shortfall_reasons) std::cout << "  " << reason << "\n";
  }
  return state == RunState::Stopped ? kStoppedExitCode : 0;
}

int run_synth_preview(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"index", "json", "color", "device"}, {"json"});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli synth preview PROJECT SYNTH.json [--index N] [--device cpu|cuda] [--color "
         "auto|always|never] [--json]");
  const Project project = Project::open(args.positionals()[0]);
  const SynthConfig config = read_synth_config(args.positionals()[1]);
  const auto tokenizer = config_tokenizer(project, config);
  const Resources resources = config_resources(project, config, args);
  Database db = project.open_store(OpenMode::ReadOnly);
  Synthesizer synth(db, config, *tokenizer, resources.view());
  SynthSample sample;
  try {
    sample = synth.make(args.get_int("index", 0));
  } catch (const SampleShortfall& e) {
    // The steps that led there are what a user previewing needs to see to fix the config or prompts.
    if (!e.provenance_json().empty()) std::cout << json::parse(e.provenance_json()).dump(2) << "\n";
    throw;
  }
  if (args.has("json")) {
    std::cout << sample_json(sample).dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("sample {} of '{}' ({}): {} tokens, target {}\n", sample.index, config.name,
                           synth_generator_name(config.generator), sample.n_tokens, sample.target_tokens);
  print_sample(sample.messages, sample.segments, sample.meta_json, use_colour(args));
  return 0;
}

int run_synth_show(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"index", "color"}, {});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli synth show PROJECT DATASET [--index N] [--color auto|always|never]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  const StoredSample s = stored_sample(db, args.positionals()[1], args);
  std::cout << fmt::format("sample {} (index {}) of dataset '{}'\n", s.record.id, s.record.idx, s.config.name);
  print_sample(s.record.messages, s.record.segments, s.record.meta_json, use_colour(args));
  return 0;
}

int run_synth_regenerate(const std::vector<std::string>& argv) {
  const CliArgs args(argv, {"index", "json", "device"}, {"json"});
  if (args.positionals().size() != 2)
    fail("usage: ropewalk-cli synth regenerate PROJECT DATASET [--index N] [--device cpu|cuda] [--json]");
  const Project project = Project::open(args.positionals()[0]);
  Database db = project.open_store(OpenMode::ReadOnly);
  const StoredSample s = stored_sample(db, args.positionals()[1], args);
  const auto tokenizer = config_tokenizer(project, s.config);
  const Resources resources = config_resources(project, s.config, args);
  Synthesizer synth(db, s.config, *tokenizer, resources.view());
  const std::int64_t index = json::parse(s.record.meta_json).value("index", std::int64_t{-1});
  const SynthSample again = synth.make(index);
  // Identical: the same messages, segments and provenance.
  std::vector<std::string> differences;
  if (again.messages.size() != s.record.messages.size()) differences.push_back("message count");
  for (size_t i = 0; i < std::min(again.messages.size(), s.record.messages.size()); ++i) {
    if (again.messages[i].role != s.record.messages[i].role || again.messages[i].content != s.record.messages[i].content)
      differences.push_back(fmt::format("message {}", i));
  }
  if (json::parse(again.meta_json) != json::parse(s.record.meta_json)) differences.push_back("provenance");
  bool same_segments = again.segments.size() == s.record.segments.size();
  for (size_t k = 0; same_segments && k < again.segments.size(); ++k) {
    const SampleSegment &a = again.segments[k], &b = s.record.segments[k];
    same_segments = a.message_index == b.message_index && a.byte_begin == b.byte_begin && a.byte_end == b.byte_end &&
                    a.kind == b.kind && a.source_document_id == b.source_document_id &&
                    a.source_begin == b.source_begin && a.source_end == b.source_end;
  }
  if (!same_segments) differences.push_back("segments");
  if (args.has("json")) {
    std::cout << json{{"dataset", s.config.name}, {"index", index}, {"identical", differences.empty()},
                      {"differences", differences}}.dump()
              << "\n";
  } else if (differences.empty()) {
    std::cout << fmt::format("sample index {} of '{}' regenerated from its provenance: identical ({} messages, {} "
                             "segments)\n",
                             index, s.config.name, again.messages.size(), again.segments.size());
  } else {
    std::cout << fmt::format("sample index {} of '{}' regenerated: differs in {}\n", index, s.config.name,
                             fmt::join(differences, ", "));
  }
  return differences.empty() ? 0 : 1;
}

}  // namespace rw::app
