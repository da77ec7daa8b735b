// util/files: remove_tree removes nested folders without following symlinks (and works in a process
// linked to libtorch, whose exported std::filesystem::remove_all crashes on nested folders).
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "rw/core/util/files.h"
#include "test_support.h"

namespace fs = std::filesystem;

class TestFiles : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void removeTreeRemovesNestedFoldersButNotLinkTargets() {
    QTemporaryDir tmp;
    const fs::path root(tmp.path().toStdString());
    fs::create_directories(root / "tree/a/b/c");
    fs::create_directories(root / "outside");
    std::ofstream(root / "tree/a/b/c/deep.txt") << "x";
    std::ofstream(root / "tree/top.txt") << "y";
    std::ofstream(root / "outside/keep.txt") << "keep";
    fs::create_directory_symlink(root / "outside", root / "tree/a/link");
    rw::core::remove_tree(root / "tree");
    QVERIFY(!fs::exists(root / "tree"));
    QVERIFY(fs::exists(root / "outside/keep.txt"));
    rw::core::remove_tree(root / "tree");  // missing: nothing to do
    std::ofstream(root / "file.txt") << "z";
    rw::core::remove_tree(root / "file.txt");
    QVERIFY(!fs::exists(root / "file.txt"));
  }
};

QTEST_GUILESS_MAIN(TestFiles)
#include "test_files.moc"
