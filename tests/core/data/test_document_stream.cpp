// DocumentStream / MixedStream: one epoch of sequences is exactly the epoch's documents tokenized
// and concatenated (split, never padded), piece offsets point at the right tokens, a resumed stream
// (cursor, also through JSON) yields the same sequences, the mix follows its weights, short documents are
// skipped under min_tokens, bad input is named.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

#include "rw/core/data/document_stream.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;
using Ids = std::vector<std::int32_t>;

namespace {

/// One token per byte (id = byte + 3), BOS 1, EOS 2: token streams are easy to predict in tests.
class ByteTokenizer : public Tokenizer {
 public:
  ByteTokenizer() {
    bos_id_ = 1;
    eos_id_ = 2;
  }
  std::vector<std::int32_t> encode(std::string_view text, bool add_special_tokens) const override {
    Ids ids;
    if (add_special_tokens) ids.push_back(1);
    for (const char c : text) ids.push_back(static_cast<unsigned char>(c) + 3);
    return ids;
  }
  std::string decode(const std::vector<std::int32_t>& ids, bool) const override {
    std::string s;
    for (const auto id : ids) {
      if (id >= 3) s.push_back(static_cast<char>(id - 3));
    }
    return s;
  }
  std::int32_t vocab_size() const override { return 259; }
  std::optional<std::int32_t> token_to_id(std::string_view) const override { return std::nullopt; }
  std::string id_to_token(std::int32_t id) const override { return std::to_string(id); }
};

}  // namespace

