// The run launcher as a user drives it: a model folder's facts and the memory estimate appear (the bar shows
// exactly core estimate_training_memory's numbers); bad input — a negative learning rate, a stage longer than
// the RoPE settings cover, a corpus the store lacks — is blocked with the trainer's own message and the field
// it names; a config with settings the form has no widget for saves back unchanged; and a from-scratch run
// set up in the form is saved into the project and trains to the end as a worker.
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QLineEdit>
#include <QtTest>
#include <fstream>

#include "cli_test_support.h"
#include "rw/core/config/memory_estimate.h"
#include "rw/core/util/files.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/memory_bar.h"
#include "rw/ui/widgets/stages_editor.h"
#include "rw/ui/window/launch_page.h"
#include "rw/ui/window/main_window.h"
#include "rw/ui/window/rope_page.h"
#include "ui_screenshot.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using rw::core::RunConfig;
using rw::test::q;
using rw::ui::LaunchPage;
using rw::ui::MainWindow;

namespace {

constexpr int kCheckWaitMs = 10'000;
constexpr int kTrainWaitMs = 240'000;

/// What the trainer's parser says about `config` ("" when it accepts it).
QString parser_message(const RunConfig& config, const QString& source) {
  try {
    rw::core::parse_run_config(rw::core::run_config_to_json(config), source.toStdString());
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace

class TestLaunchPage : public QObject {
  Q_OBJECT
  rw::test::ScratchProject scratch_;
  fs::path project_;
  fs::path model_dir_;
  MainWindow* window_ = nullptr;
  LaunchPage* page_ = nullptr;

  /// Fills the form from `config` and waits for every check, the store's included.
  void load(const RunConfig& config) {
    page_->set_config(config);
    page_->check_now();
    QTRY_VERIFY_WITH_TIMEOUT(!page_->checking_store(), kCheckWaitMs);
  }

  RunConfig valid_form_;  ///< the fresh form once it was valid

  RunConfig with_model() const { return valid_form_; }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(scratch_.error.isEmpty(), qPrintable(scratch_.error));
    project_ = scratch_.project;
    qputenv("ROPEWALK_CLI", RW_CLI_PATH);
    for (int i = 0; i < 6; ++i) {
      std::string text;
      for (int j = 0; j < 40; ++j) text += "line " + std::to_string((i * 5 + j) % 11) + " of the launcher corpus. ";
      rw::test::write_bytes(scratch_.root / "texts" / ("t" + std::to_string(i) + ".txt"), text);
    }
    const auto r = rw::test::run_cli({"corpus", "add", q(project_), q(scratch_.root / "texts"), "--corpus", "demo"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.std_err));
    // The form reads only config.json of a model folder.
    model_dir_ = scratch_.root / "base-model";
    rw::test::write_bytes(model_dir_ / "config.json", json{{"architectures", {"LlamaForCausalLM"}},
                                                           {"model_type", "llama"},
                                                           {"vocab_size", 300},
                                                           {"hidden_size", 64},
                                                           {"intermediate_size", 128},
                                                           {"num_hidden_layers", 2},
                                                           {"num_attention_heads", 4},
                                                           {"num_key_value_heads", 2},
                                                           {"max_position_embeddings", 1024},
                                                           {"rope_theta", 10000.0},
                                                           {"rms_norm_eps", 1e-5},
                                                           {"torch_dtype", "float32"}}
                                                          .dump());
    window_ = new MainWindow;
    QString error;
    QVERIFY2(window_->open_project(project_, &error), qPrintable(error));
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_));
    window_->show_page(MainWindow::Page::NewRun);
    page_ = window_->launch_page();
    QVERIFY(page_);
  }

  void cleanupTestCase() { delete window_; }

