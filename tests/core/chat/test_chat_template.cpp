// Chat templates: every family x conversation x add_generation_prompt must equal, character for
// character, transformers' apply_chat_template with the official Jinja template (tokenizer_oracle.py chat),
// and must throw where the template raises.
#include <QTemporaryDir>
#include <QtTest>

#include "rw/core/chat/chat_format.h"
#include "rw/core/util/error.h"
#include "chat_conversations.h"
#include "tokenizer_parity.h"

using namespace rw::test::tokenizer;
using rw::core::ChatFormat;
using rw::core::ChatMessage;

namespace {

using rw::test::chat::Conversation;
const std::vector<Conversation>& conversations() { return rw::test::chat::base_conversations(); }

const std::vector<ChatFormat> kFamilies{ChatFormat::Llama2, ChatFormat::Llama3, ChatFormat::Mistral, ChatFormat::Qwen2};

struct Case {
  ChatFormat family;
  size_t conversation;
  bool add_generation_prompt;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (ChatFormat f : kFamilies)
    for (size_t c = 0; c < conversations().size(); ++c)
      for (bool gen : {false, true}) cases.push_back({f, c, gen});
  return cases;
}

}  // namespace

class TestChatTemplate : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  QJsonArray expected_;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    QJsonArray cases;
    for (const auto& c : all_cases()) {
      QJsonArray messages;
      for (const auto& m : conversations()[c.conversation].messages)
        messages.append(QJsonObject{{"role", qs(m.role)}, {"content", qs(m.content)}});
      cases.append(QJsonObject{{"family", QString::fromUtf8(rw::core::chat_format_name(c.family))},
                               {"messages", messages},
                               {"add_generation_prompt", c.add_generation_prompt}});
    }
    write_json(tmp_.filePath("cases.json"), QJsonDocument(cases));
    const QString error =
        run_tokenizer_oracle({"chat", "--cases", tmp_.filePath("cases.json"), "--out", tmp_.filePath("out.json")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    expected_ = read_json(tmp_.filePath("out.json")).array();
    QCOMPARE(expected_.size(), static_cast<qsizetype>(all_cases().size()));
  }

  void matchesTransformers_data() {
    QTest::addColumn<int>("index");
    const auto cases = all_cases();
    for (size_t i = 0; i < cases.size(); ++i) {
      const auto& c = cases[i];
      const QString name = QStringLiteral("%1/%2/%3")
                               .arg(QString::fromUtf8(rw::core::chat_format_name(c.family)))
                               .arg(conversations()[c.conversation].name)
                               .arg(c.add_generation_prompt ? "gen" : "nogen");
      QTest::newRow(qPrintable(name)) << static_cast<int>(i);
    }
  }

  void matchesTransformers() {
    QFETCH(int, index);
    const Case c = all_cases()[static_cast<size_t>(index)];
    const auto& messages = conversations()[c.conversation].messages;
    const QJsonObject want = expected_[index].toObject();
    if (want.contains("error")) {
      try {
        const std::string text = rw::core::apply_chat_template(c.family, messages, c.add_generation_prompt);
        QFAIL(qPrintable("transformers raised (" + want["error"].toString() + ") but we rendered: " + qs(text)));
      } catch (const rw::core::Error&) {
      }
      return;
    }
    QCOMPARE(qs(rw::core::apply_chat_template(c.family, messages, c.add_generation_prompt)), want["text"].toString());
  }

  // The rows above must include both outcomes, or the error path is untested.
  void casesCoverErrorsAndRenders() {
    int errors = 0;
    for (const auto& v : expected_) errors += v.toObject().contains("error") ? 1 : 0;
    QVERIFY(errors > 0);
    QVERIFY(errors < expected_.size());
  }

  void familyNames() {
    for (ChatFormat f : kFamilies) QCOMPARE(rw::core::chat_format_from_name(rw::core::chat_format_name(f)), f);
    QCOMPARE(rw::core::chat_format_from_name("qwen2"), ChatFormat::Qwen2);
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, rw::core::chat_format_from_name("gemma"));
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, rw::core::chat_format_from_name("Llama3"));
  }
};

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
