// Helpers for the tests that drive ropewalk-cli (tests/app): each such test target defines RW_CLI_PATH,
// which is why these live in a header of their own rather than in the compiled test_support library.
#pragma once
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "test_support.h"

namespace rw::test {

/// Runs the ropewalk-cli under test with `args` and waits up to timeout_ms.
inline ProcessResult run_cli(const QStringList& args, int timeout_ms = 300000) {
  return run_process(QStringLiteral(RW_CLI_PATH), args, timeout_ms);
}

/// A path as a command-line argument.
inline QString q(const std::filesystem::path& path) { return QString::fromStdString(path.string()); }

/// Writes bytes to path, creating its folders.
inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A fresh project (`ropewalk-cli project init`) in a new temporary folder: `root` is the folder, `project`
/// the project inside it. `error` says why it could not be made (check it with QVERIFY2 in the test).
struct ScratchProject {
  ScratchProject() {
    const auto r = run_cli({"project", "init", q(project)});
    if (r.exit_code != 0) error = r.std_err.isEmpty() ? QStringLiteral("project init failed") : r.std_err;
  }
  QTemporaryDir tmp;
  std::filesystem::path root = tmp.path().toStdString();
  std::filesystem::path project = root / "project";
  QString error;
};

/// The command's stdout as one JSON value.
inline nlohmann::json stdout_json(const ProcessResult& r) {
  return nlohmann::json::parse(r.std_out.trimmed().toStdString());
}

}  // namespace rw::test
