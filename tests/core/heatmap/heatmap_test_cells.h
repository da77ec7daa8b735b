// Helpers shared by the two heatmap tests: an eval cell as an eval job stores it, and colours as "#RRGGBB"
// so a failed comparison prints something readable.
#pragma once
#include <QString>

#include <cstdint>

#include "rw/core/heatmap/heatmap_data.h"

namespace rw::test {

/// A cell of run 1 (task, step and score as given).
inline rw::core::EvalCell eval_cell(std::int64_t length, double depth, double score, std::int64_t step = 100,
                                    const char* task = "niah") {
  rw::core::EvalCell c;
  c.run_id = 1;
  c.checkpoint_step = step;
  c.task = task;
  c.length = length;
  c.depth = depth;
  c.score = score;
  return c;
}

inline QString hex(rw::core::Rgb8 c) { return QString::asprintf("#%02X%02X%02X", c.r, c.g, c.b); }

}  // namespace rw::test
