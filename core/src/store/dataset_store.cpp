// DatasetStore: SQL for datasets, samples, sample segments and sample token counts, with the validation of
// what is written. Not file import (data/dataset_import.cpp) and not the schema (migrations.cpp).
#include "rw/core/store/dataset_store.h"

#include <nlohmann/json.hpp>

#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"

namespace rw::core {
namespace {

using json = nlohmann::json;

constexpr std::string_view kDatasetColumns =
    "d.id, d.name, d.kind, d.description, d.source, d.config_json, d.created_ms, "
    "(SELECT count(*) FROM samples s WHERE s.dataset_id = d.id)";

DatasetRecord read_dataset(const Statement& s) {
  DatasetRecord d;
  d.id = s.column_int64(0);
  d.name = s.column_text(1);
  d.kind = s.column_text(2);
  d.description = s.column_text(3);
  d.source = s.column_text(4);
  d.config_json = s.column_text(5);
  d.created_ms = s.column_int64(6);
  d.sample_count = s.column_int64(7);
  return d;
}

bool is_json_object(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object();
}

std::string messages_to_json(const std::vector<ChatMessage>& messages) {
  json array = json::array();
  for (const ChatMessage& m : messages) array.push_back({{"role", m.role}, {"content", m.content}});
  // Invalid UTF-8 would make dump() throw; replacing it keeps the store readable by every JSON reader.
  return array.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<ChatMessage> messages_from_json(std::string_view text, std::int64_t sample_id) {
  try {
    std::vector<ChatMessage> out;
    for (const json& m : json::parse(text)) {
      out.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    }
    return out;
  } catch (const json::exception& e) {
    fail("sample {}: stored messages are malformed: {}", sample_id, e.what());
  }
}

}  // namespace

bool is_chat_role(std::string_view role) { return role == "system" || role == "user" || role == "assistant"; }

bool is_dataset_kind(std::string_view kind) { return kind == "chat" || kind == "text"; }

std::string chat_content_hash(const std::vector<ChatMessage>& messages) {
  // Length-prefixed fields: no two different conversations serialize to the same bytes.
  std::string bytes;
  for (const ChatMessage& m : messages) {
    bytes += fmt::format("{}:{}{}:{}", m.role.size(), m.role, m.content.size(), m.content);
  }
  return sha256_hex(bytes);
}

DatasetRecord DatasetStore::create_dataset(const DatasetRecord& dataset) {
  if (dataset.name.empty()) fail("{}: a dataset needs a name", db_.path().string());
  if (find_dataset(dataset.name)) fail("{}: dataset '{}' already exists", db_.path().string(), dataset.name);
  const std::string kind = dataset.kind.empty() ? std::string("chat") : dataset.kind;
  if (!is_dataset_kind(kind)) fail("dataset '{}': kind '{}' is not chat or text", dataset.name, kind);
  if (!is_json_object(dataset.config_json))
    fail("dataset '{}': config_json is not a JSON object: {}", dataset.name, dataset.config_json);
  auto s = db_.prepare(
      "INSERT INTO datasets(name, kind, description, source, config_json, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, dataset.name).bind(2, kind);
  s.bind(3, dataset.description).bind(4, dataset.source).bind(5, dataset.config_json).bind(6, now_ms());
  s.run();
  return this->dataset(db_.last_insert_rowid());
}

std::optional<DatasetRecord> DatasetStore::find_dataset(std::string_view name) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM datasets d WHERE d.name = ?1", kDatasetColumns));
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_dataset(s);
}

DatasetRecord DatasetStore::dataset(std::int64_t id) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM datasets d WHERE d.id = ?1", kDatasetColumns));
  s.bind(1, id);
  if (!s.step()) fail("{}: no dataset with id {}", db_.path().string(), id);
  return read_dataset(s);
}

std::vector<DatasetRecord> DatasetStore::list_datasets() {
  auto s = db_.prepare(fmt::format("SELECT {} FROM datasets d ORDER BY d.id", kDatasetColumns));
  std::vector<DatasetRecord> out;
  while (s.step()) out.push_back(read_dataset(s));
  return out;
}

void DatasetStore::delete_dataset(std::int64_t dataset_id) {
  auto s = db_.prepare("DELETE FROM datasets WHERE id = ?1");
  s.bind(1, dataset_id).run();  // samples, segments and token counts follow by ON DELETE CASCADE
}

std::optional<std::int64_t> DatasetStore::add_sample(std::int64_t dataset_id, const std::vector<ChatMessage>& messages,
                                                     std::string_view meta_json,
                                                     const std::vector<SampleSegment>& segments) {
  const DatasetRecord ds = dataset(dataset_id);
  if (messages.empty()) fail("dataset '{}': a sample needs at least one message", ds.name);
  std::int64_t n_bytes = 0;
  if (ds.kind == "text" && (messages.size() != 1 || messages[0].role != kTextRole))
    fail("dataset '{}' holds raw text: a sample is one message of role '{}'", ds.name, kTextRole);
  for (size_t i = 0; i < messages.size(); ++i) {
    if (ds.kind != "text" && !is_chat_role(messages[i].role))
      fail("dataset '{}': message {} has role '{}' (expected system, user or assistant)", ds.name, i, messages[i].role);
    n_bytes += static_cast<std::int64_t>(messages[i].content.size());
  }
  if (!is_json_object(meta_json)) fail("dataset '{}': sample meta_json is not a JSON object: {}", ds.name, meta_json);
  for (size_t k = 0; k < segments.size(); ++k) {
    const SampleSegment& g = segments[k];
    if (g.message_index < 0 || g.message_index >= static_cast<std::int64_t>(messages.size()))
      fail("dataset '{}': segment {} names message {} but the sample has {} messages", ds.name, k, g.message_index,
           messages.size());
    const auto size = static_cast<std::int64_t>(messages[static_cast<size_t>(g.message_index)].content.size());
    if (g.byte_begin < 0 || g.byte_begin > g.byte_end || g.byte_end > size)
      fail("dataset '{}': segment {} covers bytes [{}, {}) of message {}, which has {} bytes", ds.name, k, g.byte_begin,
           g.byte_end, g.message_index, size);
    if (g.source_begin && g.source_end && *g.source_begin > *g.source_end)
      fail("dataset '{}': segment {} has a reversed source range [{}, {})", ds.name, k, *g.source_begin, *g.source_end);
    if (!is_json_object(g.meta_json))
      fail("dataset '{}': segment {} meta_json is not a JSON object: {}", ds.name, k, g.meta_json);
  }

  auto insert = db_.prepare(
      "INSERT INTO samples(dataset_id, idx, messages_json, meta_json, content_hash, n_bytes) "
      "VALUES(?1, (SELECT coalesce(max(idx) + 1, 0) FROM samples WHERE dataset_id = ?1), ?2, ?3, ?4, ?5) "
      "ON CONFLICT(dataset_id, content_hash) DO NOTHING");
  insert.bind(1, dataset_id).bind(2, messages_to_json(messages)).bind(3, meta_json);
  insert.bind(4, chat_content_hash(messages)).bind(5, n_bytes).run();
  if (db_.changes() == 0) return std::nullopt;
  const std::int64_t id = db_.last_insert_rowid();
  auto segment = db_.prepare(
      "INSERT INTO sample_segments(sample_id, idx, message_index, byte_begin, byte_end, kind, source_document_id, "
      "source_begin, source_end, meta_json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  for (size_t k = 0; k < segments.size(); ++k) {
    const SampleSegment& g = segments[k];
    segment.bind(1, id).bind(2, static_cast<std::int64_t>(k)).bind(3, g.message_index).bind(4, g.byte_begin);
    segment.bind(5, g.byte_end).bind(6, g.kind).bind(7, g.source_document_id).bind(8, g.source_begin);
    segment.bind(9, g.source_end).bind(10, g.meta_json).run();
    segment.reset();
  }
  return id;
}

SampleRecord DatasetStore::sample(std::int64_t sample_id) {
  auto s = db_.prepare(
      "SELECT id, dataset_id, idx, messages_json, meta_json, content_hash, n_bytes FROM samples WHERE id = ?1");
  s.bind(1, sample_id);
  if (!s.step()) fail("{}: no sample with id {}", db_.path().string(), sample_id);
  SampleRecord r;
  r.id = s.column_int64(0);
  r.dataset_id = s.column_int64(1);
  r.idx = s.column_int64(2);
  r.messages = messages_from_json(s.column_text(3), sample_id);
  r.meta_json = s.column_text(4);
  r.content_hash = s.column_text(5);
  r.n_bytes = s.column_int64(6);
  auto g = db_.prepare(
      "SELECT message_index, byte_begin, byte_end, kind, source_document_id, source_begin, source_end, meta_json "
      "FROM sample_segments WHERE sample_id = ?1 ORDER BY idx");
  g.bind(1, sample_id);
  while (g.step()) {
    r.segments.push_back({g.column_int64(0), g.column_int64(1), g.column_int64(2), g.column_text(3),
                          g.column_optional_int64(4), g.column_optional_int64(5), g.column_optional_int64(6),
                          g.column_text(7)});
  }
  return r;
}

std::vector<std::int64_t> DatasetStore::sample_ids(std::int64_t dataset_id) {
  auto s = db_.prepare("SELECT id FROM samples WHERE dataset_id = ?1 ORDER BY idx");
  s.bind(1, dataset_id);
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.column_int64(0));
  return out;
}

