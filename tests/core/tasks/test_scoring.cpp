// Eval scoring: NIAH keyword fraction and answer substring (case-insensitive), passkey first integer,
// RULER string_match_all / string_match_part with RULER's prediction cleanup.
#include <QtTest>

#include "rw/core/tasks/scoring.h"
#include "rw/core/tasks/niah.h"
#include "test_support.h"

using namespace rw::core;

class TestEvalScoring : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void keywordFraction_data() {
    QTest::addColumn<QString>("output");
    QTest::addColumn<double>("score");
    QTest::newRow("the needle") << "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on "
                                   "a sunny day."
                                << 1.0;
    QTest::newRow("upper case") << "EAT A SANDWICH, SIT IN DOLORES PARK, SUNNY DAY" << 1.0;
    QTest::newRow("four of seven") << "eat a sandwich near Dolores park" << 4.0 / 7.0;
    QTest::newRow("nothing") << "I am not sure." << 0.0;
    QTest::newRow("empty") << "" << 0.0;
    // Substring semantics of the forks: "eat" inside "great" counts.
    QTest::newRow("substring inside a word") << "great" << 1.0 / 7.0;
  }
  void keywordFraction() {
    QFETCH(QString, output);
    QFETCH(double, score);
    const ScoreSpec spec{ScoreMethod::KeywordFraction, niah_default_keywords()};
    QVERIFY(std::abs(score_output(spec, output.toStdString()) - score) < 1e-12);
  }

  void substringAndFirstInteger() {
    const ScoreSpec sub{ScoreMethod::Substring, {"Dolores Park"}};
    QCOMPARE(score_output(sub, "go to dolores park"), 1.0);
    QCOMPARE(score_output(sub, "go to the park"), 0.0);
    const ScoreSpec key{ScoreMethod::FirstInteger, {"31415"}};
    QCOMPARE(score_output(key, " 31415. Remember it."), 1.0);
    QCOMPARE(score_output(key, "The pass key is 31415"), 1.0);
    QCOMPARE(score_output(key, " 314150"), 0.0);            // the whole first number must match
    QCOMPARE(score_output(key, " 2 and then 31415"), 0.0);  // only the first integer counts
    QCOMPARE(score_output(key, " none"), 0.0);
    QCOMPARE(first_integer("abc 0042 x").value(), 42LL);
    QVERIFY(!first_integer("no digits").has_value());
    QVERIFY(rw::test::error_of([] { score_output({ScoreMethod::Substring, {}}, "x"); }).contains("no reference"));
  }

  void rulerMatchAllAndPart() {
    const ScoreSpec all{ScoreMethod::MatchAll, {"1234567", "7654321", "abc-def"}};
    QCOMPARE(score_output(all, "1234567, 7654321 and ABC-DEF"), 1.0);
    QVERIFY(std::abs(score_output(all, "1234567") - 1.0 / 3.0) < 1e-12);
    // Control characters become newlines before matching, so a reference spanning one does not match.
    QVERIFY(std::abs(score_output(all,
                                  "  1234567\t7654321 abc\x01"
                                  "def  ") -
                     2.0 / 3.0) < 1e-12);
    QCOMPARE(ruler_clean_prediction("  a\tb\x02"
                                    "c \n"),
             std::string("a\nb\nc"));
    const ScoreSpec part{ScoreMethod::MatchPart, {"paris", "lyon"}};
    QCOMPARE(score_output(part, "It is Lyon."), 1.0);
    QCOMPARE(score_output(part, "It is Nice."), 0.0);
  }
};

QTEST_GUILESS_MAIN(TestEvalScoring)
#include "test_scoring.moc"
