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

/// Why a failed command's output is not what users should see, or "" when it is: a non-zero exit, stderr
/// holding `expected`, on one line, with no C++ backtrace.
inline QString one_line_error_problem(const ProcessResult& r, const QString& expected) {
  if (r.exit_code == 0) return QStringLiteral("the command succeeded");
  if (!r.std_err.contains(expected)) return QStringLiteral("no \"%1\" in: %2").arg(expected, r.std_err);
  if (r.std_err.trimmed().contains('\n')) return QStringLiteral("more than one line: ") + r.std_err;
  if (r.std_err.contains("frame #")) return QStringLiteral("a backtrace reached the user: ") + r.std_err;
  return {};
}

/// A run config that trains a tiny model from scratch (a 300-piece sentencepiece tokenizer trained on the
/// project's corpus "demo") for `steps` steps of 2 x 64 tokens on the CPU, checkpointing every 4 steps.
inline nlohmann::json tiny_run_config(std::int64_t steps) {
  using json = nlohmann::json;
  return {{"format", 1},
          {"name", "cli"},
          {"init",
           {{"scratch",
             {{"hidden_size", 64},
              {"intermediate_size", 128},
              {"num_hidden_layers", 2},
              {"num_attention_heads", 4},
              {"max_position_embeddings", 64}}},
            {"tokenizer", {{"sentencepiece", {{"vocab_size", 300}, {"from_corpus", "demo"}}}}}}},
          {"device", "cpu"},
          {"precision", "fp32"},
          {"optimizer", {{"lr", 1e-3}}},
          {"batch", {{"micro_batch_size", 2}}},
          {"checkpoint", {{"every_steps", 4}, {"keep_last", 2}}},
          {"stages",
           json::array({{{"name", "s64"}, {"seq_len", 64}, {"steps", steps}, {"data", {{{"corpus", "demo"}}}}}})}};
}

/// The command's stdout as one JSON value.
inline nlohmann::json stdout_json(const ProcessResult& r) {
  return nlohmann::json::parse(r.std_out.trimmed().toStdString());
}

}  // namespace rw::test
