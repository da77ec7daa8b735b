#include "test_support.h"

#include <ATen/ATen.h>
#include <QProcess>
#include <torch/cuda.h>

namespace rw::test {

ProcessResult run_oracle(const QString& script, const QStringList& args, int timeout_ms) {
  QProcess process;
  const QString path = QString::fromStdString(source_path("tools/oracle/" + script.toStdString()).string());
  process.start(QStringLiteral(RW_TEST_PYTHON), QStringList{path} + args);
  ProcessResult result;
  if (!process.waitForFinished(timeout_ms)) {
    process.kill();
    process.waitForFinished();
    result.std_err = QStringLiteral("oracle %1 did not finish: %2").arg(script, process.errorString());
    return result;
  }
  result.exit_code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.std_out = QString::fromUtf8(process.readAllStandardOutput());
  result.std_err = QString::fromUtf8(process.readAllStandardError());
  return result;
}

std::filesystem::path hf_fixture_dir() { return std::filesystem::path(RW_FIXTURE_DIR) / "hf"; }

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(RW_SOURCE_DIR) / relative;
}

double max_relative_error(const at::Tensor& a, const at::Tensor& b, double floor) {
  auto a64 = a.to(at::kDouble).cpu();
  auto b64 = b.to(at::kDouble).cpu();
  auto denom = b64.abs().max().item<double>();
  if (denom < floor) denom = floor;
  return (a64 - b64).abs().max().item<double>() / denom;
}

bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace rw::test
