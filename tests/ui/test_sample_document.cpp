// The inspector's layouts: segment byte ranges become exact character ranges after multi-byte text, nested
// and overlapping segments flatten to the innermost with the outer one resumed, token pieces become
// character ranges, and tokenizer ids split into folder and format.
#include <QtTest>

#include "rw/ui/models/sample_document.h"

using namespace rw::ui;
using rw::core::SampleRecord;
using rw::core::SampleSegment;

class TestSampleDocument : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void segmentsAfterMultibyteText() {
    SampleRecord s;
    s.messages = {{"user", "Zürich – the needle. End"}, {"assistant", "née"}};
    const std::string& user = s.messages[0].content;
    const auto at = static_cast<std::int64_t>(user.find("the needle."));
    s.segments = {{.message_index = 0, .byte_begin = at, .byte_end = at + 11, .kind = "needle"},
                  {.message_index = 1, .byte_begin = 0, .byte_end = 4, .kind = "answer"}};
    const SampleDocument doc = layout_sample(s);
    QCOMPARE(doc.headers.size(), size_t{2});
    QCOMPARE(doc.text.mid(doc.headers[0].begin, doc.headers[0].end - doc.headers[0].begin), QStringLiteral("── user ──"));
    QCOMPARE(doc.spans.size(), size_t{2});
    QCOMPARE(doc.text.mid(doc.spans[0].begin, doc.spans[0].end - doc.spans[0].begin), QStringLiteral("the needle."));
    QCOMPARE(doc.text.mid(doc.spans[1].begin, doc.spans[1].end - doc.spans[1].begin), QStringLiteral("née"));
    QCOMPARE(doc.span_at(doc.spans[0].begin)->index, 0);
    QCOMPARE(doc.span_at(doc.spans[0].end - 1)->index, 0);
    QVERIFY(!doc.span_at(doc.spans[0].end));
    QVERIFY(!doc.span_at(0));
  }

  void nestedAndOverlappingFlatten() {
    SampleRecord s;
    s.messages = {{"user", std::string(100, 'x')}};
    s.segments = {{.byte_begin = 0, .byte_end = 100, .kind = "document"},
                  {.byte_begin = 40, .byte_end = 50, .kind = "needle"},
                  {.byte_begin = 90, .byte_end = 100, .kind = "question"}};
    const SampleDocument doc = layout_sample(s);
    const int base = doc.headers[0].end + 1;
    std::vector<std::tuple<int, int, int>> got;
    for (const auto& span : doc.spans) got.emplace_back(span.begin - base, span.end - base, span.index);
    QCOMPARE(got, (std::vector<std::tuple<int, int, int>>{{0, 40, 0}, {40, 50, 1}, {50, 90, 0}, {90, 100, 2}}));
    // Overlap without nesting: the later one shows where both are.
    s.segments = {{.byte_begin = 0, .byte_end = 60, .kind = "document"}, {.byte_begin = 50, .byte_end = 80, .kind = "chunk"}};
    got.clear();
    for (const auto& span : layout_sample(s).spans) got.emplace_back(span.begin - base, span.end - base, span.index);
    QCOMPARE(got, (std::vector<std::tuple<int, int, int>>{{0, 50, 0}, {50, 80, 1}}));
  }

  void tokensAsCharacterRanges() {
    rw::core::RenderedChat rendered{.ids = {5, 6, 7, 8}, .loss_mask = {0, 0, 1, 1}};
    // Bytes: "a", "é" (2 bytes), "" (a shared start), "z".
    const rw::core::TokenPieces pieces{.text = "a\xC3\xA9z", .begin = {0, 1, 3, 3}};
    const TokenDocument doc = layout_tokens(rendered, pieces);
    QCOMPARE(doc.text, QStringLiteral("aéz"));
    QCOMPARE(doc.begin, (std::vector<int>{0, 1, 2, 2}));
    QCOMPARE(doc.token_at(0), 0);
    QCOMPARE(doc.token_at(1), 1);
    QCOMPARE(doc.token_at(2), 3);  // the last of the tokens sharing a start
    QCOMPARE(doc.token_at(3), -1);
    QCOMPARE(doc.end_of(1), 2);
    QCOMPARE(doc.end_of(3), 3);
  }

  void tokenizerIds() {
    const auto ref = parse_tokenizer_id("models/base|llama3");
    QVERIFY(ref);
    QCOMPARE(QString::fromStdString(ref->folder), QStringLiteral("models/base"));
    QCOMPARE(QString::fromStdString(ref->format), QStringLiteral("llama3"));
    QCOMPARE(QString::fromStdString(parse_tokenizer_id("/a|b|text")->folder), QStringLiteral("/a|b"));
    QVERIFY(!parse_tokenizer_id("words"));
    QVERIFY(!parse_tokenizer_id("|plain"));
    QVERIFY(!parse_tokenizer_id("dir|"));
  }
};

QTEST_MAIN(TestSampleDocument)
#include "test_sample_document.moc"
