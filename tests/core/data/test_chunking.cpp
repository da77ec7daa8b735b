// Token counters and chunk_by_tokens: exact spans on a hand-made text, invariants (valid offsets, limits,
// overlap, coverage, progress) over generated texts, long words split at UTF-8 boundaries, option errors,
// and the tokenizer counter on a sentencepiece model trained in-process.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rw/core/data/chunking.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace {

using rw::core::ChunkingOptions;
using rw::core::ChunkSpan;
using rw::core::TokenCounter;

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// One token per non-whitespace character (UTF-8 lead byte or invalid byte): additive over any split, so
/// limits and overlaps can be checked exactly. Treats stray continuation bytes as part of the previous
/// character, which is only exact for valid UTF-8 (the texts here are).
class CharCounter final : public TokenCounter {
 public:
  std::int64_t count(std::string_view text) const override {
    std::int64_t n = 0;
    for (const char c : text) n += !is_space(c) && !is_continuation(c);
    return n;
  }
  std::string id() const override { return "chars"; }
  std::string name() const override { return "chars"; }
};

/// One token per byte, whitespace included: splits land at every possible byte length.
class ByteCounter final : public TokenCounter {
 public:
  std::int64_t count(std::string_view text) const override { return static_cast<std::int64_t>(text.size()); }
  std::string id() const override { return "bytes"; }
  std::string name() const override { return "bytes"; }
};

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

std::string_view span_text(std::string_view text, const ChunkSpan& c) {
  return text.substr(static_cast<size_t>(c.byte_begin), static_cast<size_t>(c.byte_end - c.byte_begin));
}

/// Checks what holds for every counter; with an additive counter (tokens of a span == count of its text) also
/// the exact token totals and the overlap bound. Returns "" when all hold, else the first violation.
QString check_chunks(std::string_view text, const std::vector<ChunkSpan>& chunks, const TokenCounter& counter,
                     const ChunkingOptions& options, bool additive) {
  std::int64_t covered_to = 0;  // every non-whitespace byte before this is inside some chunk
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkSpan& c = chunks[i];
    const QString where = QStringLiteral("chunk %1 [%2, %3): ").arg(i).arg(c.byte_begin).arg(c.byte_end);
    if (c.byte_begin < 0 || c.byte_begin >= c.byte_end || c.byte_end > static_cast<std::int64_t>(text.size()))
      return where + "offsets out of range";
    const std::string_view s = span_text(text, c);
    if (is_space(s.front()) || is_space(s.back())) return where + "starts or ends with whitespace";
    if (is_continuation(s.front()) ||
        (c.byte_end < static_cast<std::int64_t>(text.size()) && is_continuation(text[c.byte_end])))
      return where + "cuts a UTF-8 character";
    if (c.n_tokens <= 0 || c.n_tokens > options.chunk_tokens)
      return where + QStringLiteral("%1 tokens").arg(c.n_tokens);
    if (additive && c.n_tokens != counter.count(s))
      return where + QStringLiteral("n_tokens %1 but the text counts %2").arg(c.n_tokens).arg(counter.count(s));
    for (std::int64_t b = covered_to; b < c.byte_begin; ++b)
      if (!is_space(text[b])) return where + QStringLiteral("byte %1 before it is in no chunk").arg(b);
    if (i > 0) {
      const ChunkSpan& prev = chunks[i - 1];
      if (c.byte_begin <= prev.byte_begin || c.byte_end <= prev.byte_end) return where + "does not advance";
      if (additive && c.byte_begin < prev.byte_end) {
        const auto repeated = counter.count(text.substr(c.byte_begin, prev.byte_end - c.byte_begin));
        if (repeated > options.overlap_tokens) return where + QStringLiteral("repeats %1 tokens").arg(repeated);
      }
    }
    covered_to = c.byte_end;
  }
  for (auto b = static_cast<size_t>(covered_to); b < text.size(); ++b)
    if (!is_space(text[b])) return QStringLiteral("byte %1 after the last chunk is in no chunk").arg(b);
  return {};
}

