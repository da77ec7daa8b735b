// models/text_diff: the line diff the runs page shows between two runs' configs.
#include <QtTest>

#include "rw/ui/models/text_diff.h"

using rw::ui::DiffLine;

class TestTextDiff : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void changedValueIsARemovedAndAnAddedLine() {
    const QStringList a = {"{", "  \"lr\": 0.001,", "  \"steps\": 100,", "  \"seed\": 1", "}"};
    const QStringList b = {"{", "  \"lr\": 0.003,", "  \"steps\": 100,", "  \"seed\": 1", "  \"extra\": true", "}"};
    const auto diff = rw::ui::line_diff(a, b);
    QCOMPARE(diff.size(), 7);
    QCOMPARE(diff[1], (DiffLine{DiffLine::Removed, "  \"lr\": 0.001,"}));
    QCOMPARE(diff[2], (DiffLine{DiffLine::Added, "  \"lr\": 0.003,"}));
    QCOMPARE(diff[5], (DiffLine{DiffLine::Added, "  \"extra\": true"}));
    // Every line of each side appears once, in order.
    QStringList left, right;
    for (const auto& d : diff) {
      if (d.kind != DiffLine::Added) left << d.text;
      if (d.kind != DiffLine::Removed) right << d.text;
    }
    QCOMPARE(left, a);
    QCOMPARE(right, b);
    QCOMPARE(rw::ui::diff_text(diff, 0),
             QStringLiteral("-   \"lr\": 0.001,\n+   \"lr\": 0.003,\n  …\n+   \"extra\": true"));
  }

  void equalTextsHaveNoDiff() {
    const QStringList a = {"x", "y"};
    QVERIFY(rw::ui::diff_text(rw::ui::line_diff(a, a)).isEmpty());
    QCOMPARE(rw::ui::line_diff({}, a).size(), 2);
  }
};

QTEST_GUILESS_MAIN(TestTextDiff)
#include "test_text_diff.moc"
