#include "test_support.h"

#include <QProcess>
#include <nlohmann/json.hpp>

#include <csignal>

#include "rw/core/config/run_config.h"
#include "rw/core/store/migrations.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::test {

ProcessResult run_process(const QString& program, const QStringList& args, int timeout_ms) {
  QProcess process;
  process.start(program, args);
  ProcessResult result;
  if (!process.waitForFinished(timeout_ms)) {
    process.kill();
    process.waitForFinished();
    result.std_err = QStringLiteral("%1 did not finish: %2").arg(program, process.errorString());
    return result;
  }
  result.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.std_out = QString::fromUtf8(process.readAllStandardOutput());
  result.std_err = QString::fromUtf8(process.readAllStandardError());
  return result;
}

ProcessResult run_oracle(const QString& script, const QStringList& args, int timeout_ms) {
  const QString path = QString::fromStdString(source_path("tools/oracle/" + script.toStdString()).string());
  return run_process(QStringLiteral(RW_TEST_PYTHON), QStringList{path} + args, timeout_ms);
}

std::filesystem::path hf_fixture_dir() { return std::filesystem::path(RW_FIXTURE_DIR) / "hf"; }

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(RW_SOURCE_DIR) / relative;
}

std::filesystem::path new_subfolder(const QTemporaryDir& dir, int& count) {
  if (!dir.isValid()) return {};
  const auto path = std::filesystem::path(dir.path().toStdString()) / std::to_string(++count);
  std::filesystem::create_directories(path);
  return path;
}

bool ScratchStore::renew() {
  if (!folder_.isValid()) return false;
  db_.reset();
  path_ = std::filesystem::path(folder_.path().toStdString()) / (std::to_string(++count_) + ".db");
  db_ = std::make_unique<rw::core::Database>(rw::core::open_store(path_, rw::core::OpenMode::ReadWrite));
  return true;
}

QString error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const rw::core::Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

std::vector<std::string> hf_fixture_names() {
  const auto index = nlohmann::json::parse(rw::core::read_text_file(hf_fixture_dir() / "index.json"));
  return index.at("models").get<std::vector<std::string>>();
}

rw::core::ModelConfig tiny_llama_config(std::int64_t vocab_size, std::int64_t max_position_embeddings) {
  return rw::core::scratch_model_config({.hidden_size = 32,
                                         .intermediate_size = 64,
                                         .num_hidden_layers = 2,
                                         .num_attention_heads = 4,
                                         .num_key_value_heads = 2,
                                         .max_position_embeddings = max_position_embeddings},
                                        vocab_size);
}

FileSizeLimit::FileSizeLimit(rlim_t bytes) {
  getrlimit(RLIMIT_FSIZE, &saved_);
  saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  rlimit lowered{bytes, saved_.rlim_max};
  ok_ = setrlimit(RLIMIT_FSIZE, &lowered) == 0;
}

FileSizeLimit::~FileSizeLimit() {
  setrlimit(RLIMIT_FSIZE, &saved_);
  std::signal(SIGXFSZ, saved_handler_);
}

}  // namespace rw::test
