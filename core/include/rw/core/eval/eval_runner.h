// Runs an EvalSuite against one model checkpoint: builds every cell's prompt, generates in batches (cells
// of one length together), scores, and writes each cell to the run store the moment it is scored, so a
// live heatmap fills in while the job runs. Grids run in coarse_to_fine_order (eval_grid.h). Cells already
// stored for (run, checkpoint_step, task, length, depth) are skipped, so a killed job resumes where it
// stopped. Perplexity writes its curve as cells too (task "ppl/nll_by_position", depth = bucket start / L,
// score = mean NLL in nats) plus "ppl/mean_nll" at depth 0. Not the CLI (app/cli/eval.cpp).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/config/eval_suite.h"
#include "rw/core/eval/perplexity.h"
#include "rw/core/chat/chat_format.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/store/run_store.h"
#include "rw/core/tasks/eval_items.h"

namespace rw::core {

class ProgressReporter;
class Tokenizer;

/// The model under test. `generator` and `tokenizer` are needed by niah/passkey/ruler, `model` by ppl.
struct EvalTarget {
  TextGenerator* generator = nullptr;
  const Tokenizer* tokenizer = nullptr;
  ChatFormat format = ChatFormat::Completion;
  LlamaForCausalLM* model = nullptr;
};

struct EvalRunOptions {
  RunStore* store = nullptr;  ///< null: nothing stored, nothing skipped (results only)
  std::int64_t run_id = 0;
  std::int64_t checkpoint_step = 0;
  ProgressReporter* progress = nullptr;
  /// Called after each cell is scored (and stored), e.g. to heartbeat or print.
  std::function<void(const EvalCell&)> on_cell;
  /// Asked between batches; true ends the run early (EvalRunReport::stopped).
  std::function<bool()> should_stop;
};

struct EvalRunReport {
  std::vector<EvalCell> cells;  ///< cells computed in this call, in computation order
  std::int64_t skipped = 0;     ///< cells found in the store and not recomputed
  std::vector<PerplexityResult> perplexity;
  double seconds = 0;
  bool stopped = false;  ///< should_stop ended it before every cell was computed
};

/// Every cell of the suite, in the order they are computed: per task (suite order; ruler expands to its
/// tasks), coarse_to_fine_order over lengths x depths. Pure: used by the runner and by tests.
std::vector<std::pair<std::string, GridIndex>> eval_cell_order(const EvalSuite& suite);

/// Runs the suite. Error naming the task when the target lacks what a task needs.
EvalRunReport run_eval_suite(const EvalSuite& suite, const EvalTexts& texts, const EvalTarget& target,
                             const EvalRunOptions& options);

/// The call a trainer makes for a periodic eval at `checkpoint_step`: loads the texts (corpus haystacks
/// from the same store), then run_eval_suite writing into `store` under `run_id`.
EvalRunReport run_eval_suite(const EvalSuite& suite, const EvalTarget& target, RunStore& store, std::int64_t run_id,
                             std::int64_t checkpoint_step, ProgressReporter* progress = nullptr);

}  // namespace rw::core
