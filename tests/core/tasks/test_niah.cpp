// NIAH: needle placement and backward sentence snapping on known inputs, the haystack cut to
// length - buffer - needle, the prompts equal to the reference templates character for character, and
// the model's own tokenizer (a BPE fixture) used without BOS for the needle.
#include <QtTest>

#include "byte_tokenizer.h"
#include "rw/core/tasks/niah.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "test_support.h"

using namespace rw::core;

namespace {

const rw::test::ByteTokenizer kBytes;

std::vector<int32_t> bytes(std::string_view s) { return kBytes.encode(s, false); }
std::string text(const std::vector<int32_t>& ids) { return kBytes.decode(ids, false); }
std::unordered_set<int32_t> period() { return {kBytes.encode(".", false).front()}; }

}  // namespace

class TestNiah : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void placementAndSnapping_data() {
    QTest::addColumn<QString>("haystack");
    QTest::addColumn<double>("depth");
    QTest::addColumn<bool>("snap");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("start");
    // "One. Two. Three." has periods at 3, 8 and 15 (16 bytes).
    QTest::newRow("depth 0 at the start") << "One. Two. Three." << 0.0 << true << "|One. Two. Three." << 0;
    QTest::newRow("depth 100 appended") << "One. Two. Three." << 100.0 << true << "One. Two. Three.|" << 16;
    QTest::newRow("50%: p=8, back to after 'One.'") << "One. Two. Three." << 50.0 << true << "One.| Two. Three." << 4;
    QTest::newRow("60%: p=9, already after a period") << "One. Two. Three." << 60.0 << true << "One. Two.| Three." << 9;
    QTest::newRow("99.9% is not 100%") << "One. Two. Three." << 99.9 << true << "One. Two.| Three." << 9;
    QTest::newRow("no snap: exactly at p") << "One. Two. Three." << 50.0 << false << "One. Two|. Three." << 8;
    QTest::newRow("no period before p: the start") << "abc def. ghi" << 30.0 << true << "|abc def. ghi" << 0;
  }
  void placementAndSnapping() {
    QFETCH(QString, haystack);
    QFETCH(double, depth);
    QFETCH(bool, snap);
    QFETCH(QString, expected);
    QFETCH(int, start);
    const auto placed = insert_needle(bytes(haystack.toStdString()), bytes("|"), depth, period(), snap);
    QCOMPARE(QString::fromStdString(text(placed.tokens)), expected);
    QCOMPARE(placed.needle_start, std::int64_t(start));
  }

  void haystackCutToLengthMinusBufferAndNeedle() {
    NiahSettings s;
    s.needle = "\nNEEDLE.\n";  // 9 byte tokens
    s.buffer_tokens = 20;
    const NiahBuilder b(kBytes, s, "The cat sat. ", 500);
    QVERIFY(b.haystack_tokens().size() >= 500);  // the 13-byte text was repeated
    QCOMPARE(text({b.haystack_tokens().begin(), b.haystack_tokens().begin() + 26}),
             std::string("The cat sat. The cat sat. "));
    NeedlePlacement placed;
    const std::string ctx = b.context(100, 50, &placed);
    QCOMPARE(ctx.size(), size_t(100 - 20));           // 71 haystack bytes + 9 needle bytes
    QCOMPARE(placed.needle_start, std::int64_t(25));  // p = int(71 * 0.5) = 35, back to after the 2nd "sat."
    QCOMPARE(ctx.substr(25, 9), s.needle);
    QCOMPARE(ctx.substr(0, 25), std::string("The cat sat. The cat sat."));
    QCOMPARE(ctx.substr(34, 5), std::string(" The "));
    // A length without room for the haystack is refused, naming the length.
    QVERIFY(rw::test::error_of([&] { b.context(29, 50); }).contains("length 29 leaves no haystack"));
  }

  void completionPromptEqualsReference() {
    // gkamradt needlehaystack/providers/Anthropic_prompt.txt, filled in.
    const std::string expected =
        "You are a helpful AI bot that answers questions for a user. Keep your response short and direct\n\n"
        "Human: <context>\nHAY\n</context>\n\n"
        "What is the best thing to do in San Francisco? Don't give information outside the document or repeat "
        "your findings\n\nAssistant: Here is the most relevant sentence in the context:";
    QCOMPARE(niah_completion_prompt("HAY", kNiahDefaultQuestion), expected);
    NiahSettings s;
    s.buffer_tokens = 0;
    const NiahBuilder b(kBytes, s, "Grass grows. ", 400);
    const EvalItem item = b.item(400, 100, ChatFormat::Completion);
    QVERIFY(item.prompt.add_special_tokens);  // completion: the tokenizer adds BOS
    QCOMPARE(item.prompt.text, niah_completion_prompt(b.context(400, 100), kNiahDefaultQuestion));
    QCOMPARE(item.max_new_tokens, std::int64_t(300));
    QCOMPARE(item.score.method, ScoreMethod::KeywordFraction);
    QCOMPARE(item.score.references, niah_default_keywords());
  }

  void chatPromptsEqualReference() {
    // OpenAI provider: system, context as a user message, question as a second user message; rendered by the
    // official Llama-3 template (Meta-Llama-3-8B-Instruct), and by Llama-2's with the two user turns joined.
    const std::string sys =
        "You are a helpful AI bot that answers questions for a user. Keep your response short and direct";
    const std::string question =
        "What is the best thing to do in San Francisco? Don't give information outside the document or repeat your "
        "findings";
    const Prompt llama3 =
        chat_prompt(ChatFormat::Llama3, niah_chat_messages("HAY", kNiahDefaultQuestion), "");
    QCOMPARE(llama3.text, "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + sys +
                              "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHAY<|eot_id|>"
                              "<|start_header_id|>user<|end_header_id|>\n\n" +
                              question + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    QVERIFY(!llama3.add_special_tokens);
    const Prompt llama2 =
        chat_prompt(ChatFormat::Llama2, niah_chat_messages("HAY", kNiahDefaultQuestion), "");
    QCOMPARE(llama2.text, "<s>[INST] <<SYS>>\n" + sys + "\n<</SYS>>\n\nHAY\n\n" + question + " [/INST]");
    // Our plain format (chat_format.h), for models trained from scratch: BOS comes from the tokenizer.
    const Prompt plain = chat_prompt(ChatFormat::Plain, niah_chat_messages("HAY", kNiahDefaultQuestion), "");
    QCOMPARE(plain.text, "System:\n" + sys + "\nUser:\nHAY\nUser:\n" + question + "\nAssistant:\n");
    QVERIFY(plain.add_special_tokens);
  }

  void keywordAndAnswerScoring() {
    NiahSettings s;
    s.needle = "\nThe secret code word is marmalade.\n";
    s.keywords.clear();
    s.answer = "marmalade";
    s.buffer_tokens = 0;
    const NiahBuilder b(kBytes, s, "Rain falls. ", 300);
    const EvalItem item = b.item(300, 50, ChatFormat::Completion);
    QCOMPARE(item.score.method, ScoreMethod::Substring);
    QCOMPARE(score_output(item.score, " The code word is Marmalade."), 1.0);
    QCOMPARE(score_output(item.score, " I cannot find it."), 0.0);
    s.answer.clear();
    QVERIFY(rw::test::error_of([&] {
              NiahBuilder(kBytes, s, "Rain falls. ", 300).item(300, 50, {});
            }).contains("keywords or an answer"));
  }

  void modelTokenizerWithoutBos() {
    const auto tokenizer = load_tokenizer(rw::test::hf_fixture_dir() / "chat-llama" / "model");
    QVERIFY(tokenizer->bos_id().has_value());
    NiahSettings s;
    s.buffer_tokens = 8;
    const NiahBuilder b(*tokenizer, s,
                        "The needle is hidden somewhere in the haystack. Long-context models read books. ", 256);
    QCOMPARE(b.needle_tokens(), tokenizer->encode(std::string(kNiahDefaultNeedle), false));
    QVERIFY(b.needle_tokens().front() != *tokenizer->bos_id());
    for (const double depth : {35.0, 50.0, 80.0, 95.0}) {  // p lies past the first sentence
      NeedlePlacement placed;
      b.context(200, depth, &placed);
      QCOMPARE(static_cast<std::int64_t>(placed.tokens.size()), std::int64_t(200 - 8));
      QVERIFY(placed.needle_start > 0);
      const auto before = tokenizer->decode({placed.tokens[static_cast<size_t>(placed.needle_start - 1)]}, false);
      QVERIFY2(before.ends_with("."), before.c_str());  // snapped back to a sentence end
    }
  }
};

QTEST_GUILESS_MAIN(TestNiah)
#include "test_niah.moc"
