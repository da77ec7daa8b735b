// rebuild_cell_prompt (see cell_prompt.h).
#include "rw/core/tasks/cell_prompt.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "rw/core/store/project.h"
#include "rw/core/tasks/eval_items.h"
#include "rw/core/tasks/recorded_suite.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;

/// What a run recorded about its evals: the suite, the folder whose tokenizer built the prompts, the format.
struct EvalSetup {
  EvalSuite suite;
  fs::path tokenizer_dir;
  ChatFormat format = ChatFormat::Completion;
  std::string origin;
};

EvalSetup eval_run_setup(const Project& project, const RunRecord& run) {
  const std::string source = "the config of eval run #" + std::to_string(run.id);
  const auto recorded = recorded_suite(project, run);
  const nlohmann::json config = nlohmann::json::parse(run.config_json);  // recorded_suite parsed it already
  if (!recorded || !config.contains("model"))
    fail("{} records no suite and model (it was made by an older Ropewalk)", source);
  EvalSetup setup;
  setup.suite = recorded->suite;
  setup.tokenizer_dir = config.at("model").get<std::string>();
  setup.format = chat_format_from_name(config.value("prompt_format", std::string("completion")));
  setup.origin = recorded->origin + ", the tokenizer of " + setup.tokenizer_dir.string();
  return setup;
}

EvalSetup train_run_setup(const Project& project, RunStore& store, const RunRecord& run, std::int64_t step) {
  const auto recorded = recorded_suite(project, run);
  if (!recorded) fail("run #{} (\"{}\") has no eval suite in its config", run.id, run.name);
  EvalSetup setup;
  setup.suite = recorded->suite;
  // Every checkpoint holds the run's tokenizer; the cell's own one first, since older ones may be pruned.
  const auto checkpoints = store.checkpoints(run.id);
  for (const CheckpointRecord& c : checkpoints) {
    const fs::path dir = project.resolve(c.path);
    if (fs::is_directory(dir) && (c.step == step || setup.tokenizer_dir.empty())) setup.tokenizer_dir = dir;
  }
  if (setup.tokenizer_dir.empty())
    fail("run #{} (\"{}\") has no checkpoint left to read its tokenizer from", run.id, run.name);
  setup.format = resolve_prompt_format(setup.suite.prompt_format, setup.tokenizer_dir);
  setup.origin = recorded->origin + " (the run's eval suite) and the tokenizer of " + setup.tokenizer_dir.string();
  return setup;
}

/// The suite's depth index of a stored depth (0..1), compared as the runner keys them.
std::int64_t depth_index(const EvalSuite& suite, double depth01) {
  for (std::size_t i = 0; i < suite.depth_percents.size(); ++i) {
    if (std::llround(suite.depth_percents[i] / 100.0 * 1e9) == std::llround(depth01 * 1e9))
      return static_cast<std::int64_t>(i);
  }
  fail("depth {:g}% is not one of the suite's depths", depth01 * 100);
}

std::vector<std::pair<std::size_t, std::size_t>> find_all(const std::string& text, const std::string& what) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (what.empty()) return out;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    out.emplace_back(at, at + what.size());
  return out;
}

std::string trimmed(const std::string& s) {
  const auto begin = s.find_first_not_of(" \n\t");
  const auto end = s.find_last_not_of(" \n\t");
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

}  // namespace

CellPrompt rebuild_cell_prompt(const Project& project, RunStore& store, const RunRecord& run, const EvalCell& cell) {
  if (cell.task.starts_with("ppl/")) fail("a perplexity cell has no prompt (it scores whole documents)");
  EvalSetup setup;
  if (run.kind == "eval") setup = eval_run_setup(project, run);
  else if (run.kind == "train") setup = train_run_setup(project, store, run, cell.checkpoint_step);
  else fail("run #{} is a {} run, which has no eval cells", run.id, run.kind);

  const EvalTexts texts = load_eval_texts(setup.suite, &store.database());
  const std::unique_ptr<Tokenizer> tokenizer = load_tokenizer(setup.tokenizer_dir);
  EvalItemBuilder items(setup.suite, texts, *tokenizer, setup.format);
  EvalItem item = items.item(cell.task, cell.length, depth_index(setup.suite, cell.depth));

  CellPrompt out;
  out.prompt = std::move(item.prompt.text);
  out.references = item.score.references;
  out.origin = setup.origin;
  out.exact = !cell.prompt_hash.empty() && sha256_hex(out.prompt) == cell.prompt_hash;
  if (!out.exact) {
    out.note = cell.prompt_hash.empty()
                   ? "the store has no hash of the prompt the model saw, so this one cannot be checked"
                   : "this is not the prompt the model saw: the suite, its haystack or the tokenizer changed since "
                     "the cell was scored";
  }
  if (cell.task == "niah") out.needles = find_all(out.prompt, trimmed(setup.suite.niah.needle));
  if (out.needles.empty()) {
    for (const std::string& r : out.references)
      for (const auto& span : find_all(out.prompt, r)) out.needles.push_back(span);
    std::sort(out.needles.begin(), out.needles.end());
  }
  return out;
}

}  // namespace rw::core
