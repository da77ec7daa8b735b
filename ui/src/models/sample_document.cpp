#include "rw/ui/models/sample_document.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace rw::ui {

namespace {

struct KindColours {
  const char* kind;
  QColor strong;
  QColor light;
};

// Tableau-like hues; the light ones keep black text readable.
const std::vector<KindColours>& palette() {
  static const std::vector<KindColours> colours = {
      {"instruction", QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0xe6, 0xf5)},
      {"question", QColor(0x94, 0x67, 0xbd), QColor(0xe8, 0xde, 0xf2)},
      {"document", QColor(0x2c, 0xa0, 0x2c), QColor(0xd9, 0xf0, 0xd3)},
      {"distractor", QColor(0x8c, 0x8c, 0x8c), QColor(0xea, 0xea, 0xea)},
      {"chunk", QColor(0x17, 0xbe, 0xcf), QColor(0xd5, 0xf3, 0xf6)},
      {"needle", QColor(0xd6, 0x27, 0x28), QColor(0xfb, 0xd3, 0xd3)},
      {"table", QColor(0xbc, 0xbd, 0x22), QColor(0xf3, 0xf3, 0xcc)},
      {"summary", QColor(0xe3, 0x77, 0xc2), QColor(0xf9, 0xde, 0xf0)},
      {"answer", QColor(0xff, 0x7f, 0x0e), QColor(0xff, 0xe3, 0xc8)},
      {"text", QColor(0x8c, 0x56, 0x4b), QColor(0xee, 0xe0, 0xdc)},
  };
  return colours;
}

const KindColours* colours_of(std::string_view kind) {
  for (const auto& c : palette())
    if (kind == c.kind) return &c;
  return nullptr;
}

}  // namespace

QColor segment_colour(std::string_view kind) {
  const KindColours* c = colours_of(kind);
  return c ? c->strong : QColor(0xb0, 0xb0, 0xb0);
}

QColor segment_background(std::string_view kind) {
  const KindColours* c = colours_of(kind);
  return c ? c->light : QColor(0xf2, 0xf2, 0xf2);
}

const std::vector<std::string>& segment_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> out;
    for (const auto& c : palette()) out.emplace_back(c.kind);
    return out;
  }();
  return kinds;
}

const TextSpan* SampleDocument::span_at(int position) const {
  auto it = std::upper_bound(spans.begin(), spans.end(), position,
                             [](int p, const TextSpan& s) { return p < s.begin; });
  if (it == spans.begin()) return nullptr;
  --it;
  return position < it->end ? &*it : nullptr;
}

