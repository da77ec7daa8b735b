// RW_CHECK and rw::core::fail carry the message, the condition and the location.
#include <QtTest>

#include "rw/core/util/error.h"

class TestError : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void checkPassesWhenTrue() { RW_CHECK(1 + 1 == 2, "never shown"); }

  void checkThrowsWithContext() {
    try {
      const int heads = 3;
      RW_CHECK(heads % 2 == 0, "num_heads {} is odd", heads);
      QFAIL("RW_CHECK did not throw");
    } catch (const rw::core::Error& e) {
      const QString what = QString::fromUtf8(e.what());
      QVERIFY2(what.contains("num_heads 3 is odd"), qPrintable(what));
      QVERIFY2(what.contains("heads % 2 == 0"), qPrintable(what));
      QVERIFY2(what.contains("test_error.cpp"), qPrintable(what));
    }
  }

  void failFormats() {
    QVERIFY_THROWS_EXCEPTION(rw::core::Error, rw::core::fail("tensor {} missing", "lm_head.weight"));
  }
};

QTEST_GUILESS_MAIN(TestError)
#include "test_error.moc"
