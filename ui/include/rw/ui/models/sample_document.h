// A stored sample laid out for the inspector: its messages one after another under role headers, its
// segments as character ranges of that text, and (under the dataset's tokenizer) the trainer's tokens with
// their boundaries and loss mask as character ranges of the rendered text. Built on a reader thread;
// the views only look things up.
#pragma once
#include <QColor>
#include <QString>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_tokens.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/tokenizer/token_pieces.h"

namespace rw::ui {

/// [begin, end) in UTF-16 positions of a view's text.
struct TextSpan {
  int begin = 0;
  int end = 0;
  int index = -1;  ///< the stored segment (SampleDocument) or the token (TokenDocument) it shows
};

struct SampleDocument {
  QString text;
  std::vector<TextSpan> headers;  ///< per message, its "role" header line (index = message)
  /// The stored segments as disjoint spans in position order (index = its place in `segments`). Where
  /// segments nest or overlap, the innermost shows and an outer one continues after it in a second span.
  std::vector<TextSpan> spans;
  std::vector<rw::core::SampleSegment> segments;

  /// The span at character `position`, or nullptr.
  const TextSpan* span_at(int position) const;
};

/// Message i's content follows a header line naming its role; a text sample's single message too.
SampleDocument layout_sample(const rw::core::SampleRecord& sample);

struct TokenDocument {
  QString text;                  ///< the rendered sample, token pieces joined (tokenizer.decode)
  std::vector<int> begin;        ///< per token, the character where its piece starts
  std::vector<std::int32_t> ids;
  std::vector<std::uint8_t> loss_mask;  ///< per token: 1 = trained
  bool tokenized_in_pieces = false;

  /// The token whose piece holds character `position` (the last token when several share it), or -1.
  int token_at(int position) const;
  int end_of(int token) const;
};

TokenDocument layout_tokens(const rw::core::RenderedChat& rendered, const rw::core::TokenPieces& pieces);

/// A sample as `ropewalk-cli synth preview --json` prints it (messages, segments with their sources, meta,
/// n_tokens): the record (id 0, not stored) and its token count. Error (std::runtime_error) naming what is
/// missing when the text is not such an object.
struct PreviewSample {
  rw::core::SampleRecord record;
  std::int64_t n_tokens = 0;
  std::int64_t target_tokens = 0;
};
PreviewSample parse_preview_sample(const std::string& json_text);

/// The tokenizer a dataset's token counts were taken under: "folder|format" as the synthesizer writes it
/// (format "text" for text datasets), split; nothing when the id has no '|'.
struct TokenizerRef {
  std::string folder;
  std::string format;
};
std::optional<TokenizerRef> parse_tokenizer_id(std::string_view tokenizer_id);

/// The colour of a segment kind: a light one for text backgrounds and a strong one for the minimap and
/// legend. Unknown kinds are grey.
QColor segment_background(std::string_view kind);
QColor segment_colour(std::string_view kind);
/// The kinds the generators write, in legend order.
const std::vector<std::string>& segment_kinds();

}  // namespace rw::ui
