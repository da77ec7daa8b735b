#include "rw/ui/window/synth_page.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTemporaryFile>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

#include "rw/core/heatmap/heatmap_data.h"
#include "rw/core/synth/synth_config.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/file_names.h"
#include "rw/core/util/files.h"
#include "rw/ui/models/sample_document.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/process/worker_process.h"
#include "rw/ui/widgets/json_form.h"
#include "rw/ui/widgets/sample_inspector.h"
#include "rw/ui/window/prompts_dialog.h"

namespace rw::ui {

namespace {

constexpr const char* kGenerators[] = {"tasks", "cip", "synl", "bootstrap"};
const char* const kGeneratorTitles[] = {"Training tasks (needle chats, passkeys, RULER)",
                                        "CIP: chunk-interleaved pretraining text", "SynL: synthetic lengthy tables",
                                        "Bootstrap workflow (generator model + retriever)"};
// Kept from the form when the generator changes: they describe the dataset, not the generator.
constexpr const char* kShared[] = {"name", "description", "seed", "samples", "lengths", "tokenizer", "chat_format"};

rw::core::SynthGenerator generator_of(const QString& name) {
  for (size_t i = 0; i < std::size(kGenerators); ++i)
    if (name == QLatin1String(kGenerators[i])) return static_cast<rw::core::SynthGenerator>(i);
  return rw::core::SynthGenerator::Tasks;
}

QString error_style() { return QStringLiteral("color: #d62728"); }

}  // namespace

SynthPage::SynthPage(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
  static_assert(static_cast<int>(rw::core::SynthGenerator::Bootstrap) == 3, "kGenerators follows SynthGenerator");
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  generator_ = new QComboBox;
  for (size_t i = 0; i < std::size(kGenerators); ++i)
    generator_->addItem(tr(kGeneratorTitles[i]), QString::fromLatin1(kGenerators[i]));
  auto* open_button = new QPushButton(tr("Open…"));
  open_button->setToolTip(tr("Load a synth config file into the form"));
  top->addWidget(new QLabel(tr("Generator")));
  top->addWidget(generator_);
  top->addWidget(open_button);
  prompts_button_ = new QPushButton(tr("Prompt templates…"));
  prompts_button_->setToolTip(tr("The Bootstrap workflow's prompts, as this project overrides them"));
  top->addWidget(prompts_button_);
  top->addStretch();
  layout->addLayout(top);

  auto* split = new QSplitter;
  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  form_ = new JsonForm;
  scroll->setWidget(form_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* actions = new QHBoxLayout;
  preview_index_ = new QSpinBox;
  preview_index_->setRange(0, 1'000'000);
  preview_index_->setPrefix(tr("sample "));
  preview_index_->setToolTip(tr("Which sample to preview: each depends only on its index"));
  preview_button_ = new QPushButton(tr("Preview"));
  preview_button_->setToolTip(tr("Make this one sample with the current settings and open it; nothing is stored"));
  run_button_ = new QPushButton(tr("Run"));
  run_button_->setToolTip(tr("Save the settings as synth/NAME.json in the project and make every sample as a job"));
  actions->addWidget(preview_index_);
  actions->addWidget(preview_button_);
  actions->addStretch();
  actions->addWidget(run_button_);
  left_layout->addWidget(scroll, 1);
  left_layout->addWidget(status_);
  left_layout->addLayout(actions);
  auto* right = new QWidget;
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  preview_status_ = new QLabel(tr("Preview a sample to see it here before making the dataset."));
  preview_status_->setWordWrap(true);
  preview_status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  inspector_ = new SampleInspector(session->project());
  right_layout->addWidget(preview_status_);
  right_layout->addWidget(inspector_, 1);
  split->addWidget(left);
  split->addWidget(right);
  split->setSizes({380, 900});
  layout->addWidget(split, 1);

  connect(generator_, &QComboBox::currentIndexChanged, this,
          [this] { set_generator(generator_->currentData().toString()); });
  connect(form_, &JsonForm::edited, this, &SynthPage::validate);
  // While a preview runs, its button stops it (a generator model on a CPU can take minutes).
  connect(preview_button_, &QPushButton::clicked, this, [this] {
    if (preview_process_)
      stop_preview();
    else
      preview();
  });
  connect(run_button_, &QPushButton::clicked, this, &SynthPage::run);
  connect(prompts_button_, &QPushButton::clicked, this, [this] {
    PromptsDialog dialog(session_->project().dir(), this);
    dialog.exec();
  });
  connect(open_button, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Synth config"),
                                                      QString::fromStdString(session_->project().dir().string()),
                                                      tr("Synth configs (*.json)"));
    QString error;
    if (!path.isEmpty() && !load(path, &error)) {
      status_->setText(error);
      status_->setStyleSheet(error_style());
    }
  });
  set_generator(QString::fromLatin1(kGenerators[0]));
}

