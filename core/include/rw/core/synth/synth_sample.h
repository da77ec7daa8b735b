// One synthesized sample before it is stored: its messages (a chat sample) or its one text message (a raw
// text sample), the labelled byte ranges of every part (segments: role, source document and bytes), the
// provenance that rebuilds it, and its token count against its target. SegmentedText builds a message
// piece by piece so segment ranges are right by construction. Not the generators (synthesizer.h), not
// the store (dataset_store.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/chat/chat_format.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/util/error.h"

namespace rw::core {

struct SynthSample {
  std::int64_t index = 0;  ///< position in the job's sample sequence; the sample depends on nothing else
  std::vector<ChatMessage> messages;
  std::vector<SampleSegment> segments;
  std::string meta_json = "{}";  ///< provenance: generator, index, seed, target, tokens, generator details
  std::int64_t target_tokens = 0;
  std::int64_t n_tokens = 0;  ///< under the job's tokenizer, rendered as the trainer renders it
};

/// A sample that cannot be made as configured (too little corpus text for its target length, a target
/// too short for the task's template): reported with this reason, never stored cut short.
class SampleShortfall : public Error {
 public:
  using Error::Error;
  SampleShortfall(const std::string& message, std::string provenance_json)
      : Error(message), provenance_json_(std::move(provenance_json)) {}
  /// What was made before the failure (an agent workflow's steps so far), as JSON; "" when nothing.
  const std::string& provenance_json() const { return provenance_json_; }

 private:
  std::string provenance_json_;
};

/// One message's text assembled from pieces; labelled pieces become segments of message `message_index`.
class SegmentedText {
 public:
  explicit SegmentedText(std::int64_t message_index) : message_index_(message_index) {}

  /// Appends unlabelled text (separators, template words).
  void plain(std::string_view text) { text_ += text; }
  /// Appends `text` as a segment of `kind`; `source` with [begin, end) when it is bytes of a corpus document.
  void add(std::string_view text, std::string_view kind, std::string meta_json = "{}",
           std::optional<std::int64_t> source_document = {}, std::optional<std::int64_t> source_begin = {},
           std::optional<std::int64_t> source_end = {});
  /// Labels bytes [begin, end) already in the text (a needle found inside a generated haystack).
  void label(std::int64_t begin, std::int64_t end, std::string_view kind, std::string meta_json = "{}");

  const std::string& text() const { return text_; }
  std::int64_t size() const { return static_cast<std::int64_t>(text_.size()); }
  /// The segments in byte order (labels added later are sorted in).
  std::vector<SampleSegment> segments() const;

 private:
  std::int64_t message_index_;
  std::string text_;
  std::vector<SampleSegment> segments_;
};

}  // namespace rw::core
