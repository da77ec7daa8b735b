// Known-answer check of the evaluator on a real model. The demo base model (resources/demo/base-model) was
// trained by our own trainer at 256 tokens (tools/demo/build_base_model.sh), so its NIAH heatmap on the demo
// grid (resources/demo/niah-demo.json) must be green up to its trained length and red well beyond it.
// Runs the grid through ropewalk-cli as a user would, into a project holding the demo corpus, and checks
// the answers behind two cells (inside and beyond the trained length) against transformers' generate.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "rw/core/tasks/default_haystack.h"
#include "rw/core/config/eval_suite.h"
#include "rw/core/tasks/niah.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/store/run_store.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/files.h"
#include "rw/core/util/sha256.h"
#include "test_support.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

using rw::test::q;
using rw::test::run_cli;

namespace {

fs::path demo_dir() { return rw::test::source_path("resources/demo"); }
fs::path base_model() { return demo_dir() / "base-model"; }

struct Means {
  double within = 0, beyond = 0;
  int within_cells = 0, beyond_cells = 0;
};

}  // namespace

class TestDemoBaseModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    project_ = fs::path(tmp_.path().toStdString()) / "demo";
    auto r = run_cli({"project", "init", q(project_)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    r = run_cli({"corpus", "add", q(project_), q(demo_dir() / "corpus"), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
  }

  void weightsAreTheRecipesOutput() {
    // provenance.json is written by the build script from the weights it copied: a hand-edited or
    // replaced model fails here.
    const json provenance = json::parse(rw::core::read_text_file(base_model() / "provenance.json"));
    QCOMPARE(rw::core::sha256_file_hex(base_model() / "model.safetensors"),
             provenance.at("model_sha256").get<std::string>());
    QCOMPARE(provenance.at("run_config").get<std::string>(), std::string("resources/demo/base-model.run.json"));
  }

  void greenWithinTrainedLengthRedBeyond() {
    const json config = json::parse(rw::core::read_text_file(base_model() / "config.json"));
    const auto trained = config.at("max_position_embeddings").get<std::int64_t>();
    QCOMPARE(trained, std::int64_t{256});

    const auto r = run_cli({"eval", "suite", q(base_model()), q(demo_dir() / "niah-demo.json"), "--project",
                            q(project_), "--device", "cpu", "--run-name", "known answer", "--json"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json out = json::parse(r.std_out.trimmed().toStdString());
    QCOMPARE(out.at("prompt_format").get<std::string>(), std::string("plain"));
    QCOMPARE(out.at("cells").size(), size_t(35));

    Means m;
    for (const json& cell : out.at("cells")) {
      const auto length = cell.at("length").get<std::int64_t>();
      const double score = cell.at("score").get<double>();
      if (length <= trained) {
        m.within += score;
        ++m.within_cells;
      } else if (length >= 2 * trained) {
        m.beyond += score;
        ++m.beyond_cells;
      }
    }
    QCOMPARE(m.within_cells, 15);  // 128, 192, 256 x 5 depths
    QCOMPARE(m.beyond_cells, 15);  // 512, 768, 1024
    m.within /= m.within_cells;
    m.beyond /= m.beyond_cells;
    qInfo("mean score within %lld tokens: %.3f, at 2-4x that length: %.3f", static_cast<long long>(trained), m.within,
          m.beyond);
    QVERIFY2(m.within >= 0.9, qPrintable(r.std_out));
    QVERIFY2(m.beyond <= 0.2, qPrintable(r.std_out));

    // The same cells are in the store, so the GUI heatmap and export-heatmap draw this picture.
    auto store = rw::core::RunStore::open(project_ / "store.db", rw::core::OpenMode::ReadOnly);
    QCOMPARE(store.eval_cells_since(out.at("run_id").get<std::int64_t>(), 0).size(), size_t(35));
  }

  void answersEqualTransformers() {
    // The same prompts (ids) through our generator and through transformers' greedy generate: the
    // heatmap's verdicts are the model's, not an artifact of our inference code.
    using namespace rw::core;
    const EvalSuite suite = parse_eval_suite(read_text_file(demo_dir() / "niah-demo.json"), "niah-demo.json");
    const auto tokenizer = load_tokenizer(base_model());
    LoadedModel loaded = load_hf_model(base_model());
    loaded.model->eval();
    const NiahBuilder builder(*tokenizer, suite.niah, builtin_haystack_text(), 1024);
    LlamaTextGenerator ours(loaded.model, *tokenizer, loaded.generation);
    json prompts = json::array();
    std::vector<std::string> outputs;
    for (const std::int64_t length : {256, 512}) {
      const Prompt prompt = builder.item(length, 50, ChatFormat::Plain).prompt;
      prompts.push_back(tokenizer->encode(prompt.text, prompt.add_special_tokens));
      outputs.push_back(ours.generate({prompt}, greedy_decoding(suite.niah.max_new_tokens)).at(0).text);
    }
    QVERIFY2(outputs[0].find("48213") != std::string::npos, outputs[0].c_str());  // inside: found
    QVERIFY2(outputs[1].find("48213") == std::string::npos, outputs[1].c_str());  // beyond: lost

    const fs::path file = fs::path(tmp_.path().toStdString()) / "prompts.json";
    rw::test::write_bytes(file, prompts.dump());
    const auto r =
        rw::test::run_oracle("hf_greedy.py", {q(base_model()), q(file), QString::number(suite.niah.max_new_tokens)});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    const json theirs = json::parse(r.std_out.trimmed().toStdString());
    QCOMPARE(theirs.size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
      const std::string text = tokenizer->decode(theirs[i].get<std::vector<std::int32_t>>(), true);
      QCOMPARE(QString::fromStdString(outputs[i]), QString::fromStdString(text));
    }
  }

 private:
  QTemporaryDir tmp_;
  fs::path project_;
};

QTEST_GUILESS_MAIN(TestDemoBaseModel)
#include "test_demo_base_model.moc"
