// ropewalk-cli project commands: create a project folder, and report what one holds (settings, store
// schema, runs by state) as text or one JSON object. Not the settings rules (core/store/project.cpp).
#include "project.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <iostream>
#include <optional>

#include "args.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/project.h"
#include "rw/core/store/run_store.h"
#include "rw/core/util/error.h"

namespace rw::app {

using namespace rw::core;

namespace {

constexpr const char* kInitUsage =
    "usage: ropewalk-cli project init DIR [--name NAME] [--tokenizer PATH] [--chunk-tokens N] [--chunk-overlap N]";

constexpr std::array kStates = {RunState::Queued, RunState::Running, RunState::Finished,
                                RunState::Failed, RunState::Crashed, RunState::Stopped};

// What `project info` reports about the store; schema_version is empty while no job has created it.
struct StoreFacts {
  std::optional<int> schema_version;
  std::array<std::int64_t, kStates.size()> runs_by_state{};
  std::vector<std::pair<std::string, std::int64_t>> corpus_documents;  // (corpus name, documents)
};

StoreFacts read_store_facts(const Project& project) {
  StoreFacts facts;
  // A project checked out from git has no store.db until its first job: report that, do not create it.
  if (!std::filesystem::exists(project.store_path())) return facts;
  RunStore store(project.open_store(OpenMode::ReadOnly));
  facts.schema_version = store.database().user_version();
  const auto now = now_ms();
  // effective_state: a running run whose process died counts as crashed, as the GUI shows it.
  for (const auto& run : store.list_runs()) ++facts.runs_by_state[static_cast<size_t>(effective_state(run, now))];
  CorpusStore corpora(store.database());
  for (const auto& c : corpora.list_corpora())
    facts.corpus_documents.emplace_back(c.name, corpora.document_count(c.id));
  return facts;
}

std::string info_json(const Project& project, const StoreFacts& facts) {
  using ordered_json = nlohmann::ordered_json;
  ordered_json o = {{"dir", project.dir().string()}};
  // Every settings key as the file spells it (format, name, ..., corpus{...}), so the two never drift apart.
  o.update(ordered_json::parse(project_settings_to_json(project.settings())));
  o["store"] = {{"path", project.store_path().string()},
                {"schema_version", facts.schema_version ? ordered_json(*facts.schema_version) : ordered_json()}};
  ordered_json& runs = o["runs"] = ordered_json::object();
  for (size_t i = 0; i < kStates.size(); ++i) runs[std::string(to_string(kStates[i]))] = facts.runs_by_state[i];
  ordered_json& corpora = o["corpora"] = ordered_json::array();
  for (const auto& [name, documents] : facts.corpus_documents)
    corpora.push_back({{"name", name}, {"documents", documents}});
  return o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string info_text(const Project& project, const StoreFacts& facts) {
  const auto& s = project.settings();
  const auto globs = [](const std::vector<std::string>& patterns, const char* none) {
    return patterns.empty() ? std::string(none) : fmt::format("{}", fmt::join(patterns, " "));
  };
  std::string runs;
  std::int64_t total = 0;
  for (size_t i = 0; i < kStates.size(); ++i) {
    if (facts.runs_by_state[i] == 0) continue;
    total += facts.runs_by_state[i];
    runs += fmt::format("{}{} {}", runs.empty() ? "" : ", ", facts.runs_by_state[i], to_string(kStates[i]));
  }
  std::string out;
  out += fmt::format("folder            {}\n", project.dir().string());
  out += fmt::format("name              {}\n", s.name);
  out += fmt::format("description       {}\n", s.description.empty() ? "(none)" : s.description);
  out += fmt::format("tokenizer         {}\n", s.tokenizer.empty() ? std::string("built-in word counter")
                                                                   : project.resolve(s.tokenizer).string());
  out += fmt::format("device            {}\n", s.device);
  out += fmt::format("chunking          {} tokens, overlap {}\n", s.corpus.chunk_tokens, s.corpus.chunk_overlap);
  out += fmt::format("include           {}\n", globs(s.corpus.include, "(every file)"));
  out += fmt::format("exclude           {}\n", globs(s.corpus.exclude, "(nothing)"));
  out += fmt::format("max file size     {} bytes\n", s.corpus.max_file_bytes);
  out += fmt::format("store             {}\n", project.store_path().string());
  out += fmt::format("schema version    {}\n",
                     facts.schema_version ? std::to_string(*facts.schema_version) : "(no store yet)");
  out += fmt::format("runs              {}{}\n", total, runs.empty() ? "" : " (" + runs + ")");
  std::string corpora;
  for (const auto& [name, documents] : facts.corpus_documents)
    corpora += fmt::format("{}{} ({} documents)", corpora.empty() ? "" : ", ", name, documents);
  out += fmt::format("corpora           {}\n", corpora.empty() ? "(none)" : corpora);
  return out;
}

}  // namespace

int run_project_init(const std::vector<std::string>& argv) {
  CliArgs args(argv, {"name", "tokenizer", "chunk-tokens", "chunk-overlap"});
  if (args.positionals().size() != 1) fail("{}", kInitUsage);
  ProjectSettings settings;
  settings.name = args.get_or("name", "");
  settings.tokenizer = args.get_or("tokenizer", "");
  settings.corpus.chunk_tokens = args.get_int("chunk-tokens", settings.corpus.chunk_tokens);
  settings.corpus.chunk_overlap = args.get_int("chunk-overlap", settings.corpus.chunk_overlap);
  const auto project = Project::init(args.positionals()[0], settings);
  const auto& tokenizer = project.settings().tokenizer;
  if (!tokenizer.empty() && !std::filesystem::exists(project.resolve(tokenizer)))
    spdlog::warn("tokenizer {} does not exist (yet); corpus import will fail until it does",
                 project.resolve(tokenizer).string());
  std::cout << fmt::format("created project '{}' in {}\n", project.settings().name, project.dir().string());
  return 0;
}

int run_project_info(const std::vector<std::string>& argv) {
  CliArgs args(argv, {}, {"json"});
  if (args.positionals().size() != 1) fail("usage: ropewalk-cli project info DIR [--json]");
  const auto project = Project::open(args.positionals()[0]);
  const auto facts = read_store_facts(project);
  std::cout << (args.has("json") ? info_json(project, facts) : info_text(project, facts));
  return 0;
}

}  // namespace rw::app
