// A small store with hand-made corpora for the corpus store and retrieval tests: one chunk per document,
// token counts under a "words" tokenizer.
#pragma once
#include <QTemporaryDir>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rw/core/store/corpus_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace rw::test {

class CorpusFixture {
 public:
  /// A fresh store with no corpora (call in the test's init()); false when it could not be made.
  bool renew() {
    doc_ids.clear();
    if (!scratch_.renew()) return false;
    store = std::make_unique<rw::core::CorpusStore>(scratch_.db());
    return true;
  }
  rw::core::Database& db() { return scratch_.db(); }

  static rw::core::NewDocument make_doc(const std::string& text) {
    rw::core::NewDocument doc;
    doc.source_path = "/hand/made.txt";
    doc.source_end = static_cast<std::int64_t>(text.size());
    doc.content_hash = rw::core::sha256_hex(text);
    doc.text = text;
    doc.n_tokens = 1;
    doc.chunks = {{0, static_cast<std::int64_t>(text.size()), 1}};
    return doc;
  }

  /// A corpus of one document (and one chunk) per text; returns its id.
  std::int64_t add_corpus(const std::string& name, const std::vector<std::string>& texts) {
    const rw::core::CorpusRecord c = store->create_corpus(
        {.name = name, .tokenizer_id = "words", .tokenizer_name = "words", .chunk_tokens = 512, .chunk_overlap = 0});
    rw::core::Transaction tx(db());
    const std::int64_t import_id = store->begin_import(c.id, "{}");
    for (const std::string& t : texts) doc_ids.push_back(*store->add_document(c.id, import_id, make_doc(t)));
    tx.commit();
    return c.id;
  }

  std::unique_ptr<rw::core::CorpusStore> store;
  std::vector<std::int64_t> doc_ids;

 private:
  ScratchStore scratch_;
};

}  // namespace rw::test