SampleDocument layout_sample(const rw::core::SampleRecord& sample) {
  SampleDocument doc;
  doc.segments = sample.segments;
  std::vector<std::map<std::int64_t, int>> positions(sample.messages.size());  // per message: byte -> character
  for (size_t m = 0; m < sample.messages.size(); ++m) {
    const std::string& content = sample.messages[m].content;
    if (m > 0) doc.text += QStringLiteral("\n\n");
    const int header_begin = static_cast<int>(doc.text.size());
    doc.text += QStringLiteral("── %1 ──").arg(QString::fromStdString(sample.messages[m].role));
    doc.headers.push_back({header_begin, static_cast<int>(doc.text.size()), static_cast<int>(m)});
    doc.text += QLatin1Char('\n');
    // The content is converted between segment boundaries, so each boundary's character position is exact.
    std::vector<std::int64_t> cuts{0, static_cast<std::int64_t>(content.size())};
    for (const auto& g : sample.segments) {
      if (g.message_index != static_cast<std::int64_t>(m)) continue;
      cuts.push_back(std::clamp<std::int64_t>(g.byte_begin, 0, static_cast<std::int64_t>(content.size())));
      cuts.push_back(std::clamp<std::int64_t>(g.byte_end, 0, static_cast<std::int64_t>(content.size())));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (size_t k = 0; k < cuts.size(); ++k) {
      positions[m][cuts[k]] = static_cast<int>(doc.text.size());
      if (k + 1 < cuts.size())
        doc.text += QString::fromUtf8(content.data() + cuts[k], static_cast<qsizetype>(cuts[k + 1] - cuts[k]));
    }
  }
  for (size_t k = 0; k < sample.segments.size(); ++k) {
    const auto& g = sample.segments[k];
    if (g.message_index < 0 || g.message_index >= static_cast<std::int64_t>(positions.size())) continue;
    const auto& at = positions[static_cast<size_t>(g.message_index)];
    const auto begin = at.find(g.byte_begin), end = at.find(g.byte_end);
    if (begin == at.end() || end == at.end() || begin->second >= end->second) continue;
    doc.spans.push_back({begin->second, end->second, static_cast<int>(k)});
  }
  // Disjoint spans for drawing: where segments nest or overlap, the innermost (latest begin, then shortest)
  // shows, and an outer segment continues after it.
  std::vector<int> cuts;
  for (const TextSpan& s : doc.spans) {
    cuts.push_back(s.begin);
    cuts.push_back(s.end);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<TextSpan> by_begin = doc.spans;
  std::stable_sort(by_begin.begin(), by_begin.end(), [](const TextSpan& a, const TextSpan& b) { return a.begin < b.begin; });
  std::vector<TextSpan> active, flat;
  size_t next = 0;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    const int from = cuts[c], to = cuts[c + 1];
    std::erase_if(active, [from](const TextSpan& s) { return s.end <= from; });
    while (next < by_begin.size() && by_begin[next].begin <= from) active.push_back(by_begin[next++]);
    if (active.empty()) continue;
    const TextSpan& inner = *std::max_element(active.begin(), active.end(), [](const TextSpan& a, const TextSpan& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    if (!flat.empty() && flat.back().index == inner.index && flat.back().end == from)
      flat.back().end = to;
    else
      flat.push_back({from, to, inner.index});
  }
  doc.spans = std::move(flat);
  return doc;
}

int TokenDocument::token_at(int position) const {
  if (begin.empty() || position < 0 || position >= static_cast<int>(text.size())) return -1;
  const auto it = std::upper_bound(begin.begin(), begin.end(), position);
  return static_cast<int>(it - begin.begin()) - 1;
}

int TokenDocument::end_of(int token) const {
  return token + 1 < static_cast<int>(begin.size()) ? begin[static_cast<size_t>(token) + 1]
                                                     : static_cast<int>(text.size());
}

TokenDocument layout_tokens(const rw::core::RenderedChat& rendered, const rw::core::TokenPieces& pieces) {
  TokenDocument doc;
  doc.ids = rendered.ids;
  doc.loss_mask = rendered.loss_mask;
  doc.tokenized_in_pieces = rendered.tokenized_in_pieces;
  doc.begin.reserve(pieces.begin.size());
  for (size_t k = 0; k < pieces.begin.size(); ++k) {
    doc.begin.push_back(static_cast<int>(doc.text.size()));
    const std::int64_t end = k + 1 < pieces.begin.size() ? pieces.begin[k + 1] : static_cast<std::int64_t>(pieces.text.size());
    doc.text += QString::fromUtf8(pieces.text.data() + pieces.begin[k], static_cast<qsizetype>(end - pieces.begin[k]));
  }
  return doc;
}

PreviewSample parse_preview_sample(const std::string& json_text) {
  const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("messages") || !j.contains("segments"))
    throw std::runtime_error("the preview printed no sample (no \"messages\" and \"segments\")");
  PreviewSample out;
  try {
    for (const auto& m : j.at("messages"))
      out.record.messages.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    for (const auto& g : j.at("segments")) {
      rw::core::SampleSegment s{.message_index = g.at("message_index").get<std::int64_t>(),
                                .byte_begin = g.at("byte_begin").get<std::int64_t>(),
                                .byte_end = g.at("byte_end").get<std::int64_t>(),
                                .kind = g.at("kind").get<std::string>(),
                                .meta_json = g.value("meta", nlohmann::json::object()).dump()};
      if (g.contains("source_document_id") && !g["source_document_id"].is_null()) {
        s.source_document_id = g["source_document_id"].get<std::int64_t>();
        s.source_begin = g.value("source_begin", std::int64_t{0});
        s.source_end = g.value("source_end", std::int64_t{0});
      }
      out.record.segments.push_back(std::move(s));
    }
    out.record.meta_json = j.value("meta", nlohmann::json::object()).dump();
    out.record.idx = j.value("index", std::int64_t{0});
    out.n_tokens = j.value("n_tokens", std::int64_t{0});
    out.target_tokens = j.value("target_tokens", std::int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("the preview's sample is malformed: ") + e.what());
  }
  for (const auto& m : out.record.messages) out.record.n_bytes += static_cast<std::int64_t>(m.content.size());
  return out;
}

std::optional<TokenizerRef> parse_tokenizer_id(std::string_view tokenizer_id) {
  const size_t bar = tokenizer_id.rfind('|');
  if (bar == std::string_view::npos || bar == 0 || bar + 1 == tokenizer_id.size()) return std::nullopt;
  return TokenizerRef{std::string(tokenizer_id.substr(0, bar)), std::string(tokenizer_id.substr(bar + 1))};
}

}  // namespace rw::ui
