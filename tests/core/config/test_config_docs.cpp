// The user docs of the JSON settings files (docs/run-config.md, docs/eval-suite.md, docs/project-file.md)
// against their parsers: every key a parser accepts, as the strict reader's KeyRecorder sees it over configs
// that visit every kind of object, has a row in the doc's section for that object, and every documented row
// is a key the parser accepts. Also that the recorder stays on its thread and within its scope.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "rw/core/config/eval_suite.h"
#include "rw/core/store/project.h"
#include "rw/core/config/run_config.h"
#include "rw/core/synth/synth_config.h"
#include "rw/core/util/files.h"
#include "rw/core/util/strict_json.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace rw::core;
using json = nlohmann::json;
using Keys = std::set<strict_json::KeyRecorder::Key>;

namespace {

// The root object's section heading; every other object's heading is its JSON path in backticks.
constexpr std::string_view kTopLevel = "(top level)";

struct DocKeys {
  Keys keys;
  std::vector<std::string> problems;  // malformed sections or rows
};

std::string section_name(const std::string& path) { return path.empty() ? std::string(kTopLevel) : "`" + path + "`"; }

// The (object path, key) pairs of a doc: a section is headed "## `path`" or "## (top level)" (path "") and
// holds a table whose rows start "| `key` |"; any other heading ends it. Tables outside sections and fenced
// code blocks are prose.
DocKeys doc_keys(const std::string& text) {
  DocKeys out;
  std::optional<std::string> section;
  std::set<std::string> sections;
  int rows = 0;
  bool in_code = false;  // inside a fenced block, where "# ..." is a shell comment, not a heading
  const auto end_section = [&] {
    if (section && rows == 0) out.problems.push_back("section " + section_name(*section) + " has no key rows");
    section.reset();
  };
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.starts_with("```")) {
      in_code = !in_code;
      continue;
    }
    if (in_code) continue;
    if (line.starts_with("#")) {
      end_section();
      const std::string title = line.starts_with("## ") ? line.substr(3) : std::string();
      const bool quoted =
          title.size() > 2 && title.front() == '`' && title.back() == '`' && title.find('`', 1) == title.size() - 1;
      if (title != kTopLevel && !quoted) continue;
      section = title == kTopLevel ? std::string() : title.substr(1, title.size() - 2);
      rows = 0;
      if (!sections.insert(*section).second) out.problems.push_back("section " + title + " appears twice");
      continue;
    }
    if (!section || !line.starts_with("|")) continue;
    if (line.starts_with("| key |") || line.starts_with("|--") || line.starts_with("| --")) continue;
    const std::size_t close = line.find('`', 3);
    if (!line.starts_with("| `") || close == std::string::npos || line.compare(close, 3, "` |") != 0) {
      out.problems.push_back("section " + section_name(*section) + ": a row without a key in backticks: " + line);
      continue;
    }
    ++rows;
    if (!out.keys.emplace(*section, line.substr(3, close - 3)).second)
      out.problems.push_back("section " + section_name(*section) + " lists `" + line.substr(3, close - 3) + "` twice");
  }
  end_section();
  return out;
}

// Both directions of the comparison, one line per difference.
std::vector<std::string> differences(const Keys& accepted, const DocKeys& doc, const std::string& doc_name) {
  std::vector<std::string> out = doc.problems;
  for (const auto& [path, key] : accepted) {
    if (!doc.keys.contains({path, key}))
      out.push_back("undocumented: the parser accepts `" + key + "` in " + section_name(path) + ", " + doc_name +
                    " has no row for it");
  }
  for (const auto& [path, key] : doc.keys) {
    if (!accepted.contains({path, key}))
      out.push_back("not accepted: " + doc_name + " lists `" + key + "` in " + section_name(path) +
                    ", the parser does not accept it there");
  }
  return out;
}

std::string doc_text(const std::string& name) { return read_text_file(rw::test::source_path("docs/" + name)); }