std::optional<std::int64_t> DatasetStore::sample_id_at(std::int64_t dataset_id, std::int64_t index) {
  if (index < 0) return std::nullopt;
  auto s = db_.prepare("SELECT id FROM samples WHERE dataset_id = ?1 ORDER BY idx LIMIT 1 OFFSET ?2");
  s.bind(1, dataset_id).bind(2, index);
  if (!s.step()) return std::nullopt;
  return s.column_int64(0);
}

std::int64_t DatasetStore::sample_count(std::int64_t dataset_id) {
  auto s = db_.prepare("SELECT count(*) FROM samples WHERE dataset_id = ?1");
  s.bind(1, dataset_id);
  s.step();
  return s.column_int64(0);
}

SampleListing DatasetStore::list_samples(std::int64_t dataset_id, const SampleQuery& query) {
  // ?5 = '' matches any text; instr on lower() folds ASCII letters only, like SQLite's LIKE.
  static constexpr const char* kMatches =
      "FROM samples s LEFT JOIN sample_tokens t ON t.sample_id = s.id AND t.tokenizer_id = ?2 "
      "WHERE s.dataset_id = ?1 AND (?3 IS NULL OR t.n_tokens >= ?3) AND (?4 IS NULL OR t.n_tokens <= ?4) "
      "AND (?5 = '' OR EXISTS (SELECT 1 FROM json_each(s.messages_json) m "
      "WHERE (?6 = '' OR json_extract(m.value, '$.role') = ?6) "
      "AND instr(lower(json_extract(m.value, '$.content')), lower(?5)) > 0))";
  const auto bind = [&](Statement& st) {
    st.bind(1, dataset_id).bind(2, query.tokenizer_id).bind(3, query.min_tokens).bind(4, query.max_tokens);
    st.bind(5, query.text).bind(6, query.role);
  };
  SampleListing out;
  auto rows = db_.prepare(std::string("SELECT s.id, s.idx, s.n_bytes, json_array_length(s.messages_json), t.n_tokens, "
                                      "json_extract(s.meta_json, '$.target_tokens'), "
                                      "coalesce(json_extract(s.meta_json, '$.generator'), ''), "
                                      "(SELECT substr(json_extract(m.value, '$.content'), 1, 160) FROM "
                                      "json_each(s.messages_json) m WHERE json_extract(m.value, '$.role') != 'system' "
                                      "ORDER BY m.key LIMIT 1) ") +
                          kMatches + " ORDER BY s.idx LIMIT ?7");
  bind(rows);
  rows.bind(7, query.limit);
  while (rows.step()) {
    SampleSummary r{.id = rows.column_int64(0), .idx = rows.column_int64(1), .n_bytes = rows.column_int64(2),
                    .messages = rows.column_int64(3), .n_tokens = rows.column_optional_int64(4),
                    .target_tokens = rows.column_optional_int64(5), .generator = rows.column_text(6),
                    .preview = rows.column_text(7)};
    out.rows.push_back(std::move(r));
  }
  auto counts = db_.prepare(std::string("SELECT t.n_tokens ") + kMatches);
  bind(counts);
  while (counts.step()) {
    ++out.matching;
    if (const auto n = counts.column_optional_int64(0)) out.token_counts.push_back(*n);
  }
  auto targets = db_.prepare(
      "SELECT DISTINCT json_extract(meta_json, '$.target_tokens') AS t FROM samples WHERE dataset_id = ?1 AND t IS NOT "
      "NULL ORDER BY t");
  targets.bind(1, dataset_id);
  while (targets.step()) out.targets.push_back(targets.column_int64(0));
  return out;
}

