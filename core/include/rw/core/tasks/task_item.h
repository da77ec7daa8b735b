// One eval prompt ready to run: where it sits in the grid (task, length, depth), the prompt, how many
// tokens to generate and how to score the output. Task builders (niah.h, passkey.h, ruler.h) make them;
// the runner (eval_runner.h) batches, generates, scores and stores them.
#pragma once
#include <cstdint>
#include <string>

#include "rw/core/tasks/scoring.h"
#include "rw/core/chat/chat_format.h"

namespace rw::core {

struct EvalItem {
  std::string task;          ///< stored task name: "niah", "passkey", "ruler/niah_single_1", ...
  std::int64_t length = 0;   ///< context length label in the model's tokens (a budget, as in gkamradt)
  double depth_percent = 0;  ///< 0..100; stored as depth 0..1
  Prompt prompt;
  std::int64_t max_new_tokens = 0;
  ScoreSpec score;
};

}  // namespace rw::core