class TestDocumentStream : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void init() {
    QVERIFY(scratch_.renew());
    texts_.clear();
    for (int i = 0; i < 12; ++i)
      texts_.push_back(std::string(static_cast<size_t>(5 + 7 * i), static_cast<char>('a' + i)));
    corpus_ = add_corpus("books", texts_);
  }
  void cleanup() { scratch_.close(); }

  void epochOrderIsAPinnedPermutation() {
    const std::vector<std::int64_t> ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const auto a = epoch_order(ids, 42, 0);
    QCOMPARE(epoch_order(ids, 42, 0), a);
    QVERIFY(epoch_order(ids, 42, 1) != a);
    QVERIFY(epoch_order(ids, 43, 0) != a);
    auto sorted = a;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted, ids);
  }

  void oneEpochIsTheDocumentsConcatenated() {
    ByteTokenizer tok;
    const PackingOptions options{.seq_len = 16, .pad_id = 0};
    DocumentStream stream(scratch_.db(), corpus_, tok, options, 7);
    Ids expected;
    for (const std::int64_t id : epoch_order(doc_ids_, 7, 0)) {
      const auto& text = texts_[static_cast<size_t>(id - doc_ids_.front())];
      Ids t = tok.encode(text, true);
      t.push_back(2);
      expected.insert(expected.end(), t.begin(), t.end());
    }
    Ids seen;
    while (stream.cursor().epoch == 0) {
      const PackedSequence seq = stream.next();
      QCOMPARE(seq.real_tokens(), 16);
      for (const PackedPiece& p : seq.pieces) {
        // Each piece holds the document's own tokens from sample_offset on.
        Ids doc = tok.encode(texts_[static_cast<size_t>(p.sample_id - doc_ids_.front())], true);
        doc.push_back(2);
        QCOMPARE(Ids(seq.ids.begin() + p.seq_offset, seq.ids.begin() + p.seq_offset + p.length),
                 Ids(doc.begin() + p.sample_offset, doc.begin() + p.sample_offset + p.length));
      }
      seen.insert(seen.end(), seq.ids.begin(), seq.ids.end());
    }
    QVERIFY(seen.size() >= expected.size());
    QCOMPARE(Ids(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(expected.size())), expected);
  }

  void resumedStreamYieldsTheSameSequences() {
    ByteTokenizer tok;
    const PackingOptions options{.seq_len = 24, .pad_id = 0};
    DocumentStream straight(scratch_.db(), corpus_, tok, options, 3);
    std::vector<PackedSequence> reference;
    StreamCursor at5;
    for (int i = 0; i < 40; ++i) {  // past one epoch
      if (i == 5) at5 = straight.cursor();
      reference.push_back(straight.next());
    }
    DocumentStream resumed(scratch_.db(), corpus_, tok, options, 3);
    resumed.seek(at5);
    for (int i = 5; i < 40; ++i) {
      const PackedSequence seq = resumed.next();
      QCOMPARE(seq.ids, reference[static_cast<size_t>(i)].ids);
      QCOMPARE(seq.labels, reference[static_cast<size_t>(i)].labels);
      QCOMPARE(seq.position_ids, reference[static_cast<size_t>(i)].position_ids);
    }
    QCOMPARE(resumed.cursor(), straight.cursor());
  }

  void mixFollowsWeightsAndResumesThroughJson() {
    ByteTokenizer tok;
    const std::int64_t code = add_corpus("code", {"int main() { return 0; }", "fn main() {}"});
    const PackingOptions options{.seq_len = 8, .pad_id = 0};
    const auto make_mix = [&] {
      std::vector<MixedStream::Source> sources;
      sources.push_back({std::make_unique<DocumentStream>(scratch_.db(), corpus_, tok, options, 12), 3.0, "books"});
      sources.push_back({std::make_unique<DocumentStream>(scratch_.db(), code, tok, options, 13), 1.0, "code"});
      return MixedStream(std::move(sources), 11);
    };
    MixedStream mix = make_mix();
    std::vector<PackedSequence> reference;
    std::string saved;
    int from_code = 0;
    for (int i = 0; i < 2000; ++i) {
      if (i == 1500) saved = mixed_cursor_to_json(mix.cursor());
      auto [seq, source] = mix.next();
      from_code += source == 1;
      if (i >= 1500) reference.push_back(std::move(seq));
    }
    QVERIFY2(std::abs(from_code / 2000.0 - 0.25) < 0.03, qPrintable(QString::number(from_code)));
    MixedStream resumed = make_mix();
    resumed.seek(mixed_cursor_from_json(saved));
    QCOMPARE(mixed_cursor_from_json(saved).sources.size(), size_t{2});
    for (const PackedSequence& expected : reference) QCOMPARE(resumed.next().first.ids, expected.ids);
  }

  void minTokensSkipsShortDocuments() {
    ByteTokenizer tok;
    const std::int64_t mixed = add_corpus("mixed", {"tiny", std::string(40, 'x'), "also tiny", std::string(30, 'y')});
    // BOS + text + EOS: the long documents have 42 and 32 tokens, the short ones at most 11.
    DocumentStream stream(scratch_.db(), mixed, tok, {.seq_len = 16}, 5, 20);
    std::set<std::int64_t> seen;
    for (int i = 0; i < 40; ++i) {
      for (const PackedPiece& p : stream.next().pieces) seen.insert(p.sample_id);
    }
    QCOMPARE(seen.size(), size_t{2});
    for (std::int64_t id : seen) QVERIFY(CorpusStore(scratch_.db()).document_text(id).size() >= 30);
  }

  void badInputIsNamed() {
    ByteTokenizer tok;
    const std::int64_t empty = add_corpus("empty", {});
    QVERIFY(error_of([&] {
              DocumentStream(scratch_.db(), empty, tok, {.seq_len = 8}, 1);
            }).contains("corpus 'empty' has no documents"));
    QVERIFY(error_of([&] {
              DocumentStream(scratch_.db(), corpus_, tok, {.seq_len = 8, .overflow = Overflow::Drop}, 1);
            }).contains("overflow 'split'"));
    DocumentStream stream(scratch_.db(), corpus_, tok, {.seq_len = 8}, 1);
    QVERIFY(error_of([&] { stream.seek({0, 12, 0}); }).contains("outside corpus"));
    QVERIFY(error_of([&] {
              std::vector<MixedStream::Source> sources;
              sources.push_back({std::make_unique<DocumentStream>(scratch_.db(), corpus_, tok, PackingOptions{.seq_len = 8}, 1),
                                 0.0, "books"});
              MixedStream(std::move(sources), 1);
            }).contains("source 'books' has weight 0"));
    QVERIFY(error_of([&] {
              DocumentStream(scratch_.db(), corpus_, tok, {.seq_len = 8}, 1, 1000000).next();
            }).contains("no document has 1000000 token(s) or more"));
    QVERIFY(error_of([] { mixed_cursor_from_json("{\"sequences\": 1}"); }).contains("data cursor"));
  }

 private:
  std::int64_t add_corpus(const std::string& name, const std::vector<std::string>& texts) {
    CorpusStore store(scratch_.db());
    const CorpusRecord c = store.create_corpus(
        {.name = name, .tokenizer_id = "words", .tokenizer_name = "words", .chunk_tokens = 64, .chunk_overlap = 0});
    Transaction tx(scratch_.db());
    const std::int64_t import_id = store.begin_import(c.id, "{}");
    if (name == "books") doc_ids_.clear();
    for (const std::string& t : texts) {
      NewDocument d;
      d.source_path = name;
      d.text = t;
      d.content_hash = sha256_hex(t);
      const std::int64_t id = *store.add_document(c.id, import_id, d);
      if (name == "books") doc_ids_.push_back(id);
    }
    tx.commit();
    return c.id;
  }

  rw::test::ScratchStore scratch_;
  std::vector<std::string> texts_;
  std::vector<std::int64_t> doc_ids_;
  std::int64_t corpus_ = 0;
};

QTEST_GUILESS_MAIN(TestDocumentStream)
#include "test_document_stream.moc"
