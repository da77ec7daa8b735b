// A project for the data pages' tests: a fresh project folder whose store holds the demo almanac as corpus
// "demo" (one chunk per document), for generators that read a corpus.
#pragma once
#include <filesystem>

#include "rw/core/store/corpus_store.h"
#include "rw/core/store/project.h"
#include "rw/core/util/files.h"
#include "corpus_fixture.h"
#include "test_support.h"

namespace rw::test {

inline void make_demo_project(const std::filesystem::path& dir) {
  using namespace rw::core;
  Project::init(dir, {});
  Database db = Project::open(dir).open_store(OpenMode::ReadWrite);
  CorpusStore corpora(db);
  const CorpusRecord c = corpora.create_corpus(
      {.name = "demo", .tokenizer_id = "words", .tokenizer_name = "words", .chunk_tokens = 512, .chunk_overlap = 0});
  Transaction tx(db);
  const std::int64_t import_id = corpora.begin_import(c.id, "{}");
  for (const auto& entry : std::filesystem::directory_iterator(source_path("resources/demo/corpus")))
    if (entry.path().extension() == ".txt")
      corpora.add_document(c.id, import_id, CorpusFixture::make_doc(read_text_file(entry.path())));
  tx.commit();
}

}  // namespace rw::test
