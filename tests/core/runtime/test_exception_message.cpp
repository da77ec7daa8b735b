// What users read for a failed allocation: one "out of memory" line with the size, never the allocator's
// source location, std::bad_alloc's bare name or a backtrace.
#include <ATen/ATen.h>
#include <QtTest>

#include <new>

#include "rw/core/runtime/exception_message.h"

using rw::core::exception_message;

class TestExceptionMessage : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cpuAllocationFailureNamesTheSize() {
    try {
      at::empty({int64_t{1} << 50}, at::kByte);  // 1 PiB: refused by the allocator on any machine
      QSKIP("this machine allocated 1 PiB");
    } catch (const std::exception& e) {
      QCOMPARE(QString::fromStdString(exception_message(e)), QString("out of memory: could not allocate 1.0 PiB on the CPU"));
    }
  }

  void badAllocSaysOutOfMemory() {
    QCOMPARE(QString::fromStdString(exception_message(std::bad_alloc())),
             QString("out of memory: a memory allocation failed"));
  }

  void otherTorchErrorsLoseOnlyTheBacktrace() {
    try {
      at::ones({2, 3}).matmul(at::ones({2, 3}));
      QFAIL("mismatched shapes multiplied");
    } catch (const c10::Error& e) {
      const std::string message = exception_message(e);
      QVERIFY2(message.find("cannot be multiplied") != std::string::npos, message.c_str());
      QVERIFY(message.find("frame #") == std::string::npos);
    }
  }
};

QTEST_GUILESS_MAIN(TestExceptionMessage)
#include "test_exception_message.moc"
