// Reading synthesized samples in tests: the segments of one role and the text a segment covers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/synth/synth_sample.h"

namespace rw::test {

inline std::vector<rw::core::SampleSegment> of_kind(const rw::core::SynthSample& s, std::string_view kind) {
  std::vector<rw::core::SampleSegment> out;
  for (const auto& g : s.segments)
    if (g.kind == kind) out.push_back(g);
  return out;
}

inline std::string segment_text(const rw::core::SynthSample& s, const rw::core::SampleSegment& g) {
  return s.messages.at(static_cast<size_t>(g.message_index))
      .content.substr(static_cast<size_t>(g.byte_begin), static_cast<size_t>(g.byte_end - g.byte_begin));
}

}  // namespace rw::test
