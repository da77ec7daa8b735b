// CorpusStore: BM25 ranking on a small hand-made corpus with known answers, the BM25 score against the
// textbook formula, free-text query building, raw FTS5 queries, corpus filtering and deletion.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "rw/core/store/corpus_store.h"
#include "rw/core/store/migrations.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace rw::core;
using rw::test::error_of;

namespace {

const std::vector<std::string> kDocs = {
    "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar; chlorophyll in the leaves "
    "absorbs the light.",
    "Albert Einstein published the theory of special relativity in 1905 and general relativity in 1915.",
    "The marathon runner ran forty-two kilometres; running long distances needs steady training.",
    "A binary search halves a sorted array at every step, so it finds an element in logarithmic time.",
    "Volcanoes erupt when magma rises through the crust; lava flows cool into basalt.",
    "The recipe needs flour, butter, sugar and eggs; bake the cake for forty minutes.",
    "Rust's borrow checker rejects programs where a reference outlives the value it points to.",
    "The passkey is 71432. Remember it. The grass is green and the sky is blue.",
};

}  // namespace

class TestCorpusStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(tmp_.isValid());
    db_ = std::make_unique<Database>(
        open_store(fs::path(tmp_.path().toStdString()) / (std::to_string(++counter_) + ".db"), OpenMode::ReadWrite));
    store_ = std::make_unique<CorpusStore>(*db_);
    doc_ids_.clear();
    corpus_ = add_corpus("facts", kDocs);
  }
  void cleanup() {
    store_.reset();
    db_.reset();
  }

  void knownAnswersRankFirst() {
    const std::vector<std::pair<std::string, size_t>> cases = {
        {"how do plants use chlorophyll", 0},
        {"Who wrote the theory of relativity?", 1},
        {"marathons and runners", 2},  // stemming: marathons -> marathon, running/ran vs runners
        {"logarithmic search in a sorted array", 3},
        {"what is the passkey", 7},
        {"cooling lava", 4},
        {"borrow checker reference", 6},
        {"bake a cake with butter", 5},
    };
    for (const auto& [query, expected] : cases) {
      const auto hits = store_->search(query, {.limit = 3, .corpus_id = corpus_});
      QVERIFY2(!hits.empty(), query.c_str());
      QVERIFY2(hits[0].text == kDocs[expected],
               qPrintable(QString("%1 -> %2").arg(query.c_str(), hits[0].text.c_str())));
      for (size_t i = 1; i < hits.size(); ++i) QVERIFY(hits[i - 1].score >= hits[i].score);
    }
  }

  void scoreIsTextbookBm25() {
    // A term in one document: score = idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl)), k1 = 1.2, b = 0.75,
    // idf = ln((N - n + 0.5) / (n + 0.5)); dl counted in FTS5 tokens (words; "forty-two" is two).
    const auto hits = store_->search("volcanoes", {.corpus_id = corpus_});
    QCOMPARE(hits.size(), size_t{1});
    const auto tokens = [](const std::string& text) {
      double n = 0;
      bool in_word = false;
      for (const char c : text) {
        const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
        if (word && !in_word) ++n;
        in_word = word;
      }
      return n;
    };
    double total = 0;
    for (const std::string& d : kDocs) total += tokens(d);
    const double avgdl = total / static_cast<double>(kDocs.size());
    const double dl = tokens(kDocs[4]);
    const double idf = std::log((8 - 1 + 0.5) / (1 + 0.5));
    const double expected = idf * (1 * 2.2) / (1 + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl));
    QVERIFY2(std::abs(hits[0].score - expected) < 1e-9,
             qPrintable(QString("%1 vs %2").arg(hits[0].score).arg(expected)));
  }

  void freeTextQueries() {
    QCOMPARE(free_text_to_fts_query("Who wrote THE theory-of relativity?"),
             std::string("\"wrote\" OR \"theory\" OR \"relativity\""));
    QCOMPARE(free_text_to_fts_query("the and of"), std::string("\"the\" OR \"and\" OR \"of\""));  // only stop words
    QCOMPARE(free_text_to_fts_query("\"NEAR(a b)\" OR *"), std::string("\"near\" OR \"b\""));
    QCOMPARE(free_text_to_fts_query("  ?! "), std::string());
    QVERIFY(store_->search("", {}).empty());
    QVERIFY(store_->search("?!", {}).empty());
    QVERIFY(store_->search("zyzzyva", {}).empty());
    QCOMPARE(store_->search("café", {}).size(), size_t{0});  // a non-ASCII word is a word, not an error
  }

  void rawFtsQueries() {
    const auto phrase = store_->search("\"general relativity\"", {.raw_fts_query = true});
    QCOMPARE(phrase.size(), size_t{1});
    QCOMPARE(phrase[0].chunk.document_id, doc_ids_[1]);
    QCOMPARE(store_->search("sugar NOT cake", {.raw_fts_query = true}).size(), size_t{1});
    QCOMPARE(store_->search("photo*", {.raw_fts_query = true}).size(), size_t{1});
    const QString error = error_of([&] { store_->search("\"unclosed AND (", {.raw_fts_query = true}); });
    QVERIFY2(error.contains("search query \"\"unclosed AND (\" is not valid FTS5 syntax"), qPrintable(error));
  }

  void corpusFilterAndDeletion() {
    const std::int64_t other = add_corpus("other", {"Chlorophyll is green."});
    QCOMPARE(store_->search("chlorophyll", {}).size(), size_t{2});
    QCOMPARE(store_->search("chlorophyll", {.corpus_id = other}).size(), size_t{1});
    QCOMPARE(store_->search("chlorophyll", {.corpus_id = corpus_}).size(), size_t{1});
    // The limit applies after the filter.
    QCOMPARE(store_->search("chlorophyll", {.limit = 1, .corpus_id = other}).at(0).text,
             std::string("Chlorophyll is green."));

    store_->delete_corpus(corpus_);
    QCOMPARE(store_->indexed_chunk_count(), 1);
    QVERIFY(!store_->find_corpus("facts"));
    QCOMPARE(store_->search("chlorophyll", {}).size(), size_t{1});
    QVERIFY(store_->search("relativity", {}).empty());
    db_->exec("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')");
    QCOMPARE(store_->list_corpora().size(), size_t{1});
  }

  void wordsInHalfTheChunksDoNotWidenTheMatch() {
    std::vector<std::string> texts;
    for (int i = 0; i < 6; ++i) texts.push_back("widget number " + std::to_string(i) + " in the catalogue");
    texts.push_back("a sprocket and a widget");
    texts.push_back("a lone gear");
    const std::int64_t parts = add_corpus("parts", texts);
    QCOMPARE(store_->indexed_chunk_count(), static_cast<std::int64_t>(kDocs.size() + texts.size()));
    {
      Transaction tx(*db_);  // changes FTS5 has not flushed yet are counted too
      store_->add_document(parts, store_->begin_import(parts, "{}"), make_doc("a pending chunk"));
      QCOMPARE(store_->indexed_chunk_count(), static_cast<std::int64_t>(kDocs.size() + texts.size() + 1));
    }  // rolled back
    // "widget" is in 7 of 16 chunks: kept, so both words match.
    QCOMPARE(store_->search("widget sprocket", {.corpus_id = parts}).size(), size_t{7});
    const std::int64_t more = add_corpus("more", {"widget one", "widget two", "widget three"});
    // Now in 10 of 19 chunks: BM25 weights it ~0, so only the sprocket chunk matches.
    const auto hits = store_->search("widget sprocket", {.corpus_id = parts});
    QCOMPARE(hits.size(), size_t{1});
    QCOMPARE(hits[0].text, std::string("a sprocket and a widget"));
    QCOMPARE(store_->search("widget", {.corpus_id = more}).size(), size_t{3});  // alone it still counts
  }

  void corpusFilterFallsBackWhenOtherCorporaFillTheTop() {
    std::vector<std::string> zebras;
    for (int i = 0; i < 100; ++i) zebras.push_back("zebra zebra zebra " + std::to_string(i));
    add_corpus("zoo", zebras);
    const std::int64_t plain = add_corpus("plain", {"one zebra among many other plain words in a much longer text"});
    const auto hits = store_->search("zebra", {.limit = 1, .corpus_id = plain});
    QCOMPARE(hits.size(), size_t{1});
    QVERIFY(hits[0].text.starts_with("one zebra"));
    QCOMPARE(store_->search("zebra", {.limit = 5}).size(), size_t{5});
  }

  void duplicateDocumentIsNotStoredTwice() {
    const std::int64_t import_id = store_->begin_import(corpus_, "{}");
    NewDocument doc = make_doc(kDocs[0]);
    QVERIFY(!store_->add_document(corpus_, import_id, doc));
    QCOMPARE(store_->document_count(corpus_), static_cast<std::int64_t>(kDocs.size()));
    const QString error = error_of([&] { store_->create_corpus({.name = "facts"}); });
    QVERIFY(error.contains("corpus 'facts' already exists"));
  }

 private:
  static NewDocument make_doc(const std::string& text) {
    NewDocument doc;
    doc.source_path = "/hand/made.txt";
    doc.source_end = static_cast<std::int64_t>(text.size());
    doc.content_hash = sha256_hex(text);
    doc.text = text;
    doc.n_tokens = 1;
    doc.chunks = {{0, static_cast<std::int64_t>(text.size()), 1}};
    return doc;
  }

  std::int64_t add_corpus(const std::string& name, const std::vector<std::string>& texts) {
    const CorpusRecord c = store_->create_corpus(
        {.name = name, .tokenizer_id = "words", .tokenizer_name = "words", .chunk_tokens = 512, .chunk_overlap = 0});
    Transaction tx(*db_);
    const std::int64_t import_id = store_->begin_import(c.id, "{}");
    for (const std::string& t : texts) doc_ids_.push_back(*store_->add_document(c.id, import_id, make_doc(t)));
    tx.commit();
    return c.id;
  }

  QTemporaryDir tmp_;
  int counter_ = 0;
  std::unique_ptr<Database> db_;
  std::unique_ptr<CorpusStore> store_;
  std::int64_t corpus_ = 0;
  std::vector<std::int64_t> doc_ids_;
};

QTEST_GUILESS_MAIN(TestCorpusStore)
#include "test_corpus_store.moc"
