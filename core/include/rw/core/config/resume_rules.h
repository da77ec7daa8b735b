// Which run-config changes a resumed training run accepts. Everything that shaped the steps already
// taken must stay as it was; what only concerns steps not yet taken may change: the description, eval
// and checkpoint settings, the step count (steps or tokens) of the stage the run stopped in (not below
// the steps it has done) and of later stages, and later stages themselves (changed, added or removed). Changing the
// current stage's steps also stretches or shortens its learning-rate schedule from there on.
#pragma once
#include <cstdint>
#include <string>

#include "rw/core/config/run_config.h"

namespace rw::core {

/// Empty when `now` may continue a run trained with `trained` that stopped after `stage_step` steps of
/// stages[stage]; otherwise the first change it refuses, naming the JSON path and the two values
/// (e.g. `optimizer.lr: 0.001 -> 0.002`).
std::string resume_refusal(const RunConfig& trained, const RunConfig& now, std::int64_t stage, std::int64_t stage_step);

/// The accepted changes between two configs as JSON paths (e.g. "stages[1].steps", "eval"), for the
/// run's event log; empty when they are equal.
std::string resume_changes(const RunConfig& trained, const RunConfig& now);

}  // namespace rw::core