// Fails listing every difference between what the parsers accepted while `recorder` was installed and the doc.
void expect_documented(const strict_json::KeyRecorder& recorder, const std::string& name) {
  QVERIFY2(!recorder.keys().empty(), "the parsers recorded no keys");
  const auto found = differences(recorder.keys(), doc_keys(doc_text(name)), "docs/" + name);
  std::string message = std::to_string(found.size()) + " difference(s) between the parser and docs/" + name + ":";
  for (const auto& line : found) message += "\n  " + line;
  QVERIFY2(found.empty(), message.c_str());
}

// Example files under `folder` whose names end in `suffix`, sorted.
std::vector<fs::path> examples(const std::string& folder, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(rw::test::source_path(folder))) {
    if (entry.path().filename().string().ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

json corpus_data(const char* name) { return json::array({{{"corpus", name}}}); }

// A small new model: the required keys and a vocabulary size.
json small_scratch() {
  return {{"vocab_size", 4000},     {"hidden_size", 64},        {"intermediate_size", 176},
          {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"max_position_embeddings", 256}};
}

// A pretrain run from scratch with a trained sentencepiece tokenizer that sets every key it may: every stage
// option, and a stage per rope scaling type with each type's own keys. Keys left out here are written back
// with their defaults by run_config_to_json, so the result spells out every key of every object it holds.
json maximal_pretrain_run() {
  const json tokenizer = {
      {"sentencepiece", {{"vocab_size", 2000}, {"model_type", "unigram"}, {"from_corpus", "books"}}}};
  const json yarn = {{"type", "yarn"},          {"factor", 2.0},     {"original_max_position_embeddings", 256},
                     {"attention_factor", 1.1}, {"beta_fast", 32.0}, {"beta_slow", 1.0}};
  const json llama3 = {{"type", "llama3"}, {"factor", 4.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
  json stages = json::array();
  stages.push_back({{"name", "yarn"},
                    {"seq_len", 512},
                    {"steps", 10},
                    {"lr", 1e-4},
                    {"warmup_steps", 2},
                    {"batch", {{"micro_batch_size", 2}, {"grad_accumulation", 2}}},
                    {"rope", {{"theta", 20000.0}, {"scaling", yarn}}},
                    {"max_position_embeddings", 512},
                    {"data", json::array({{{"corpus", "books"}, {"weight", 2.0}, {"min_tokens", 128}}})},
                    {"document_masking", false},
                    {"reset_positions", false},
                    {"overflow", "truncate"}});
  stages.push_back({{"name", "llama3"},
                    {"seq_len", 1024},
                    {"tokens", 100000},
                    {"rope", {{"scaling", llama3}}},
                    {"data", corpus_data("books")}});
  for (const char* type : {"linear", "dynamic"}) {
    stages.push_back(
        {{"name", type},
         {"seq_len", 1024},
         {"steps", 5},
         {"rope", {{"scaling", {{"type", type}, {"factor", 4.0}, {"original_max_position_embeddings", 256}}}}},
         {"data", corpus_data("books")}});
  }
  const json run = {{"name", "maximal"},
                    {"init", {{"scratch", small_scratch()}, {"tokenizer", tokenizer}}},
                    {"eval", {{"suite", "evals/niah.json"}}},
                    {"stages", stages}};
  return json::parse(run_config_to_json(parse_run_config(run.dump(), "maximal.json")));
}

// An SFT run from an HF folder: the sft-only keys and dataset data entries.
json maximal_sft_run() {
  return {{"name", "sft"},
          {"objective", "sft"},
          {"loss_on", "all"},
          {"chat_format", "llama3"},
          {"init", {{"model", "models/base"}}},
          {"stages",
           json::array({{{"name", "chat"},
                         {"seq_len", 4096},
                         {"steps", 10},
                         {"data", json::array({{{"dataset", "chat"}, {"weight", 3.0}}, {{"corpus", "books"}}})}}})}};
}

// From scratch with an HF folder's tokenizer.
json scratch_with_model_tokenizer() {
  json j = maximal_sft_run();
  j["init"] = {{"scratch", small_scratch()}, {"tokenizer", {{"model", "models/tokenizer"}}}};
  return j;
}

// Every task with every section, the object forms of lengths, depths and ppl.lengths, a haystack file.
json maximal_suite() {
  return {{"tasks", {"niah", "passkey", "ruler", "ppl"}},
          {"lengths", {{"min", 1000}, {"max", 8000}, {"count", 4}}},
          {"depths", {{"count", 5}, {"spacing", "sigmoid"}}},
          {"batch_size", 2},
          {"seed", 3},
          {"prompt_format", "completion"},
          {"haystack", {{"file", "haystack.txt"}}},
          {"niah",
           {{"needle", " The code is 4711."},
            {"question", "What is the code?"},
            {"keywords", {"4711"}},
            {"answer", "4711"},
            {"buffer_tokens", 100},
            {"snap_to_sentence", false},
            {"max_new_tokens", 20}}},
          {"passkey", {{"max_new_tokens", 8}}},
          {"ruler", {{"tasks", {"niah_single_1", "vt", "cwe"}}}},
          {"ppl",
           {{"texts", {"held_out.txt"}},
            {"lengths", {{"min", 512}, {"max", 2048}, {"count", 3}}},
            {"bucket_tokens", 128},
            {"block_rows", 256}}}};
}

// The list forms and a corpus haystack.
json list_form_suite() {
  return {{"tasks", {"ppl"}},
          {"lengths", {1000, 2000}},
          {"depths", {0, 50, 100}},
          {"haystack", {{"corpus", "books"}}},
          {"ppl", {{"texts", {"a.txt"}}, {"lengths", {512, 1024}}}}};
}

json maximal_project() {
  return {{"format", 1},
          {"name", "demo"},
          {"description", "every key"},
          {"tokenizer", "models/tokenizer"},
          {"device", "cuda:0"},
          {"corpus",
           {{"chunk_tokens", 256},
            {"chunk_overlap", 32},
            {"include", {"*.txt"}},
            {"exclude", {".git/**"}},
            {"max_file_bytes", 1000000}}}};
}

void parse_every_run_config() {
  for (const json& j : {maximal_pretrain_run(), maximal_sft_run(), scratch_with_model_tokenizer()})
    parse_run_config(j.dump(), "maximal.json");
  const auto files = examples("projects/examples/runs", ".json");
  QVERIFY(!files.empty());
  for (const auto& path : files) read_run_config(path);
  for (const auto& path : examples("resources/demo", ".run.json")) read_run_config(path);
}

void parse_every_eval_suite() {
  for (const json& j : {maximal_suite(), list_form_suite()}) parse_eval_suite(j.dump(), "suite.json");
  parse_eval_suite(eval_suite_to_json(EvalSuite{}), "defaults.json");
  const fs::path demo = rw::test::source_path("resources/demo/niah-demo.json");
  parse_eval_suite(read_text_file(demo), demo.string());
}

// One config per generator with every key of its section, and the example synth configs in the repository.
void parse_every_synth_config() {
  const json common = {{"format", 1},      {"name", "s"},       {"description", "d"},       {"seed", 3},
                       {"samples", 10},    {"lengths", {256}},  {"tokenizer", "models/base"}, {"chat_format", "llama3"}};
  json tasks = common, cip = common, synl = common;
  tasks["generator"] = "tasks";
  tasks["tasks"] = {{"tasks", {"needle_chat", "vt"}}, {"corpus", "books"}};
  cip["generator"] = "cip";
  cip["cip"] = {{"corpus", "books"}, {"chunk_tokens", 128}, {"documents", 3}, {"order", "random"}};
  synl["generator"] = "synl";
  synl["synl"] = {{"formats", {"csv"}}, {"questions", {"count"}}, {"questions_per_sample", 2}};
  json bootstrap = common;
  bootstrap["generator"] = "bootstrap";
  bootstrap["bootstrap"] = {{"model", "models/base"}, {"prompt_format", "qwen2"}, {"corpus", "books"},
                            {"variant", "long_output"}, {"queries", 2}, {"top_k", 3}, {"passage_tokens", 100},
                            {"instruction_tokens", 50}, {"summary_tokens", 40}, {"answer_tokens", 60},
                            {"temperature", 0.7}, {"distractors", false}, {"min_answer_chars", 5},
                            {"max_answer_chars", 500}, {"refusals", {"sorry"}}, {"answer_in_documents", true}};
  for (const json& j : {tasks, cip, synl, bootstrap}) parse_synth_config(j.dump(), "synth.json");
  for (const auto& path : examples("projects/examples/synth", ".json")) read_synth_config(path);
}

}  // namespace

class TestConfigDocs : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void runConfigDocListsEveryKey() {
    const strict_json::KeyRecorder recorder;
    parse_every_run_config();
    expect_documented(recorder, "run-config.md");
  }

  void evalSuiteDocListsEveryKey() {
    const strict_json::KeyRecorder recorder;
    parse_every_eval_suite();
    expect_documented(recorder, "eval-suite.md");
  }

  void synthConfigDocListsEveryKey() {
    const strict_json::KeyRecorder recorder;
    parse_every_synth_config();
    expect_documented(recorder, "synth-config.md");
  }

  void projectFileDocListsEveryKey() {
    const strict_json::KeyRecorder recorder;
    parse_project_settings(maximal_project().dump(), "project.ropewalk.json");
    expect_documented(recorder, "project-file.md");
  }

  // The comparison itself: a deleted row and an invented one are both reported by name.
  void comparisonReportsMissingAndExtraRows() {
    const strict_json::KeyRecorder recorder;
    parse_every_run_config();
    std::string text = doc_text("run-config.md");
    const std::size_t row = text.find("| `beta_slow` |");
    QVERIFY(row != std::string::npos);
    text.erase(row, text.find('\n', row) + 1 - row);
    const std::size_t table = text.find("| `seq_len` |");
    QVERIFY(table != std::string::npos);
    text.insert(table, "| `seqlen` | integer | | a typo |\n");
    const auto found = differences(recorder.keys(), doc_keys(text), "run-config.md");
    QCOMPARE(found.size(), std::size_t{2});
    QVERIFY2(found[0].find("`beta_slow` in `stages[].rope.scaling`") != std::string::npos, found[0].c_str());
    QVERIFY2(found[1].find("`seqlen` in `stages[]`") != std::string::npos, found[1].c_str());
  }

  // Parsers on other threads never feed a recorder, and a nested one takes over until it ends.
  void recorderStaysOnItsThreadAndScope() {
    const std::string project = maximal_project().dump();
    const strict_json::KeyRecorder outer;
    std::thread([&] { parse_project_settings(project, "other-thread.json"); }).join();
    QVERIFY(outer.keys().empty());
    {
      const strict_json::KeyRecorder inner;
      parse_project_settings(project, "inner.json");
      QVERIFY(inner.keys().contains({"corpus", "chunk_tokens"}));
      QVERIFY(inner.keys().contains({"", "name"}));
    }
    QVERIFY(outer.keys().empty());
    parse_project_settings(project, "outer.json");
    QVERIFY(outer.keys().contains({"corpus", "max_file_bytes"}));
  }

  // List indices are folded into "[]", so every stage's data entry is one object kind.
  void recordedPathsHaveNoIndices() {
    const strict_json::KeyRecorder recorder;
    parse_run_config(maximal_pretrain_run().dump(), "maximal.json");
    QVERIFY(recorder.keys().contains({"stages[].data[]", "min_tokens"}));
    QVERIFY(recorder.keys().contains({"stages[].rope.scaling", "high_freq_factor"}));
    for (const auto& [path, key] : recorder.keys()) QVERIFY2(path.find("[0]") == std::string::npos, path.c_str());
  }
};

QTEST_GUILESS_MAIN(TestConfigDocs)
#include "test_config_docs.moc"