std::vector<std::string> DatasetStore::token_count_tokenizers(std::int64_t dataset_id) {
  auto s = db_.prepare(
      "SELECT t.tokenizer_id FROM sample_tokens t JOIN samples s ON s.id = t.sample_id WHERE s.dataset_id = ?1 "
      "GROUP BY t.tokenizer_id ORDER BY count(*) DESC, t.tokenizer_id");
  s.bind(1, dataset_id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

void DatasetStore::set_sample_tokens(std::int64_t sample_id, std::string_view tokenizer_id, std::int64_t n_tokens) {
  auto s = db_.prepare(
      "INSERT INTO sample_tokens(sample_id, tokenizer_id, n_tokens) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(sample_id, tokenizer_id) DO UPDATE SET n_tokens = excluded.n_tokens");
  s.bind(1, sample_id).bind(2, tokenizer_id).bind(3, n_tokens).run();
}

std::optional<std::int64_t> DatasetStore::sample_tokens(std::int64_t sample_id, std::string_view tokenizer_id) {
  auto s = db_.prepare("SELECT n_tokens FROM sample_tokens WHERE sample_id = ?1 AND tokenizer_id = ?2");
  s.bind(1, sample_id).bind(2, tokenizer_id);
  if (!s.step()) return std::nullopt;
  return s.column_int64(0);
}

}  // namespace rw::core
