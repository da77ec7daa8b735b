// Glob and GlobFilter: the gitignore-style cases users rely on (table), patterns that would backtrack
// exponentially in a naive matcher, pattern errors, and include/exclude precedence.
#include <QElapsedTimer>
#include <QtTest>

#include <string>

#include "rw/core/util/glob.h"
#include "rw/core/util/error.h"
#include "test_support.h"

class TestGlob : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matches_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("expected");
    const auto row = [](const char* pattern, const char* path, bool expected) {
      QTest::addRow("%s ~ %s", pattern, path) << QString(pattern) << QString(path) << expected;
    };
    // No '/': the file name at any depth.
    row("*.py", "x.py", true);
    row("*.py", "src/deep/x.py", true);
    row("*.py", "x.pyc", false);
    row("*.py", "py/readme", false);
    row("README", "docs/README", true);
    row("README", "README.md", false);
    // With '/': anchored at the root; '*' stops at '/'.
    row("src/*.cpp", "src/a.cpp", true);
    row("src/*.cpp", "src/a/b.cpp", false);
    row("src/*.cpp", "lib/src/a.cpp", false);
    row("/setup.py", "setup.py", true);
    row("/setup.py", "pkg/setup.py", false);
    // '**' as whole segments.
    row("**/test_*.cpp", "test_a.cpp", true);
    row("**/test_*.cpp", "tests/core/test_glob.cpp", true);
    row("**/test_*.cpp", "tests/core/glob_test.cpp", false);
    row("docs/**", "docs/index.md", true);
    row("docs/**", "docs/a/b/c.md", true);
    row("docs/**", "docs", false);
    row("docs/**", "src/docs/x.md", false);
    row("a/**/b", "a/b", true);
    row("a/**/b", "a/x/b", true);
    row("a/**/b", "a/x/y/b", true);
    row("a/**/b", "a/x/y/c", false);
    row("a/**/b", "x/a/b", false);
    row("a/**/b/**/c", "a/1/b/2/b/3/c", true);
    row("**", "anything/at/all", true);
    row("a**b", "axxb", true);  // not a whole segment: an ordinary star
    row("a**b", "ax/xb", false);
    // Trailing '/': everything inside such a folder, at any depth unless anchored.
    row("build/", "build/x.o", true);
    row("build/", "a/build/y/z.o", true);
    row("build/", "build", false);
    row("src/gen/", "src/gen/a.h", true);
    row("src/gen/", "lib/src/gen/a.h", false);
    // '?' and character sets.
    row("?", "a", true);
    row("?", "ab", false);
    row("?", "", false);
    row("a?c", "abc", true);
    row("a?c", "a/c", false);
    row("[!.]*", "readme", true);
    row("[!.]*", ".hidden", false);
    row("[!.]*", "dir/.hidden", false);
    row("[^.]*", ".hidden", false);
    row("file[0-9].txt", "file7.txt", true);
    row("file[0-9].txt", "filex.txt", false);
    row("[a-cx-z]", "b", true);
    row("[a-cx-z]", "y", true);
    row("[a-cx-z]", "m", false);
    row("[]a]", "]", true);
    row("[a-]", "-", true);
    row("[!a-z]x", "Ax", true);
    row("[!a-z]x", "bx", false);
    // Escapes, bytes, odd path spellings.
    row("\\*.txt", "*.txt", true);
    row("\\*.txt", "a.txt", false);
    row("caf\xc3\xa9.md", "notes/caf\xc3\xa9.md", true);
    row("*.md", "./notes//x.md", true);
  }

  void matches() {
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, expected);
    const rw::core::Glob glob(pattern.toStdString());
    QCOMPARE(glob.matches(path.toStdString()), expected);
  }

  void noExponentialBacktracking() {
    // A backtracking matcher needs ~n^k steps here; ours is (pattern x path).
    const std::string name(20000, 'a');
    const std::string deep_path = [] {
      std::string p;
      for (int i = 0; i < 2000; ++i) p += "a/";
      return p + "c";
    }();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!rw::core::Glob("*a*a*a*a*a*a*a*a*a*b").matches("dir/" + name));
    QVERIFY(rw::core::Glob("*a*a*a*a*a*a*a*a*a*").matches("dir/" + name));
    QVERIFY(!rw::core::Glob("**/a/**/a/**/a/**/a/**/b").matches(deep_path));
    QVERIFY(rw::core::Glob("**/a/**/a/**/a/**/a/**/c").matches(deep_path));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));
  }

  void errors_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("cause");
    QTest::newRow("empty") << ""
                           << "empty pattern";
    QTest::newRow("only slash") << "/"
                                << "empty pattern";
    QTest::newRow("unclosed") << "src/[a-z"
                              << "unclosed '['";
    QTest::newRow("unclosed negated") << "[!]"
                                      << "unclosed '['";
  }

  void errors() {
    QFETCH(QString, pattern);
    QFETCH(QString, cause);
    const QString message = rw::test::error_of([&] { rw::core::Glob glob(pattern.toStdString()); });
    QVERIFY2(message.contains(QStringLiteral("glob \"%1\"").arg(pattern)), qPrintable(message));
    QVERIFY2(message.contains(cause), qPrintable(message));
  }

  void filterPrecedence() {
    const rw::core::GlobFilter filter({"*.py", "docs/**"}, {"**/test_*", "docs/drafts/**"});
    QVERIFY(filter.selects("pkg/mod.py"));
    QVERIFY(filter.selects("docs/guide/intro.md"));
    QVERIFY(!filter.selects("pkg/test_mod.py"));  // exclude wins over include
    QVERIFY(!filter.selects("docs/drafts/plan.md"));
    QVERIFY(!filter.selects("pkg/readme.md"));  // no include matches

    const rw::core::GlobFilter excludes_only({}, {".git/", "*.bin"});
    QVERIFY(excludes_only.selects("src/main.cpp"));  // empty includes select everything
    QVERIFY(!excludes_only.selects(".git/config"));
    QVERIFY(!excludes_only.selects("models/w.bin"));

    QVERIFY(rw::core::GlobFilter({}, {}).selects("any/file"));
    const QString message = rw::test::error_of([] { rw::core::GlobFilter({"ok"}, {"bad["}); });
    QVERIFY2(message.contains("glob \"bad[\""), qPrintable(message));
  }
};

QTEST_GUILESS_MAIN(TestGlob)
#include "test_glob.moc"
