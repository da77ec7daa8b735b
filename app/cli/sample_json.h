// A sample's messages and labelled segments as JSON, one shape for `dataset show --json`, `synth preview --json`
// and the GUI's readers of their output.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "rw/core/store/dataset_store.h"

namespace rw::app {

/// Stored JSON text as a value (an unparsable one is shown as its text).
nlohmann::json parsed_json(const std::string& text);
/// [{"role", "content"}, ...]
nlohmann::json messages_json(const std::vector<rw::core::ChatMessage>& messages);
/// Each segment with its byte range, role, source document and bytes, meta and the text it covers.
nlohmann::json segments_json(const std::vector<rw::core::SampleSegment>& segments,
                             const std::vector<rw::core::ChatMessage>& messages);

}  // namespace rw::app
