// CorpusStore: corpora, duplicate documents, chunk texts by id, and deletion with the index rows.
#include <QTemporaryDir>
#include <QtTest>

#include "corpus_fixture.h"
#include "rw/core/store/bm25_index.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;

class TestCorpusStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(f_.renew());
    corpus_ = f_.add_corpus("facts", {"Chlorophyll absorbs light.", "Lava cools into basalt."});
  }

  void duplicateDocumentIsNotStoredTwice() {
    const std::int64_t import_id = f_.store->begin_import(corpus_, "{}");
    QVERIFY(!f_.store->add_document(corpus_, import_id, rw::test::CorpusFixture::make_doc("Lava cools into basalt.")));
    QCOMPARE(f_.store->document_count(corpus_), std::int64_t{2});
    const QString error = error_of([&] { f_.store->create_corpus({.name = "facts"}); });
    QVERIFY(error.contains("corpus 'facts' already exists"));
  }

  void chunkTextsInTheOrderAsked() {
    const auto first = f_.store->document_chunks(f_.doc_ids[0]).at(0).id;
    const auto second = f_.store->document_chunks(f_.doc_ids[1]).at(0).id;
    const auto texts = f_.store->chunk_texts({second, first});
    QCOMPARE(texts.size(), size_t{2});
    QCOMPARE(texts[0].text, std::string("Lava cools into basalt."));
    QCOMPARE(texts[1].text, std::string("Chlorophyll absorbs light."));
    QCOMPARE(texts[1].source_path, std::string("/hand/made.txt"));
    QVERIFY(error_of([&] { f_.store->chunk_texts({second + 100}); }).contains("no chunk"));
  }

  void deletionRemovesIndexRows() {
    const std::int64_t other = f_.add_corpus("other", {"Chlorophyll is green."});
    QCOMPARE(Bm25Index(f_.db()).indexed_chunk_count(), 3);
    f_.store->delete_corpus(corpus_);
    QCOMPARE(Bm25Index(f_.db()).indexed_chunk_count(), 1);
    QVERIFY(!f_.store->find_corpus("facts"));
    QCOMPARE(f_.store->document_count(other), std::int64_t{1});
    f_.db().exec("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')");
  }

 private:
  rw::test::CorpusFixture f_;
  std::int64_t corpus_ = 0;
};

QTEST_GUILESS_MAIN(TestCorpusStore)
#include "test_corpus_store.moc"
