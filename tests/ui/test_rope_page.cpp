// window/rope_page: the RoPE explainer's counts come from core rope_spectrum (itself tied to the model's
// RoPE by test_rope_spectrum), its warning appears exactly when a target past the trained length has no
// RoPE change, and a model folder's own settings are read (a bad folder says why).
#include <QChart>
#include <QChartView>
#include <QtTest>

#include "rw/core/config/rope_spectrum.h"
#include "rw/ui/window/rope_page.h"
#include "test_support.h"
#include "ui_screenshot.h"

using rw::core::RopeType;

class TestRopePage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void countsAndWarnings() {
    rw::ui::RopePage page;
    page.resize(1100, 600);
    // No model: head_dim 64, theta 10000, trained at 4096; the default target is 4x that.
    QVERIFY2(page.summary().contains("In training (4096 tokens)"), qPrintable(page.summary()));
    QVERIFY(page.summary().contains("Warning"));
    rw::core::ModelConfig raised;
    raised.head_dim = 64;
    raised.max_position_embeddings = 4096;
    raised.rope.theta = 160000;
    page.choose(RopeType::Default, 160000, 1, 16384);
    const auto expected = rw::core::pairs_longer_than(rw::core::rope_spectrum(raised), 16384);
    QVERIFY2(page.summary().contains(
                 QStringLiteral("%1 of 32 pairs stay under one rotation at the target of 16384").arg(expected)),
             qPrintable(page.summary()));
    QVERIFY(!page.summary().contains("Warning"));
    QCOMPARE(page.chart()->chart()->series().size(), 4);  // own, chosen, trained length, target
    page.choose(RopeType::Yarn, 10000, 4, 16384);
    QVERIFY(page.summary().contains("YaRN scales attention by 1.1386"));
    rw::test::save_screenshot(page, QStringLiteral("rope-page.png"));
  }

  void readsAModelFolder() {
    rw::ui::RopePage page;
    QVERIFY(page.load_model(QString::fromStdString(rw::test::source_path("resources/demo/base-model").string())));
    QVERIFY2(page.summary().contains("In training (256 tokens)"), qPrintable(page.summary()));
    QVERIFY(!page.load_model(QStringLiteral("/nonexistent/model")));
  }
};

QTEST_MAIN(TestRopePage)
#include "test_rope_page.moc"