  void freshFormTrainsOnTheCorpusAndShowsTheModel() {
    // A fresh form's stage takes the project's corpus once the store has been read.
    QTRY_VERIFY_WITH_TIMEOUT(!page_->stages()->stages().empty() && !page_->stages()->stages()[0].data.empty(),
                             kCheckWaitMs);
    QCOMPARE(page_->stages()->stages()[0].data[0].name, std::string("demo"));
    page_->model_edit()->setText(QString::fromStdString(model_dir_.string()));
    QTRY_VERIFY_WITH_TIMEOUT(page_->model_facts().contains("context 1024"), kCheckWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(page_->valid(), kCheckWaitMs);
    QVERIFY2(page_->message().startsWith("Ready"), qPrintable(page_->message()));

    // The bar shows the core estimate of the (only) stage, for the model as config.json describes it.
    const RunConfig config = valid_form_ = page_->form_config();
    const auto model = rw::core::stage_model_configs(config, rw::core::read_model_config(model_dir_ / "config.json"));
    const auto expected =
        rw::core::estimate_training_memory(model[0], rw::core::stage_training_shape(config, config.stages[0], false));
    QVERIFY(page_->memory_bar()->estimate().has_value());
    QCOMPARE(page_->memory_bar()->estimate()->total(), expected.total());
    QCOMPARE(page_->memory_bar()->estimate()->activations, expected.activations);
    QVERIFY(page_->memory_bar()->summary().contains(rw::ui::format_bytes(expected.total())));
    rw::test::save_screenshot(*window_, QStringLiteral("workbench-new-run.png"));
  }

  void badInputIsBlockedWithTheTrainersMessage() {
    load(with_model());
    QVERIFY(page_->valid());
    const QString saved_path = page_->config_path();

    page_->lr_edit()->setText("-1");
    QVERIFY(!page_->valid());  // blocked as soon as it is typed, before the check runs
    page_->check_now();
    const QString expected = parser_message(page_->form_config(), "configs/extend.run.json");
    QVERIFY(!expected.isEmpty());
    QCOMPARE(page_->message(), expected);
    QCOMPARE(page_->error_path(), QString("optimizer.lr"));
    QVERIFY(!page_->save().isEmpty());
    QVERIFY(!fs::exists(saved_path.toStdString()));
    page_->lr_edit()->setText("abc");  // not a number at all
    page_->check_now();
    QCOMPARE(page_->error_path(), QString("optimizer.lr"));
    page_->lr_edit()->setText("3e-4");

    // A stage past what the model's RoPE covers, then the theta raise that makes it an extension.
    RunConfig c = with_model();
    c.stages[0].seq_len = 4096;
    load(c);
    QVERIFY2(page_->message().contains("the RoPE settings cover 1024"), qPrintable(page_->message()));
    QVERIFY2(page_->error_path().startsWith("stages[0]"), qPrintable(page_->error_path()));
    QVERIFY(!page_->valid());
    c.stages[0].rope.theta = 40000;
    load(c);
    QVERIFY2(page_->valid(), qPrintable(page_->message()));

    // A corpus the store does not have: the store check's message, with the known corpora.
    c.stages[0].data[0].name = "nope";
    load(c);
    QVERIFY2(page_->message().contains("no corpus named \"nope\""), qPrintable(page_->message()));
    QVERIFY2(page_->message().contains("demo"), qPrintable(page_->message()));
    QVERIFY(!page_->valid());
    QVERIFY(!fs::exists(saved_path.toStdString()));
  }

  void configSavesBackUnchanged() {
    // Settings the form has no widget for (betas, eps, a stage's warmup and overflow) survive it.
    RunConfig c = with_model();
    c.name = "roundtrip";
    c.optimizer.beta2 = 0.99;
    c.optimizer.eps = 1e-6;
    c.stages[0].warmup_steps = 5;
    c.stages[0].overflow = rw::core::Overflow::Truncate;
    rw::core::StageConfig second = c.stages[0];
    second.name = "long";
    second.seq_len = 2048;
    second.rope.theta = 40000;
    c.stages.push_back(second);
    load(c);
    QVERIFY2(page_->valid(), qPrintable(page_->message()));
    QCOMPARE(page_->save(), QString());
    const fs::path file = page_->config_path().toStdString();
    QCOMPARE(file, project_ / "configs" / "roundtrip.run.json");
    page_->name_edit()->setText("../a/b c");  // a name is not a path
    QCOMPARE(page_->config_path().toStdString(), (project_ / "configs" / "run.._a_b_c.run.json").string());
    page_->name_edit()->setText("roundtrip");
    page_->check_now();
    QTRY_VERIFY_WITH_TIMEOUT(page_->valid(), kCheckWaitMs);
    const std::string expected = rw::core::run_config_to_json(
        rw::core::parse_run_config(rw::core::run_config_to_json(c), "expected"));
    QCOMPARE(rw::core::read_text_file(file), expected);
    QCOMPARE(page_->preview_text().toStdString(), expected);
    QVERIFY2(page_->message().startsWith("Ready: 2 stages"), qPrintable(page_->message()));
    // The memory bar is for the largest stage.
    const RunConfig saved = rw::core::read_run_config(file);
    const auto models = rw::core::stage_model_configs(saved, rw::core::read_model_config(model_dir_ / "config.json"));
    QCOMPARE(page_->memory_bar()->estimate()->total(),
             rw::core::estimate_training_memory(models[1], rw::core::stage_training_shape(saved, saved.stages[1], false))
                 .total());

    // Explain RoPE shows the selected stage's setting against its length on the RoPE page.
    page_->stages()->select_stage(1);
    QTest::mouseClick(page_->explain_button(), Qt::LeftButton);
    QCOMPARE(window_->current_page(), MainWindow::Page::Rope);
    const QString rope = window_->rope_page()->summary();
    QVERIFY2(rope.contains("In training (1024 tokens)") && rope.contains("target of 2048 tokens"), qPrintable(rope));
    window_->show_page(MainWindow::Page::NewRun);
  }

  void formRunTrainsAsAWorker() {
    RunConfig c = rw::core::parse_run_config(rw::test::tiny_run_config(3).dump(), "tiny");
    c.name = "from-form";
    load(c);
    QVERIFY2(page_->valid(), qPrintable(page_->message()));
    QCOMPARE(page_->launch(), QString());
    QVERIFY(fs::exists(project_ / "configs" / "from-form.run.json"));
    const auto finished = [&] {
      for (const auto* run : window_->session()->feed().runs())
        if (run->record.name == "from-form" && run->record.state == rw::core::RunState::Finished) return true;
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(finished(), kTrainWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window_->session()->has_active_jobs(), kCheckWaitMs);

    // Copy to new run: the run's stored config comes back into the form under a new name.
    std::int64_t run_id = 0;
    for (const auto* run : window_->session()->feed().runs())
      if (run->record.name == "from-form") run_id = run->record.id;
    QVERIFY(window_->copy_run_to_launcher(run_id));
    QCOMPARE(window_->current_page(), MainWindow::Page::NewRun);
    QCOMPARE(page_->name_edit()->text(), QString("from-form-copy"));
    RunConfig copied = page_->form_config();
    copied.name = c.name;
    QCOMPARE(rw::core::run_config_to_json(copied), rw::core::run_config_to_json(c));
  }
};

QTEST_MAIN(TestLaunchPage)
#include "test_launch_page.moc"
