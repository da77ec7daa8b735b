// lr_at: exact values at the start and end of warmup, at the cosine midpoint, at the last step and past it,
// for cosine, linear and constant schedules, the no-warmup case, and validation errors naming the field.
#include <QtTest>

#include <cmath>
#include <limits>
#include <numbers>

#include "rw/core/config/lr_schedule.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;

namespace {

// 10 warmup steps, then 100 decay steps (progress = (step - 10) / 100).
constexpr LrSchedule kCosine{.peak_lr = 1e-3, .warmup_steps = 10, .total_steps = 110, .min_lr_ratio = 0.1};

LrSchedule with_kind(LrSchedule::Kind kind) {
  LrSchedule s = kCosine;
  s.kind = kind;
  return s;
}

}  // namespace

class TestLrSchedule : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void warmupIsLinearFromTheFirstStep() {
    for (const auto kind : {LrSchedule::Kind::Cosine, LrSchedule::Kind::Linear, LrSchedule::Kind::Constant}) {
      const LrSchedule s = with_kind(kind);
      QCOMPARE(lr_at(s, 0), 1e-4);  // peak / 10: the first step already moves
      QCOMPARE(lr_at(s, 4), 5e-4);
      QCOMPARE(lr_at(s, 9), 1e-3);   // last warmup step reaches the peak
      QCOMPARE(lr_at(s, 10), 1e-3);  // decay starts at progress 0
    }
  }

  void cosineDecaysToTheFloor() {
    QCOMPARE(lr_at(kCosine, 60), 1e-3 * (0.1 + 0.9 * 0.5));  // midpoint: cos(pi/2) = 0
    QCOMPARE(lr_at(kCosine, 35), 1e-3 * (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.25))));
    QCOMPARE(lr_at(kCosine, 109), 1e-3 * (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * 0.99))));
    QCOMPARE(lr_at(kCosine, 110), 1e-4);   // progress 1: the floor
    QCOMPARE(lr_at(kCosine, 5000), 1e-4);  // and it stays there
    for (std::int64_t step = 10; step < 110; ++step) QVERIFY(lr_at(kCosine, step + 1) < lr_at(kCosine, step));
  }

  void linearAndConstant() {
    const LrSchedule linear = with_kind(LrSchedule::Kind::Linear);
    QCOMPARE(lr_at(linear, 60), 1e-3 * (0.1 + 0.9 * 0.5));
    QCOMPARE(lr_at(linear, 35), 1e-3 * (0.1 + 0.9 * 0.75));
    QCOMPARE(lr_at(linear, 110), 1e-4);
    const LrSchedule constant = with_kind(LrSchedule::Kind::Constant);
    QCOMPARE(lr_at(constant, 60), 1e-3);
    QCOMPARE(lr_at(constant, 500), 1e-3);
  }

  void noWarmupAndZeroFloor() {
    const LrSchedule s{.peak_lr = 2.0, .warmup_steps = 0, .total_steps = 4, .min_lr_ratio = 0.0};
    QCOMPARE(lr_at(s, 0), 2.0);
    QCOMPARE(lr_at(s, 2), 1.0);
    QCOMPARE(lr_at(s, 4), 0.0);
    const LrSchedule all_warmup{.peak_lr = 1.0, .warmup_steps = 4, .total_steps = 4};
    QCOMPARE(lr_at(all_warmup, 3), 1.0);
    QCOMPARE(lr_at(all_warmup, 4), 1.0);  // decay of max(1, 0) steps: progress 0 here
    QCOMPARE(lr_at(all_warmup, 5), 0.1);
  }

  void invalidFieldsAreNamed_data() {
    QTest::addColumn<double>("peak_lr");
    QTest::addColumn<qint64>("warmup");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<double>("min_ratio");
    QTest::addColumn<QString>("message");
    QTest::newRow("peak") << -1.0 << qint64{0} << qint64{10} << 0.1 << "LrSchedule.peak_lr must be finite and >= 0";
    QTest::newRow("peak inf") << std::numeric_limits<double>::infinity() << qint64{0} << qint64{10} << 0.1
                              << "LrSchedule.peak_lr";
    QTest::newRow("warmup") << 1.0 << qint64{-1} << qint64{10} << 0.1 << "LrSchedule.warmup_steps must be >= 0";
    QTest::newRow("total") << 1.0 << qint64{0} << qint64{0} << 0.1 << "LrSchedule.total_steps must be > 0 (got 0)";
    QTest::newRow("warmup > total") << 1.0 << qint64{11} << qint64{10} << 0.1
                                    << "LrSchedule.warmup_steps (11) must not exceed total_steps (10)";
    QTest::newRow("ratio high") << 1.0 << qint64{0} << qint64{10} << 1.5 << "LrSchedule.min_lr_ratio must be in [0, 1]";
    QTest::newRow("ratio nan") << 1.0 << qint64{0} << qint64{10} << std::numeric_limits<double>::quiet_NaN()
                               << "LrSchedule.min_lr_ratio";
  }
  void invalidFieldsAreNamed() {
    QFETCH(double, peak_lr);
    QFETCH(qint64, warmup);
    QFETCH(qint64, total);
    QFETCH(double, min_ratio);
    QFETCH(QString, message);
    const LrSchedule s{.peak_lr = peak_lr, .warmup_steps = warmup, .total_steps = total, .min_lr_ratio = min_ratio};
    const QString got = error_of([&] { lr_at(s, 0); });
    QVERIFY2(got.contains(message), qPrintable(got));
    QCOMPARE(error_of([&] { validate(s); }), got);
  }

  void negativeStepIsRejected() {
    QVERIFY(error_of([] { lr_at(kCosine, -1); }).contains("lr_at: step must be >= 0 (got -1)"));
  }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "test_lr_schedule.moc"
