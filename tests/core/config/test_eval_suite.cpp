// EvalSuite JSON: defaults, strict errors with JSON paths (unknown keys with "did you mean", wrong types,
// bad values), grid shorthands, and a round trip through eval_suite_to_json.
#include <QtTest>

#include "rw/core/tasks/eval_grid.h"
#include "rw/core/config/eval_suite.h"
#include "test_support.h"

using namespace rw::core;

namespace {
QString error_for(const std::string& json) {
  return rw::test::error_of([&] { parse_eval_suite(json, "suite.json"); });
}
}  // namespace

class TestEvalSuite : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void defaults() {
    const EvalSuite s = parse_eval_suite("{}", "suite.json");
    QCOMPARE(s.tasks, std::vector<EvalTaskKind>{EvalTaskKind::Niah});
    QCOMPARE(s.lengths, linspace_rounded(1000, 16000, 35));
    QCOMPARE(s.depth_percents, linear_depth_percents(35));
    QCOMPARE(s.niah.needle, std::string(kNiahDefaultNeedle));
    QCOMPARE(s.niah.buffer_tokens, std::int64_t(200));
    QCOMPARE(s.passkey.max_new_tokens, std::int64_t(10));
    QCOMPARE(s.ruler_tasks.size(), size_t(10));
    QVERIFY(s.haystack.builtin());
  }

  void shorthandsAndSettings() {
    const EvalSuite s = parse_eval_suite(
        "{\"tasks\": [\"niah\", \"ruler\"], \"lengths\": {\"min\": 1000, \"max\": 4000, \"count\": 4}, "
        "\"depths\": {\"count\": 11, \"spacing\": \"sigmoid\"}, \"ruler\": {\"tasks\": [\"vt\", \"cwe\"]}, "
        "\"niah\": {\"needle\": \" The code is blue. \", \"answer\": \"blue\"}, \"prompt_format\": \"llama3\"}",
        "suite.json");
    QCOMPARE(s.lengths, (std::vector<std::int64_t>{1000, 2000, 3000, 4000}));
    QCOMPARE(s.depth_percents, sigmoid_depth_percents(11));
    QCOMPARE(s.ruler_tasks, (std::vector<RulerTask>{RulerTask::VariableTracking, RulerTask::CommonWords}));
    QVERIFY(s.niah.keywords.empty());  // a custom needle drops the default needle's keywords
    QCOMPARE(s.niah.answer, std::string("blue"));
    QCOMPARE(s.prompt_format, std::string("llama3"));
  }

  void strictErrors_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown key") << "{\"niah\": {\"neddle\": \"x\"}}"
                                 << "suite.json: unknown key \"niah.neddle\" (did you mean \"needle\"?)";
    QTest::newRow("unknown top key") << "{\"lenghts\": [1]}"
                                     << "unknown key \"lenghts\" (did you mean \"lengths\"?)";
    QTest::newRow("wrong type") << "{\"batch_size\": \"four\"}"
                                << "\"batch_size\"";
    QTest::newRow("length not integer") << "{\"lengths\": [1000, 1.5]}"
                                        << "\"lengths[1]\"";
    QTest::newRow("depth out of range") << "{\"depths\": [0, 120]}"
                                        << "\"depths\" must be percents within 0..100";
    QTest::newRow("duplicate length") << "{\"lengths\": [1000, 1000]}"
                                      << "holds 1000 twice";
    QTest::newRow("unknown task") << "{\"tasks\": [\"niah\", \"helmet\"]}"
                                  << "helmet";
    QTest::newRow("unknown ruler task") << "{\"ruler\": {\"tasks\": [\"qa_1\"]}}"
                                        << "qa_1";
    QTest::newRow("ppl without texts") << "{\"tasks\": [\"ppl\"]}"
                                       << "\"ppl\" needs \"texts\"";
    QTest::newRow("two haystacks") << "{\"haystack\": {\"file\": \"a\", \"corpus\": \"b\"}}"
                                   << "not both";
    QTest::newRow("bad format") << "{\"prompt_format\": \"gpt9\"}"
                                << "gpt9";
    QTest::newRow("nothing to score") << "{\"niah\": {\"needle\": \"x\"}}"
                                      << "needs \"keywords\" or \"answer\"";
    QTest::newRow("duplicate key") << "{\"seed\": 1, \"seed\": 2}"
                                   << "seed";
    QTest::newRow("bad range") << "{\"lengths\": {\"min\": 10, \"max\": 5, \"count\": 2}}"
                               << "\"lengths.max\"";
    QTest::newRow("bad spacing") << "{\"depths\": {\"count\": 3, \"spacing\": \"log\"}}"
                                 << "log";
  }
  void strictErrors() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const QString error = error_for(json.toStdString());
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.startsWith("suite.json"), qPrintable(error));
  }

  void roundTrip() {
    EvalSuite s;
    s.tasks = {EvalTaskKind::Passkey, EvalTaskKind::Perplexity};
    s.lengths = {256, 512};
    s.depth_percents = {0, 33.5, 100};
    s.batch_size = 2;
    s.seed = 9;
    s.haystack.file = "/data/book.txt";
    s.niah.keywords = {"a", "b"};
    s.niah.snap_to_sentence = false;
    s.ruler_tasks = {RulerTask::NiahSingle2};
    s.ppl.texts = {"/data/doc1.txt"};
    s.ppl.bucket_tokens = 64;
    const std::string json = eval_suite_to_json(s);
    const EvalSuite back = parse_eval_suite(json, "written");
    QCOMPARE(eval_suite_to_json(back), json);
    QCOMPARE(back.depth_percents, s.depth_percents);
    QCOMPARE(back.ppl.texts, s.ppl.texts);
    QVERIFY(!back.niah.snap_to_sentence);
    EvalSuite rel = back;
    rel.haystack.file = "hay.txt";
    resolve_suite_paths(rel, "/projects/p");
    QCOMPARE(rel.haystack.file, std::string("/projects/p/hay.txt"));
  }
};

QTEST_GUILESS_MAIN(TestEvalSuite)
#include "test_eval_suite.moc"
