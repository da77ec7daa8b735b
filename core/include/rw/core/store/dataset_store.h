// DatasetStore: the SQL side of training datasets — named datasets of chat samples (conversations with
// provenance in meta_json) or raw-text samples (pretraining-style text such as interleaved chunks), their labelled segments (which bytes of which message came from where), and
// per-tokenizer token counts. Samples are validated here (roles, ranges) so no writer can store one the
// trainer or the inspector cannot read. Not reading files (data/dataset_import.h), not rendering or
// tokenizing samples (data/chat_format.h, data/sample_stream.h), not the schema (migrations.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/database.h"
#include "rw/core/chat/chat_format.h"  // ChatMessage

namespace rw::core {

struct DatasetRecord {
  std::int64_t id = 0;
  std::string name;
  std::string kind = "chat";  // what a sample is: chat (a conversation) or text (one raw text, kTextRole)
  std::string description;
  std::string source;              // the imported file, or the generator that wrote the samples
  std::string config_json = "{}";  // import format or generator settings
  std::int64_t created_ms = 0;
  std::int64_t sample_count = 0;  // filled by the readers, ignored by create_dataset
};

/// A labelled byte range [byte_begin, byte_end) of message `message_index`'s content. kind is free text;
/// the generators write instruction | document | needle | question | answer | summary | table | other.
/// source_document_id with [source_begin, source_end): the corpus document (and its bytes) it came from.
struct SampleSegment {
  std::int64_t message_index = 0;
  std::int64_t byte_begin = 0;
  std::int64_t byte_end = 0;
  std::string kind = "other";
  std::optional<std::int64_t> source_document_id;
  std::optional<std::int64_t> source_begin, source_end;
  std::string meta_json = "{}";
};

struct SampleRecord {
  std::int64_t id = 0;
  std::int64_t dataset_id = 0;
  std::int64_t idx = 0;  // order within the dataset
  std::vector<ChatMessage> messages;
  std::string meta_json;
  std::string content_hash;
  std::int64_t n_bytes = 0;
  std::vector<SampleSegment> segments;  // in idx order
};

/// The roles a chat sample's messages may have.
bool is_chat_role(std::string_view role);

/// A text dataset's sample is one message with this role: raw text, trained on every token.
inline constexpr std::string_view kTextRole = "text";
/// "chat" | "text".
bool is_dataset_kind(std::string_view kind);

/// sha256 hex of the conversation (roles and contents), the key that makes a dataset hold it once.
std::string chat_content_hash(const std::vector<ChatMessage>& messages);

/// Which samples of a dataset to list (the inspector's sample table). Unset bounds and empty strings
/// match everything.
struct SampleQuery {
  std::string tokenizer_id;  ///< whose token counts are listed and bounded (sample_tokens)
  std::optional<std::int64_t> min_tokens, max_tokens;  ///< a bound leaves out samples without a count
  std::string text;          ///< a message contains it (ASCII letters case-insensitive)
  std::string role;          ///< ... a message of this role
  std::int64_t limit = 10000;  ///< rows listed; the counts below cover every match
};

struct SampleSummary {
  std::int64_t id = 0;
  std::int64_t idx = 0;
  std::int64_t n_bytes = 0;
  std::int64_t messages = 0;
  std::optional<std::int64_t> n_tokens;       ///< under the query's tokenizer
  std::optional<std::int64_t> target_tokens;  ///< the generator's target ("target_tokens" in meta_json)
  std::string generator;                      ///< meta_json "generator", else ""
  std::string preview;                        ///< the start of the first non-system message
};

struct SampleListing {
  std::vector<SampleSummary> rows;         ///< in idx order, at most the query's limit
  std::int64_t matching = 0;               ///< every sample that matches
  std::vector<std::int64_t> token_counts;  ///< of every match that has one
  std::vector<std::int64_t> targets;       ///< the distinct target lengths of the dataset's samples
};

class DatasetStore {
 public:
  explicit DatasetStore(Database& db) : db_(db) {}

  /// Creates a dataset; Error if the name is empty or taken, the kind is not chat or text, or config_json is
  /// not a JSON object.
  DatasetRecord create_dataset(const DatasetRecord& dataset);
  std::optional<DatasetRecord> find_dataset(std::string_view name);
  /// Error naming the id when there is none.
  DatasetRecord dataset(std::int64_t id);
  /// Every dataset in id order, with sample counts.
  std::vector<DatasetRecord> list_datasets();
  /// Removes a dataset with its samples, segments and token counts.
  void delete_dataset(std::int64_t dataset_id);

  /// Appends a sample (idx = one past the dataset's last). Returns its id, or nothing when the dataset
  /// already holds this conversation (nothing is written then). Error naming the dataset and the cause
  /// when messages are empty, a chat sample's role is not system|user|assistant, a text sample is not one
  /// message of role kTextRole, meta_json or a segment's meta_json is
  /// not a JSON object, a segment's message_index is out of range, its byte range lies outside that
  /// message or its source range is reversed. Call inside a transaction when adding many.
  std::optional<std::int64_t> add_sample(std::int64_t dataset_id, const std::vector<ChatMessage>& messages,
                                         std::string_view meta_json = "{}",
                                         const std::vector<SampleSegment>& segments = {});
  /// Error naming the id when there is none.
  SampleRecord sample(std::int64_t sample_id);
  /// The dataset's sample ids in idx order.
  std::vector<std::int64_t> sample_ids(std::int64_t dataset_id);
  /// The id of the sample at position `index` (0-based) of the idx order, if there is one.
  std::optional<std::int64_t> sample_id_at(std::int64_t dataset_id, std::int64_t index);
  std::int64_t sample_count(std::int64_t dataset_id);

  /// The samples matching `query`, with the counts a length histogram needs.
  SampleListing list_samples(std::int64_t dataset_id, const SampleQuery& query);
  /// The tokenizer ids the dataset's samples have token counts under, the most used first.
  std::vector<std::string> token_count_tokenizers(std::int64_t dataset_id);

  /// Token counts of a rendered sample under a tokenizer + chat format id (for length histograms).
  void set_sample_tokens(std::int64_t sample_id, std::string_view tokenizer_id, std::int64_t n_tokens);
  std::optional<std::int64_t> sample_tokens(std::int64_t sample_id, std::string_view tokenizer_id);

 private:
  Database& db_;
};

}  // namespace rw::core