SynthPage::~SynthPage() {
  if (preview_process_) preview_process_->kill();
}

void SynthPage::set_generator(const QString& generator) {
  rw::core::SynthConfig defaults;
  defaults.generator = generator_of(generator);
  defaults.name = generator.toStdString() + "-samples";
  defaults.samples = 100;
  defaults.lengths = {1024};
  defaults.tokenizer = session_->project().settings().tokenizer;
  nlohmann::ordered_json fresh = nlohmann::ordered_json::parse(rw::core::synth_config_to_json(defaults));
  const auto current = nlohmann::ordered_json::parse(config_json().toStdString(), nullptr, false);
  if (current.is_object())
    for (const char* key : kShared)
      if (current.contains(key)) fresh[key] = current[key];
  form_->set_json(fresh.dump(), {"format", "generator"});
  {
    const QSignalBlocker block(generator_);
    generator_->setCurrentIndex(generator_->findData(generator));
  }
  prompts_button_->setVisible(defaults.generator == rw::core::SynthGenerator::Bootstrap);
  validate();
}

bool SynthPage::load(const QString& path, QString* error) {
  try {
    const rw::core::SynthConfig config = rw::core::read_synth_config(path.toStdString());
    form_->set_json(rw::core::synth_config_to_json(config), {"format", "generator"});
    const QSignalBlocker block(generator_);
    generator_->setCurrentIndex(generator_->findData(QString::fromLatin1(rw::core::synth_generator_name(config.generator).data())));
    prompts_button_->setVisible(config.generator == rw::core::SynthGenerator::Bootstrap);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  validate();
  return true;
}

QString SynthPage::config_json() const { return QString::fromStdString(form_->json()); }

bool SynthPage::validate() { return checked_config().has_value(); }

std::optional<rw::core::SynthConfig> SynthPage::checked_config() {
  try {
    rw::core::SynthConfig c = rw::core::parse_synth_config(config_json().toStdString(), "synth settings");
    QStringList lengths;
    for (const auto n : c.lengths) lengths << QString::fromStdString(rw::core::format_context_length(n));
    status_->setText(tr("Ready: %1 %2 samples of %3 tokens into dataset '%4'.")
                         .arg(c.samples)
                         .arg(QString::fromLatin1(c.dataset_kind().data()))
                         .arg(lengths.join(QStringLiteral(", ")))
                         .arg(QString::fromStdString(c.name)));
    status_->setStyleSheet(QStringLiteral("color: #2ca02c"));
    preview_button_->setEnabled(true);
    run_button_->setEnabled(true);
    return c;
  } catch (const std::exception& e) {
    status_->setText(QString::fromUtf8(e.what()));
    status_->setStyleSheet(error_style());
    preview_button_->setEnabled(preview_process_ != nullptr);  // a running preview can still be stopped
    run_button_->setEnabled(false);
    return std::nullopt;
  }
}

void SynthPage::preview() {
  if (preview_process_) return;
  const auto checked = checked_config();
  if (!checked) return;
  const rw::core::SynthConfig& config = *checked;
  preview_file_ = std::make_unique<QTemporaryFile>(QDir::temp().filePath(QStringLiteral("ropewalk-synth-XXXXXX.json")));
  if (!preview_file_->open() || preview_file_->write(config_json().toUtf8()) < 0 || !preview_file_->flush()) {
    preview_status_->setText(tr("Preview failed: cannot write %1: %2").arg(preview_file_->fileName(), preview_file_->errorString()));
    Q_EMIT previewed();
    return;
  }
  preview_status_->setText(config.generator == rw::core::SynthGenerator::Bootstrap
                               ? tr("Previewing sample %1: the generator model writes every step, which can take minutes on a CPU…").arg(preview_index_->value())
                               : tr("Previewing sample %1…").arg(preview_index_->value()));
  preview_status_->setStyleSheet({});
  preview_button_->setText(tr("Stop preview"));
  preview_stopped_ = false;
  const QStringList arguments{QStringLiteral("synth"), QStringLiteral("preview"),
                              QString::fromStdString(session_->project().dir().string()), preview_file_->fileName(),
                              QStringLiteral("--index"), QString::number(preview_index_->value()),
                              QStringLiteral("--json")};
  preview_process_ = run_cli_command(this, arguments, [this, config](int code, const QByteArray& out, const QString& error) {
    preview_process_ = nullptr;
    QString failure;
    if (code != 0) {
      failure = error.isEmpty() ? tr("the worker ended with code %1").arg(code) : error;
    } else {
      try {
        PreviewSample p = parse_preview_sample(out.toStdString());
        const std::string generator(rw::core::synth_generator_name(config.generator));
        rw::core::DatasetRecord preview{.name = config.name + " (preview)", .kind = std::string(config.dataset_kind()),
                                        .source = "synth:" + generator};
        preview_status_->setText(tr("Preview of sample %1: %2 tokens for a target of %3. Nothing is stored; Run makes the dataset.")
                                     .arg(p.record.idx)
                                     .arg(p.n_tokens)
                                     .arg(p.target_tokens));
        inspector_->show_record(std::move(p.record), std::move(preview), rw::core::synth_tokenizer_id(config), p.n_tokens);
      } catch (const std::exception& e) {
        failure = QString::fromUtf8(e.what());
      }
    }
    if (preview_stopped_) {
      preview_status_->setText(tr("Preview stopped."));
      preview_status_->setStyleSheet({});
    } else if (!failure.isEmpty()) {
      preview_status_->setText(tr("Preview failed: %1").arg(failure));
      preview_status_->setStyleSheet(error_style());
    }
    preview_button_->setText(tr("Preview"));
    validate();
    Q_EMIT previewed();
  });
}

void SynthPage::stop_preview() {
  if (!preview_process_) return;
  preview_stopped_ = true;
  preview_process_->kill();  // finished follows, and says "stopped"
}

void SynthPage::run() {
  const auto checked = checked_config();
  if (!checked) return;
  const rw::core::SynthConfig& config = *checked;
  // The name as file-name characters, and never a hidden or parent entry.
  std::string file = rw::core::file_name_chars(config.name);
  if (file.empty() || file.front() == '.') file = "synth" + file;
  const std::filesystem::path path = session_->project().dir() / "synth" / (file + ".json");
  try {
    std::filesystem::create_directories(path.parent_path());
    rw::core::write_file_atomic(path, nlohmann::ordered_json::parse(config_json().toStdString()).dump(2) + "\n");
  } catch (const std::exception& e) {
    status_->setText(tr("Cannot save the settings: %1").arg(QString::fromUtf8(e.what())));
    status_->setStyleSheet(error_style());
    Q_EMIT launch_failed(status_->text());
    return;
  }
  status_->setText(tr("Saved as %1; the job is starting.").arg(QString::fromStdString(path.string())));
  status_->setStyleSheet({});
  session_->launch_synth(QString::fromStdString(path.string()), [this](const QString& e) {
    status_->setText(tr("Run failed to start: %1").arg(e));
    status_->setStyleSheet(error_style());
    Q_EMIT launch_failed(e);
  });
  Q_EMIT launched();
}

}  // namespace rw::ui
