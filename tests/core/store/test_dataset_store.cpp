// DatasetStore: datasets and samples round-trip (messages, meta, segments with provenance), duplicates are
// reported and not stored, sample order, counts, token counts, deletion cascades (and a deleted source
// document leaves the segment without a source), and every validation error names the dataset and cause.
#include <QTemporaryDir>
#include <QtTest>

#include <fmt/format.h>

#include "rw/core/store/corpus_store.h"
#include "rw/core/store/dataset_store.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;

namespace {

std::vector<ChatMessage> chat(const std::string& question, const std::string& answer) {
  return {{"user", question}, {"assistant", answer}};
}

std::int64_t count_rows(Database& db, const char* table) {
  auto s = db.prepare(fmt::format("SELECT count(*) FROM {}", table));
  s.step();
  return s.column_int64(0);
}

}  // namespace

class TestDatasetStore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() { QVERIFY(scratch_.renew()); }
  void cleanup() { scratch_.close(); }

  void createFindList() {
    DatasetStore store(scratch_.db());
    const DatasetRecord a = store.create_dataset(
        {.name = "needles", .description = "passkeys", .source = "synth:needle", .config_json = "{\"n\":3}"});
    QVERIFY(a.id > 0);
    QCOMPARE(QString::fromStdString(a.kind), QString("chat"));
    QVERIFY(a.created_ms > 0);
    store.create_dataset({.name = "chat"});
    QVERIFY(!store.find_dataset("nope"));
    QCOMPARE(QString::fromStdString(store.find_dataset("needles")->source), QString("synth:needle"));
    QCOMPARE(QString::fromStdString(store.dataset(a.id).config_json), QString("{\"n\":3}"));
    store.add_sample(a.id, chat("q1", "a1"));
    store.add_sample(a.id, chat("q2", "a2"));
    const auto all = store.list_datasets();
    QCOMPARE(all.size(), size_t{2});
    QCOMPARE(QString::fromStdString(all[0].name), QString("needles"));
    QCOMPARE(all[0].sample_count, std::int64_t{2});
    QCOMPARE(all[1].sample_count, std::int64_t{0});
    QVERIFY(error_of([&] { store.create_dataset({.name = "chat"}); }).contains("dataset 'chat' already exists"));
    QVERIFY(error_of([&] { store.create_dataset({.name = ""}); }).contains("a dataset needs a name"));
    QVERIFY(error_of([&] {
              store.create_dataset({.name = "x", .config_json = "[1]"});
            }).contains("dataset 'x': config_json is not a JSON object"));
    QVERIFY(error_of([&] { store.dataset(999); }).contains("no dataset with id 999"));
  }

  void samplesRoundTrip() {
    DatasetStore store(scratch_.db());
    CorpusStore corpora(scratch_.db());
    const std::int64_t corpus = corpora.create_corpus({.name = "books"}).id;
    Transaction tx(scratch_.db());
    const std::int64_t import_id = corpora.begin_import(corpus, "{}");
    NewDocument doc;
    doc.source_path = "book.txt";
    doc.text = "The passkey is 7731. Remember it.";
    doc.content_hash = "h1";
    const std::int64_t document = *corpora.add_document(corpus, import_id, doc);
    tx.commit();

    const std::int64_t ds = store.create_dataset({.name = "needles"}).id;
    const std::vector<ChatMessage> messages = {
        {"system", "Be exact."}, {"user", "Context: The passkey is 7731. What is it?"}, {"assistant", "7731"}};
    SampleSegment needle{.message_index = 1,
                         .byte_begin = 9,
                         .byte_end = 29,
                         .kind = "needle",
                         .source_document_id = document,
                         .source_begin = 0,
                         .source_end = 20,
                         .meta_json = "{\"depth\":0.5}"};
    SampleSegment answer{.message_index = 2, .byte_begin = 0, .byte_end = 4, .kind = "answer"};
    const auto id = store.add_sample(ds, messages, "{\"generator\":\"needle\",\"seed\":7}", {needle, answer});
    QVERIFY(id);
    const SampleRecord s = store.sample(*id);
    QCOMPARE(s.dataset_id, ds);
    QCOMPARE(s.idx, std::int64_t{0});
    QCOMPARE(s.messages.size(), size_t{3});
    QCOMPARE(QString::fromStdString(s.messages[1].content), QString("Context: The passkey is 7731. What is it?"));
    QCOMPARE(QString::fromStdString(s.messages[2].role), QString("assistant"));
    QCOMPARE(QString::fromStdString(s.meta_json), QString("{\"generator\":\"needle\",\"seed\":7}"));
    QCOMPARE(s.n_bytes, std::int64_t{9 + 41 + 4});
    QCOMPARE(QString::fromStdString(s.content_hash), QString::fromStdString(chat_content_hash(messages)));
    QCOMPARE(s.segments.size(), size_t{2});
    QCOMPARE(QString::fromStdString(s.segments[0].kind), QString("needle"));
    QCOMPARE(s.segments[0].source_document_id.value(), document);
    QCOMPARE(s.segments[0].source_end.value(), std::int64_t{20});
    QCOMPARE(QString::fromStdString(s.segments[0].meta_json), QString("{\"depth\":0.5}"));
    QVERIFY(!s.segments[1].source_document_id && !s.segments[1].source_begin);

    // The same conversation again is a duplicate, whatever its meta; another one gets the next idx.
    QVERIFY(!store.add_sample(ds, messages, "{\"seed\":8}"));
    const auto second = store.add_sample(ds, chat("q", "a"));
    QCOMPARE(store.sample(*second).idx, std::int64_t{1});
    QCOMPARE(store.sample_ids(ds), (std::vector<std::int64_t>{*id, *second}));
    QCOMPARE(store.sample_id_at(ds, 1).value(), *second);
    QVERIFY(!store.sample_id_at(ds, 2));
    QCOMPARE(store.sample_count(ds), std::int64_t{2});

    store.set_sample_tokens(*id, "tok:llama3", 42);
    store.set_sample_tokens(*id, "tok:llama3", 43);
    QCOMPARE(store.sample_tokens(*id, "tok:llama3").value(), std::int64_t{43});
    QVERIFY(!store.sample_tokens(*id, "tok:other"));

    // Deleting the source corpus keeps the sample; its segment loses the document link.
    corpora.delete_corpus(corpus);
    QVERIFY(!store.sample(*id).segments[0].source_document_id);
    QCOMPARE(store.sample(*id).segments[0].source_begin.value(), std::int64_t{0});

    store.delete_dataset(ds);
    QVERIFY(!store.find_dataset("needles"));
    QCOMPARE(count_rows(scratch_.db(), "samples"), std::int64_t{0});
    QCOMPARE(count_rows(scratch_.db(), "sample_segments"), std::int64_t{0});
    QCOMPARE(count_rows(scratch_.db(), "sample_tokens"), std::int64_t{0});
  }

  void listsSamplesByLengthAndText() {
    DatasetStore store(scratch_.db());
    const DatasetRecord d = store.create_dataset({.name = "mixed"});
    const DatasetRecord other = store.create_dataset({.name = "other"});
    // Sample i: a system prompt, a question naming its colour, tokens 100 * (i + 1) under "tok|plain".
    const char* colours[] = {"Red", "green", "blue", "GREEN", "red"};
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
      const auto id = store.add_sample(
          d.id,
          {{"system", "Answer briefly. green"}, {"user", fmt::format("Which {} thing?", colours[i])}, {"assistant", "This one."}},
          fmt::format(R"({{"generator":"tasks","target_tokens":{}}})", i < 3 ? 256 : 512));
      ids.push_back(*id);
      store.set_sample_tokens(*id, "tok|plain", 100 * (i + 1));
      store.set_sample_tokens(*id, "other|plain", 7);
    }
    store.set_sample_tokens(*store.add_sample(other.id, chat("green", "x")), "tok|plain", 300);
    for (int i = 0; i < 3; ++i) store.set_sample_tokens(ids[static_cast<size_t>(i)], "more|plain", 1);

    SampleListing all = store.list_samples(d.id, {.tokenizer_id = "tok|plain"});
    QCOMPARE(all.matching, std::int64_t{5});
    QCOMPARE(all.rows.size(), size_t{5});
    QCOMPARE(all.token_counts, (std::vector<std::int64_t>{100, 200, 300, 400, 500}));
    QCOMPARE(all.targets, (std::vector<std::int64_t>{256, 512}));
    QCOMPARE(all.rows[0].id, ids[0]);
    QCOMPARE(all.rows[0].messages, std::int64_t{3});
    QCOMPARE(all.rows[3].target_tokens, std::optional<std::int64_t>(512));
    QCOMPARE(QString::fromStdString(all.rows[1].generator), QString("tasks"));
    // The preview skips the system prompt.
    QCOMPARE(QString::fromStdString(all.rows[1].preview), QString("Which green thing?"));

    // Length bounds are inclusive; the text is matched case-insensitively; a role narrows where.
    SampleListing some = store.list_samples(d.id, {.tokenizer_id = "tok|plain", .min_tokens = 200, .max_tokens = 400});
    QCOMPARE(some.token_counts, (std::vector<std::int64_t>{200, 300, 400}));
    some = store.list_samples(d.id, {.tokenizer_id = "tok|plain", .text = "green", .role = "user"});
    QCOMPARE(some.matching, std::int64_t{2});
    QCOMPARE(some.rows[0].id, ids[1]);
    QCOMPARE(some.rows[1].id, ids[3]);
    QCOMPARE(store.list_samples(d.id, {.text = "green"}).matching, std::int64_t{5});  // every system prompt
    QCOMPARE(store.list_samples(d.id, {.text = "green", .role = "assistant"}).matching, std::int64_t{0});
    // The limit cuts the rows, not the counts.
    some = store.list_samples(d.id, {.tokenizer_id = "tok|plain", .limit = 2});
    QCOMPARE(some.rows.size(), size_t{2});
    QCOMPARE(some.matching, std::int64_t{5});
    QCOMPARE(some.token_counts.size(), size_t{5});
    // Under a tokenizer without counts: listed without tokens, and a bound leaves them out.
    some = store.list_samples(d.id, {.tokenizer_id = "none"});
    QCOMPARE(some.matching, std::int64_t{5});
    QVERIFY(!some.rows[0].n_tokens);
    QVERIFY(some.token_counts.empty());
    QCOMPARE(store.list_samples(d.id, {.tokenizer_id = "none", .min_tokens = 1}).matching, std::int64_t{0});
    // The most used tokenizer comes first.
    QCOMPARE(store.token_count_tokenizers(d.id), (std::vector<std::string>{"other|plain", "tok|plain", "more|plain"}));
    QVERIFY(store.token_count_tokenizers(store.create_dataset({.name = "empty"}).id).empty());
  }

  void refusesBadSamples() {
    DatasetStore store(scratch_.db());
    const std::int64_t ds = store.create_dataset({.name = "chat"}).id;
    const auto error = [&](const std::vector<ChatMessage>& m, const std::string& meta,
                           const std::vector<SampleSegment>& segments) {
      return error_of([&] { store.add_sample(ds, m, meta, segments); });
    };
    QVERIFY(error({}, "{}", {}).contains("dataset 'chat': a sample needs at least one message"));
    QVERIFY(error({{"user", "a"}, {"bot", "b"}}, "{}", {})
                .contains("dataset 'chat': message 1 has role 'bot' (expected system, user or assistant)"));
    QVERIFY(error(chat("a", "b"), "not json", {}).contains("dataset 'chat': sample meta_json is not a JSON object"));
    QVERIFY(error(chat("a", "b"), "{}", {{.message_index = 2}})
                .contains("dataset 'chat': segment 0 names message 2 but the sample has 2 messages"));
    QVERIFY(error(chat("a", "bcd"), "{}", {{.message_index = 1, .byte_begin = 1, .byte_end = 4}})
                .contains("dataset 'chat': segment 0 covers bytes [1, 4) of message 1, which has 3 bytes"));
    QVERIFY(error(chat("a", "bcd"), "{}", {{.message_index = 1, .byte_begin = 2, .byte_end = 1}})
                .contains("covers bytes [2, 1)"));
    QVERIFY(error(chat("a", "b"), "{}", {{.message_index = 0, .source_begin = 5, .source_end = 2}})
                .contains("segment 0 has a reversed source range [5, 2)"));
    QVERIFY(error_of([&] { store.add_sample(777, chat("a", "b")); }).contains("no dataset with id 777"));
    QCOMPARE(store.sample_count(ds), std::int64_t{0});  // nothing half-written
    QVERIFY(error_of([&] { store.sample(4242); }).contains("no sample with id 4242"));
  }

 private:
  rw::test::ScratchStore scratch_;
};

QTEST_GUILESS_MAIN(TestDatasetStore)
#include "test_dataset_store.moc"