/// Words from a small Zipf-ish vocabulary (ASCII, accents, emoji), all kinds of whitespace, and a few very
/// long words.
std::string generated_text(std::uint32_t seed, size_t n_words) {
  static const std::vector<std::string> vocab = {
      "the", "of", "a", "chunk", "é", "naïve", "😀", "日本語", "x", "tokenizer", "—", "(ok)", "a😀b", "3.14",
  };
  static const std::vector<std::string> spaces = {" ", " ", " ", "  ", "\n", "\n\n", "\t", "\r\n", " \f\v "};
  std::mt19937 rng(seed);
  std::string text = rng() % 2 ? "  " : "";
  for (size_t i = 0; i < n_words; ++i) {
    if (rng() % 97 == 0) {
      for (int k = 0; k < 200; ++k) text += vocab[rng() % vocab.size()];
    } else {
      text += vocab[std::min(rng() % vocab.size(), rng() % vocab.size())];  // skewed to the first words
    }
    text += spaces[rng() % spaces.size()];
  }
  return text;
}

}  // namespace

class TestChunking : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

 private Q_SLOTS:
  void wordCounter() {
    const auto words = rw::core::make_word_counter();
    QCOMPARE(words->count(""), std::int64_t{0});
    QCOMPARE(words->count(" \t\r\n\f\v"), std::int64_t{0});
    QCOMPARE(words->count("one"), std::int64_t{1});
    QCOMPARE(words->count("  a b\t\tc,d\n"), std::int64_t{3});
    QCOMPARE(words->count("caf\xc3\xa9\xc2\xa0x"), std::int64_t{1});  // NBSP is not ASCII whitespace
    QCOMPARE(qs(words->id()), QString("words"));
    QCOMPARE(qs(words->name()), QString("words"));
  }

  void exactSpans() {
    const std::string text = "  The quick brown\tfox jumps over\n\nthe lazy dog.  ";
    const auto chunks = rw::core::chunk_by_tokens(text, *rw::core::make_word_counter(), {4, 1});
    QCOMPARE(chunks.size(), size_t{3});
    QCOMPARE(qs(span_text(text, chunks[0])), QString("The quick brown\tfox"));
    QCOMPARE(chunks[0].byte_begin, std::int64_t{2});  // after the leading whitespace
    QCOMPARE(chunks[0].byte_end, std::int64_t{21});
    QCOMPARE(chunks[0].n_tokens, std::int64_t{4});
    QCOMPARE(qs(span_text(text, chunks[1])), QString("fox jumps over\n\nthe"));  // repeats one word
    QCOMPARE(chunks[1].n_tokens, std::int64_t{4});
    QCOMPARE(qs(span_text(text, chunks[2])), QString("the lazy dog."));
    QCOMPARE(chunks[2].n_tokens, std::int64_t{3});
    QCOMPARE(chunks[2].byte_end, static_cast<std::int64_t>(text.size() - 2));  // trailing whitespace left out

    const auto no_overlap = rw::core::chunk_by_tokens(text, *rw::core::make_word_counter(), {4, 0});
    QCOMPARE(no_overlap.size(), size_t{3});
    QCOMPARE(qs(span_text(text, no_overlap[1])), QString("jumps over\n\nthe lazy"));
    QCOMPARE(qs(span_text(text, no_overlap[2])), QString("dog."));

    const auto one = rw::core::chunk_by_tokens("word", *rw::core::make_word_counter(), {});
    QCOMPARE(one.size(), size_t{1});
    QCOMPARE(one[0].byte_end, std::int64_t{4});
  }

  void invariants_data() {
    QTest::addColumn<std::uint32_t>("seed");
    QTest::addColumn<qint64>("chunk_tokens");
    QTest::addColumn<qint64>("overlap_tokens");
    const std::pair<qint64, qint64> options[] = {{1, 0}, {2, 1}, {7, 3}, {16, 0}, {64, 63}, {512, 64}};
    for (std::uint32_t seed = 1; seed <= 3; ++seed)
      for (const auto& [chunk, overlap] : options)
        QTest::addRow("seed %u chunk %lld overlap %lld", seed, static_cast<long long>(chunk),
                      static_cast<long long>(overlap))
            << seed << chunk << overlap;
  }

  void invariants() {
    QFETCH(std::uint32_t, seed);
    QFETCH(qint64, chunk_tokens);
    QFETCH(qint64, overlap_tokens);
    const std::string text = generated_text(seed, 3000);
    const ChunkingOptions options{chunk_tokens, overlap_tokens};
    const auto words = rw::core::make_word_counter();
    const CharCounter chars;
    for (const TokenCounter* counter :
         {static_cast<const TokenCounter*>(words.get()), static_cast<const TokenCounter*>(&chars)}) {
      const auto chunks = rw::core::chunk_by_tokens(text, *counter, options);
      QVERIFY(!chunks.empty());
      const QString problem = check_chunks(text, chunks, *counter, options, /*additive=*/true);
      QVERIFY2(problem.isEmpty(), qPrintable(qs(counter->id()) + ": " + problem));
    }
  }

  void longWordSplitsAtCharacterBoundaries() {
    std::string word;
    for (int i = 0; i < 500; ++i) word += i % 3 ? "é" : "😀x";
    const std::string text = "start " + word + " end";
    const CharCounter chars;
    for (const ChunkingOptions options : {ChunkingOptions{7, 0}, ChunkingOptions{7, 3}, ChunkingOptions{1, 0}}) {
      const auto chunks = rw::core::chunk_by_tokens(text, chars, options);
      QVERIFY(chunks.size() > 500 / static_cast<size_t>(options.chunk_tokens));
      const QString problem = check_chunks(text, chunks, chars, options, /*additive=*/true);
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Counting bytes, pieces fill up to the limit but end before a character that would cross it.
    const ByteCounter bytes;
    const auto chunks = rw::core::chunk_by_tokens(word, bytes, {5, 0});
    std::int64_t expected_begin = 0;
    for (const auto& c : chunks) {
      QCOMPARE(c.byte_begin, expected_begin);  // pieces of one word tile it
      QVERIFY(c.n_tokens <= 5 && c.n_tokens == c.byte_end - c.byte_begin);
      QVERIFY2(!is_continuation(word[c.byte_begin]), qPrintable(QStringLiteral("cut at %1").arg(c.byte_begin)));
      expected_begin = c.byte_end;
    }
    QCOMPARE(expected_begin, static_cast<std::int64_t>(word.size()));
  }

  void invalidUtf8BytesAreCharacters() {
    const std::string text = "\xff\xfe\x80\xc3\xa9\xe2\x82z";  // stray bytes, é, a truncated 3-byte sequence, z
    const auto chunks = rw::core::chunk_by_tokens(text, ByteCounter(), {1, 0});
    std::vector<std::int64_t> begins;
    for (const auto& c : chunks) begins.push_back(c.byte_begin);
    // é (2 bytes) is one character counting 2 > 1: it goes alone, over the limit, rather than being cut.
    QCOMPARE(begins, (std::vector<std::int64_t>{0, 1, 2, 3, 5, 6, 7}));
    QCOMPARE(chunks[3].byte_end, std::int64_t{5});
  }

  void emptyTextGivesNoChunks() {
    const auto words = rw::core::make_word_counter();
    QVERIFY(rw::core::chunk_by_tokens("", *words, {}).empty());
    QVERIFY(rw::core::chunk_by_tokens(" \n\t\r\f\v  ", *words, {}).empty());
  }

  void badOptions_data() {
    QTest::addColumn<qint64>("chunk_tokens");
    QTest::addColumn<qint64>("overlap_tokens");
    QTest::addColumn<QString>("named");
    QTest::newRow("zero chunk") << qint64{0} << qint64{0} << "chunk_tokens";
    QTest::newRow("negative chunk") << qint64{-5} << qint64{0} << "chunk_tokens";
    QTest::newRow("negative overlap") << qint64{8} << qint64{-1} << "overlap_tokens";
    QTest::newRow("overlap == chunk") << qint64{8} << qint64{8} << "overlap_tokens";
    QTest::newRow("overlap > chunk") << qint64{8} << qint64{100} << "overlap_tokens";
  }

  void badOptions() {
    QFETCH(qint64, chunk_tokens);
    QFETCH(qint64, overlap_tokens);
    QFETCH(QString, named);
    const auto words = rw::core::make_word_counter();
    const QString message = rw::test::error_of([&] {
      rw::core::chunk_by_tokens("some text", *words, {chunk_tokens, overlap_tokens});
    });
    QVERIFY2(message.contains(named), qPrintable(message));
  }

  void tokenizerCounter() {
    QVERIFY(tmp_.isValid());
    const QString model_dir = tmp_.filePath("tiny-sp");
    QVERIFY(QDir().mkpath(model_dir));
    const std::string corpus = tmp_.filePath("corpus.txt").toStdString();
    {
      std::ofstream out(corpus);
      for (int i = 0; i < 60; ++i) out << "the cat sat on the mat " << i << "\nchunking splits long documents\n";
    }
    rw::core::SentencePieceTrainOptions train;
    train.vocab_size = 60;
    train.byte_fallback = false;  // byte pieces alone would need a vocabulary of 256+
    rw::core::train_sentencepiece({corpus}, (model_dir + "/tokenizer").toStdString(), train);

    const auto counter = rw::core::load_token_counter(model_dir.toStdString());
    const auto tokenizer = rw::core::load_tokenizer(model_dir.toStdString());
    const std::string model_file = (model_dir + "/tokenizer.model").toStdString();
    QCOMPARE(qs(counter->id()), qs("sha256:" + rw::core::sha256_file_hex(model_file).substr(0, 16)));
    QCOMPARE(qs(counter->name()), QString("tiny-sp"));
    QCOMPARE(qs(rw::core::load_token_counter((model_dir + "/").toStdString())->name()), QString("tiny-sp"));

    const std::vector<std::string> texts = {"the", " the", "\nthe", "cat sat on the mat", "unseen wörds 😀", ""};
    for (int round = 0; round < 2; ++round)  // the second round is answered from the cache
      for (const auto& t : texts)
        QCOMPARE(counter->count(t), static_cast<std::int64_t>(tokenizer->encode(t, false).size()));

    // Concurrent callers share the cache.
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int k = 0; k < 4; ++k)
      threads.emplace_back([&] {
        for (int i = 0; i < 200; ++i)
          for (const auto& t : texts)
            mismatches += counter->count(t) != static_cast<std::int64_t>(tokenizer->encode(t, false).size());
      });
    for (auto& t : threads) t.join();
    QCOMPARE(mismatches.load(), 0);

    std::string long_word;  // many tokens of this vocabulary, no whitespace: must be split
    for (int i = 0; i < 200; ++i) long_word += "chunkingsplits";
    const std::string text = generated_text(5, 500) + " " + long_word + " the end";
    const ChunkingOptions options{24, 6};
    const auto chunks = rw::core::chunk_by_tokens(text, *counter, options);
    QVERIFY(chunks.size() > 10);
    const QString problem = check_chunks(text, chunks, *counter, options, /*additive=*/false);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  void tokenCounterErrors() {
    QVERIFY(tmp_.isValid());
    const QString empty_dir = tmp_.filePath("no-tokenizer");
    QVERIFY(QDir().mkpath(empty_dir));
    const QString message = rw::test::error_of([&] { rw::core::load_token_counter(empty_dir.toStdString()); });
    QVERIFY2(message.contains(empty_dir), qPrintable(message));
    QVERIFY(!rw::test::error_of([] { rw::core::make_tokenizer_counter(nullptr, "id", "none"); }).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestChunking)
#include "test_chunking.moc"
