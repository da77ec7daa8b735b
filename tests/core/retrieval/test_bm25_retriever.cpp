// BM25 retrieval: ranking on a small hand-made corpus with known answers, the score against the textbook
// formula, free-text query building, raw FTS5 queries, corpus filtering, and terms BM25 gives no weight.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "corpus_fixture.h"
#include "rw/core/retrieval/bm25_retriever.h"
#include "test_support.h"

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

class TestBm25Retriever : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(f_.renew());
    retriever_ = std::make_unique<Bm25Retriever>(f_.db());
    corpus_ = f_.add_corpus("facts", kDocs);
  }
  void cleanup() { retriever_.reset(); }

  void interfaceName() {
    Retriever& r = *retriever_;
    QCOMPARE(std::string(r.name()), std::string("bm25"));
    QCOMPARE(r.retrieve("volcanoes", {}).size(), size_t{1});
    QVERIFY(r.retrieve("volcanoes", {.limit = 0}).empty());
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
      const auto hits = retrieve(query, {.limit = 3, .corpus_id = corpus_});
      QVERIFY2(!hits.empty(), query.c_str());
      QVERIFY2(hits[0].text == kDocs[expected],
               qPrintable(QString("%1 -> %2").arg(query.c_str(), hits[0].text.c_str())));
      for (size_t i = 1; i < hits.size(); ++i) QVERIFY(hits[i - 1].score >= hits[i].score);
    }
  }

  void scoreIsTextbookBm25() {
    // A term in one document: score = idf * tf*(k1+1) / (tf + k1*(1 - b + b*dl/avgdl)), k1 = 1.2, b = 0.75,
    // idf = ln((N - n + 0.5) / (n + 0.5)); dl counted in FTS5 tokens (words; "forty-two" is two).
    const auto hits = retrieve("volcanoes", {.corpus_id = corpus_});
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
    QVERIFY(retrieve("", {}).empty());
    QVERIFY(retrieve("?!", {}).empty());
    QVERIFY(retrieve("zyzzyva", {}).empty());
    QCOMPARE(retrieve("café", {}).size(), size_t{0});  // a non-ASCII word is a word, not an error
  }

  void rawFtsQueries() {
    const auto phrase = retriever_->retrieve_fts("\"general relativity\"", {});
    QCOMPARE(phrase.size(), size_t{1});
    QCOMPARE(phrase[0].chunk.document_id, f_.doc_ids[1]);
    QCOMPARE(retriever_->retrieve_fts("sugar NOT cake", {}).size(), size_t{1});
    QCOMPARE(retriever_->retrieve_fts("photo*", {}).size(), size_t{1});
    const QString error = error_of([&] { retriever_->retrieve_fts("\"unclosed AND (", {}); });
    QVERIFY2(error.contains("search query \"\"unclosed AND (\" is not valid FTS5 syntax"), qPrintable(error));
  }

  void corpusFilterAndDeletion() {
    const std::int64_t other = f_.add_corpus("other", {"Chlorophyll is green."});
    QCOMPARE(retrieve("chlorophyll", {}).size(), size_t{2});
    QCOMPARE(retrieve("chlorophyll", {.corpus_id = other}).size(), size_t{1});
    QCOMPARE(retrieve("chlorophyll", {.corpus_id = corpus_}).size(), size_t{1});
    // The limit applies after the filter.
    QCOMPARE(retrieve("chlorophyll", {.limit = 1, .corpus_id = other}).at(0).text,
             std::string("Chlorophyll is green."));

    f_.store->delete_corpus(corpus_);
    QCOMPARE(rw::core::Bm25Index(f_.db()).indexed_chunk_count(), 1);
    QVERIFY(!f_.store->find_corpus("facts"));
    QCOMPARE(retrieve("chlorophyll", {}).size(), size_t{1});
    QVERIFY(retrieve("relativity", {}).empty());
    f_.db().exec("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')");
    QCOMPARE(f_.store->list_corpora().size(), size_t{1});
  }

  void wordsInHalfTheChunksDoNotWidenTheMatch() {
    std::vector<std::string> texts;
    for (int i = 0; i < 6; ++i) texts.push_back("widget number " + std::to_string(i) + " in the catalogue");
    texts.push_back("a sprocket and a widget");
    texts.push_back("a lone gear");
    const std::int64_t parts = f_.add_corpus("parts", texts);
    QCOMPARE(rw::core::Bm25Index(f_.db()).indexed_chunk_count(), static_cast<std::int64_t>(kDocs.size() + texts.size()));
    {
      Transaction tx(f_.db());  // changes FTS5 has not flushed yet are counted too
      f_.store->add_document(parts, f_.store->begin_import(parts, "{}"), rw::test::CorpusFixture::make_doc("a pending chunk"));
      QCOMPARE(rw::core::Bm25Index(f_.db()).indexed_chunk_count(), static_cast<std::int64_t>(kDocs.size() + texts.size() + 1));
    }  // rolled back
    // "widget" is in 7 of 16 chunks: kept, so both words match.
    QCOMPARE(retrieve("widget sprocket", {.corpus_id = parts}).size(), size_t{7});
    const std::int64_t more = f_.add_corpus("more", {"widget one", "widget two", "widget three"});
    // Now in 10 of 19 chunks: BM25 weights it ~0, so only the sprocket chunk matches.
    const auto hits = retrieve("widget sprocket", {.corpus_id = parts});
    QCOMPARE(hits.size(), size_t{1});
    QCOMPARE(hits[0].text, std::string("a sprocket and a widget"));
    QCOMPARE(retrieve("widget", {.corpus_id = more}).size(), size_t{3});  // alone it still counts
  }

  void corpusFilterFallsBackWhenOtherCorporaFillTheTop() {
    std::vector<std::string> zebras;
    for (int i = 0; i < 100; ++i) zebras.push_back("zebra zebra zebra " + std::to_string(i));
    f_.add_corpus("zoo", zebras);
    const std::int64_t plain = f_.add_corpus("plain", {"one zebra among many other plain words in a much longer text"});
    const auto hits = retrieve("zebra", {.limit = 1, .corpus_id = plain});
    QCOMPARE(hits.size(), size_t{1});
    QVERIFY(hits[0].text.starts_with("one zebra"));
    QCOMPARE(retrieve("zebra", {.limit = 5}).size(), size_t{5});
  }

 private:
  std::vector<RetrievedChunk> retrieve(std::string_view query, const RetrieveOptions& options) {
    return retriever_->retrieve(query, options);
  }

  rw::test::CorpusFixture f_;
  std::unique_ptr<Bm25Retriever> retriever_;
  std::int64_t corpus_ = 0;
};

QTEST_GUILESS_MAIN(TestBm25Retriever)
#include "test_bm25_retriever.moc"
