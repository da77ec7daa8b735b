// token_pieces: every token's piece is the text it adds (a sentencepiece word keeps its leading space, the
// pieces join to the decoded text), and a character split over byte tokens is never split by a boundary.
#include <QtTest>

#include <memory>

#include "rw/core/tokenizer/token_pieces.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "test_support.h"

using namespace rw::core;

namespace {

/// One token per byte, decoded as byte-level BPE decoders do: bytes that are not whole UTF-8 become U+FFFD.
class Utf8ByteTokenizer : public Tokenizer {
 public:
  std::vector<int32_t> encode(std::string_view text, bool) const override {
    std::vector<int32_t> out;
    for (const char c : text) out.push_back(static_cast<unsigned char>(c));
    return out;
  }
  std::string decode(const std::vector<int32_t>& ids, bool) const override {
    QByteArray bytes;
    for (const int32_t id : ids) bytes.append(static_cast<char>(id));
    return QString::fromUtf8(bytes).toStdString();
  }
  int32_t vocab_size() const override { return 256; }
  std::optional<int32_t> token_to_id(std::string_view) const override { return std::nullopt; }
  std::string id_to_token(int32_t id) const override { return decode({id}, false); }
};

}  // namespace

class TestTokenPieces : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void sentencepieceWordsKeepTheirSpaces() {
    const auto tokenizer = load_tokenizer(rw::test::source_path("resources/demo/base-model"));
    const std::string text = "Surdihaven lies on the river. Some 8426 people\ncall it home.";
    for (const bool bos : {false, true}) {
      const std::vector<int32_t> ids = tokenizer->encode(text, bos);
      const TokenPieces p = token_pieces(*tokenizer, ids);
      QCOMPARE(p.begin.size(), ids.size());
      QCOMPARE(QString::fromStdString(p.text), QString::fromStdString(tokenizer->decode(ids, false)));
      QCOMPARE(p.begin.front(), std::int64_t{0});
      QVERIFY(std::is_sorted(p.begin.begin(), p.begin.end()));
      // Each piece is what its token adds: the prefix of pieces equals decoding the prefix of ids.
      for (size_t k = 1; k < ids.size(); ++k) {
        const std::vector<int32_t> prefix(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k));
        QCOMPARE(QString::fromStdString(p.text.substr(0, static_cast<size_t>(p.begin[k]))),
                 QString::fromStdString(tokenizer->decode(prefix, false)));
      }
    }
  }

  void byteTokensOfOneCharacterShareItsStart() {
    const Utf8ByteTokenizer tokenizer;
    const std::string text = "na\xC3\xAFve \xE2\x82\xAC!";  // "naïve €!": ï is 2 bytes, € 3
    const TokenPieces p = token_pieces(tokenizer, tokenizer.encode(text, false));
    QCOMPARE(QString::fromStdString(p.text), QString::fromUtf8(text.c_str()));
    QCOMPARE(p.begin, (std::vector<std::int64_t>{0, 1, 2, 2, 4, 5, 6, 7, 7, 7, 10}));
  }

  void emptyAndUnfinished() {
    const Utf8ByteTokenizer tokenizer;
    QVERIFY(token_pieces(tokenizer, {}).text.empty());
    // A character cut off at the end stays what the decoder makes of it, on its first byte's token.
    const std::vector<int32_t> ids{'a', 0xE2, 0x82};
    const TokenPieces p = token_pieces(tokenizer, ids);
    QCOMPARE(QString::fromStdString(p.text), QString::fromStdString(tokenizer.decode(ids, false)));
    QCOMPARE(p.begin, (std::vector<std::int64_t>{0, 1, 1}));
  }
};

QTEST_GUILESS_MAIN(TestTokenPieces)
#include "test_token_pieces.moc"
