// Screenshots from the workbench tests: a widget grabbed to $RW_SCREENSHOT_DIR/<name> when that is set,
// so a person can look at what a test saw (docs/images/workbench-*.png are made by
// tools/demo/workbench_screenshots.sh instead).
#pragma once
#include <QWidget>
#include <QtTest>

namespace rw::test {

inline void save_screenshot(QWidget& widget, const QString& name) {
  const QString dir = qEnvironmentVariable("RW_SCREENSHOT_DIR");
  if (!dir.isEmpty()) QVERIFY(widget.grab().save(dir + QLatin1Char('/') + name));
}

}  // namespace rw::test
