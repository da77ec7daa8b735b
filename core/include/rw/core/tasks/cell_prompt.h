// The prompt behind one scored eval cell, rebuilt for a person to read: the store keeps only its SHA-256
// (prompts run to hundreds of thousands of tokens per cell), so the prompt is built again from what the
// run recorded — an eval run's stored suite, model folder and prompt format, or a training run's eval suite
// file and the tokenizer saved with its checkpoints — by the same code that built it for the model
// (eval_items.h), and checked against the stored hash. Torch-free: the workbench calls it off its UI thread.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "rw/core/store/run_store.h"

namespace rw::core {

class Project;

struct CellPrompt {
  std::string prompt;  ///< the prompt text as the model saw it (chat format applied)
  /// Byte ranges [begin, end) of the needle (NIAH's needle sentence; else each expected answer) in `prompt`.
  std::vector<std::pair<std::size_t, std::size_t>> needles;
  std::vector<std::string> references;  ///< what the scorer looked for in the output
  /// The rebuilt prompt's SHA-256 equals the stored one: this is exactly what the model saw. False when the
  /// suite file, haystack corpus or tokenizer changed since (then `note` says so).
  bool exact = false;
  std::string note;
  std::string origin;  ///< where the suite and tokenizer came from, for the reader
};

/// Rebuilds `cell` of `run` (an eval run, or a training run's periodic evals). Error naming what is missing
/// (no suite recorded, tokenizer folder gone, a perplexity cell, which has no prompt).
CellPrompt rebuild_cell_prompt(const Project& project, RunStore& store, const RunRecord& run, const EvalCell& cell);

}  // namespace rw::core
