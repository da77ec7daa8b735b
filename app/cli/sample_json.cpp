// Sample JSON (see sample_json.h).
#include "sample_json.h"

namespace rw::app {

using json = nlohmann::json;

json parsed_json(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(text) : j;
}

json messages_json(const std::vector<rw::core::ChatMessage>& messages) {
  json out = json::array();
  for (const auto& m : messages) out.push_back({{"role", m.role}, {"content", m.content}});
  return out;
}

json segments_json(const std::vector<rw::core::SampleSegment>& segments,
                   const std::vector<rw::core::ChatMessage>& messages) {
  json out = json::array();
  for (const auto& g : segments) {
    const std::string& content = messages.at(static_cast<size_t>(g.message_index)).content;
    out.push_back(
        {{"message_index", g.message_index},
         {"byte_begin", g.byte_begin},
         {"byte_end", g.byte_end},
         {"kind", g.kind},
         {"source_document_id", g.source_document_id ? json(*g.source_document_id) : json()},
         {"source_begin", g.source_begin ? json(*g.source_begin) : json()},
         {"source_end", g.source_end ? json(*g.source_end) : json()},
         {"meta", parsed_json(g.meta_json)},
         {"text", content.substr(static_cast<size_t>(g.byte_begin), static_cast<size_t>(g.byte_end - g.byte_begin))}});
  }
  return out;
}

}  // namespace rw::app
