#include "rw/ui/window/launch_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <limits>
#include <unistd.h>

#include "rw/core/chat/chat_format.h"
#include "rw/core/config/memory_estimate.h"
#include "rw/core/config/model_summary.h"
#include "rw/core/store/corpus_store.h"
#include "rw/core/store/dataset_store.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/ui/models/store_reader.h"
#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/memory_bar.h"
#include "rw/ui/widgets/stages_editor.h"

namespace rw::ui {

using rw::core::InitConfig;
using rw::core::ModelConfig;
using rw::core::RunConfig;
using rw::core::TokenizerInit;

namespace {

constexpr int kMaxInt = std::numeric_limits<int>::max();
constexpr int kCheckDelayMs = 150;

QSpinBox* int_spin(int min, int max = kMaxInt) {
  auto* spin = new QSpinBox;
  spin->setRange(min, max);
  return spin;
}

QDoubleSpinBox* double_spin(double min, double max, int decimals) {
  auto* spin = new QDoubleSpinBox;
  spin->setRange(min, max);
  spin->setDecimals(decimals);
  return spin;
}

template <typename E, std::size_t N>
QComboBox* name_combo(const std::pair<std::string_view, E> (&names)[N]) {
  auto* combo = new QComboBox;
  for (const auto& [name, value] : names) combo->addItem(QString::fromUtf8(name.data(), name.size()), static_cast<int>(value));
  return combo;
}

template <typename E>
E combo_value(const QComboBox* combo) {
  return static_cast<E>(combo->currentData().toInt());
}

void set_combo(QComboBox* combo, int value) { combo->setCurrentIndex(std::max(0, combo->findData(value))); }

int clamp_int(std::int64_t v) { return static_cast<int>(std::clamp<std::int64_t>(v, 0, kMaxInt)); }

/// This machine's RAM, the limit for CPU training.
std::optional<std::int64_t> physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::nullopt;
  return static_cast<std::int64_t>(pages) * page;
}

/// The JSON path an error points at: the parser's own, else the first "stages[N]…" the message names.
QString error_path_of(const std::exception& e) {
  if (const auto* error = dynamic_cast<const rw::core::Error*>(&e); error && !error->context().json_path.empty())
    return QString::fromStdString(error->context().json_path);
  static const QRegularExpression stage(QStringLiteral(R"(stages\[\d+\](\.[A-Za-z_]+)*)"));
  const auto match = stage.match(QString::fromUtf8(e.what()));
  return match.hasMatch() ? match.captured(0) : QString();
}

RunConfig default_config() {
  RunConfig c;
  c.name = "extend";
  c.init.kind = InitConfig::Kind::Model;
  c.init.scratch = {.hidden_size = 256,
                    .intermediate_size = 768,
                    .num_hidden_layers = 4,
                    .num_attention_heads = 4,
                    .num_key_value_heads = 2,
                    .max_position_embeddings = 256};
  c.init.tokenizer.vocab_size = 2000;
  c.optimizer.lr = 3e-4;
  c.schedule.warmup_steps = 10;
  c.checkpoint.every_steps = 100;
  rw::core::StageConfig stage;
  stage.name = "stage1";
  stage.seq_len = 512;
  stage.steps = 200;
  c.stages.push_back(stage);
  return c;
}

}  // namespace

LaunchPage::LaunchPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent),
      session_(session),
      reader_(new StoreReader(session->project().store_path(), this)),
      check_timer_(new QTimer(this)) {
  check_timer_->setSingleShot(true);
  check_timer_->setInterval(kCheckDelayMs);
  connect(check_timer_, &QTimer::timeout, this, &LaunchPage::check_now);

  auto* form = new QWidget;
  auto* form_layout = new QVBoxLayout(form);
  form_layout->addWidget(build_model_box());
  form_layout->addWidget(build_training_box());
  form_layout->addWidget(build_optimizer_box());
  form_layout->addWidget(build_output_box());
  form_layout->addStretch();
  auto* scroll = new QScrollArea;
  scroll->setWidget(form);
  scroll->setWidgetResizable(true);
  scroll->setMinimumWidth(420);

  stages_ = new StagesEditor;
  preview_ = new QPlainTextEdit;
  preview_->setReadOnly(true);
  preview_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  auto* tabs = new QTabWidget;
  tabs->addTab(stages_, tr("Stages"));
  tabs->addTab(preview_, tr("Config file"));
  memory_label_ = new QLabel;
  memory_label_->setWordWrap(true);
  memory_ = new MemoryBar;
  message_ = new QLabel;
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* open = new QPushButton(tr("Open config…"));
  open->setToolTip(tr("Fill the form from a run config file"));
  explain_ = new QPushButton(tr("Explain RoPE…"));
  explain_->setToolTip(tr("Show the selected stage's RoPE against its sequence length on the RoPE page"));
  save_ = new QPushButton(tr("Save"));
  launch_ = new QPushButton(tr("Save and launch"));
  launch_->setDefault(true);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(open);
  buttons->addWidget(explain_);
  buttons->addStretch();
  buttons->addWidget(save_);
  buttons->addWidget(launch_);
  auto* right = new QVBoxLayout;
  right->addWidget(tabs, 1);
  right->addWidget(memory_label_);
  right->addWidget(memory_);
  right->addWidget(message_);
  right->addLayout(buttons);
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(scroll, 2);
  layout->addLayout(right, 3);

  connect(stages_, &StagesEditor::changed, this, &LaunchPage::schedule_check);
  connect(open, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Run config"), QString::fromStdString(session_->project().dir().string()),
                                                      tr("Run configs (*.json)"));
    if (path.isEmpty()) return;
    try {
      set_config(rw::core::read_run_config(path.toStdString()));
    } catch (const std::exception& e) {
      show_result(QString::fromUtf8(e.what()), true);
    }
  });
  connect(save_, &QPushButton::clicked, this, [this] {
    const QString problem = save();
    show_result(problem.isEmpty() ? tr("Saved %1.").arg(config_path()) : problem, !problem.isEmpty());
  });
  connect(launch_, &QPushButton::clicked, this, [this] {
    const QString problem = launch();
    if (!problem.isEmpty()) show_result(problem, true);
  });
  connect(explain_, &QPushButton::clicked, this, [this] {
    if (!checked_) return;
    QString why;
    const auto base = base_model(*checked_, why);
    const int stage = std::max(0, stages_->current_stage());
    if (!base || stage >= static_cast<int>(checked_->stages.size())) return;
    const auto models = rw::core::stage_model_configs(*checked_, *base);
    const QString label = from_model_->isChecked() ? QFileInfo(model_dir_->text()).fileName() : tr("the scratch model");
    Q_EMIT explain_rope(*base, label, models[stage], checked_->stages[stage].seq_len);
  });
  connect(session_, &ProjectSession::job_added, this, [this] {
    refresh_sources();  // an import may have added a corpus
    if (!launch_pending_) return;
    launch_pending_ = false;
    show_result(tr("Started %1: its progress is in the jobs panel.").arg(config_path()), false);
    Q_EMIT launched();
  });
  set_config(default_config());
  refresh_sources();
}

QWidget* LaunchPage::build_model_box() {
  auto* box = new QGroupBox(tr("Model"));
  auto* layout = new QVBoxLayout(box);
  from_model_ = new QRadioButton(tr("Continue from a model folder (Hugging Face layout)"));
  from_scratch_ = new QRadioButton(tr("Train from scratch"));
  layout->addWidget(from_model_);
  layout->addWidget(from_scratch_);

  auto* model_page = new QWidget;
  auto* model_layout = new QVBoxLayout(model_page);
  model_layout->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  model_dir_ = new QLineEdit;
  model_dir_->setPlaceholderText(tr("folder with config.json and model.safetensors"));
  auto* browse = new QPushButton(tr("Browse…"));
  row->addWidget(model_dir_);
  row->addWidget(browse);
  model_layout->addLayout(row);
  model_facts_ = new QLabel;
  model_facts_->setWordWrap(true);
  model_layout->addWidget(model_facts_);
  field(model_dir_, QStringLiteral("init.model"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"), QString::fromStdString(session_->project().dir().string()));
    if (!dir.isEmpty()) model_dir_->setText(dir);
  });
  connect(model_dir_, &QLineEdit::textChanged, this, &LaunchPage::read_model_dir);

  auto* scratch_page = new QWidget;
  auto* scratch = new QFormLayout(scratch_page);
  scratch->setContentsMargins(0, 0, 0, 0);
  family_ = name_combo(rw::core::kModelFamilyNames);
  hidden_ = int_spin(0);
  intermediate_ = int_spin(0);
  layers_ = int_spin(0);
  heads_ = int_spin(0);
  kv_heads_ = int_spin(0);
  max_positions_ = int_spin(0);
  vocab_ = int_spin(0);
  vocab_->setSpecialValueText(tr("the tokenizer's"));
  rope_theta_ = double_spin(0, 1e12, 0);
  tie_embeddings_ = new QCheckBox(tr("tie input and output embeddings"));
  tokenizer_vocab_ = int_spin(0);
  tokenizer_type_ = new QComboBox;
  tokenizer_type_->addItems({QStringLiteral("bpe"), QStringLiteral("unigram")});
  tokenizer_corpus_ = new QComboBox;
  tokenizer_corpus_->setEditable(true);
  const std::pair<QString, QWidget*> rows[] = {
      {tr("family"), family_},
      {tr("hidden size"), hidden_},
      {tr("intermediate size"), intermediate_},
      {tr("layers"), layers_},
      {tr("attention heads"), heads_},
      {tr("key/value heads"), kv_heads_},
      {tr("max positions"), max_positions_},
      {tr("vocabulary"), vocab_},
      {tr("rope theta"), rope_theta_},
      {QString(), tie_embeddings_},
      {tr("tokenizer vocabulary"), tokenizer_vocab_},
      {tr("tokenizer type"), tokenizer_type_},
      {tr("tokenizer trained on"), tokenizer_corpus_}};
  for (const auto& [label, widget] : rows) scratch->addRow(label, widget);
  const std::pair<QWidget*, const char*> paths[] = {
      {hidden_, "init.scratch.hidden_size"},
      {intermediate_, "init.scratch.intermediate_size"},
      {layers_, "init.scratch.num_hidden_layers"},
      {heads_, "init.scratch.num_attention_heads"},
      {kv_heads_, "init.scratch.num_key_value_heads"},
      {max_positions_, "init.scratch.max_position_embeddings"},
      {vocab_, "init.scratch.vocab_size"},
      {rope_theta_, "init.scratch.rope_theta"},
      {tokenizer_vocab_, "init.tokenizer.sentencepiece.vocab_size"},
      {tokenizer_corpus_, "init.tokenizer.sentencepiece.from_corpus"}};
  for (const auto& [widget, path] : paths) field(widget, QString::fromLatin1(path));
  field(family_, QStringLiteral("init.scratch.family"));
  field(tie_embeddings_, QStringLiteral("init.scratch.tie_word_embeddings"));
  field(tokenizer_type_, QStringLiteral("init.tokenizer.sentencepiece.model_type"));

  // Shown one at a time; a hidden page takes no room (a stacked widget would keep the taller one's height).
  model_page_ = model_page;
  scratch_page_ = scratch_page;
  layout->addWidget(model_page);
  layout->addWidget(scratch_page);
  connect(from_model_, &QRadioButton::toggled, this, [this](bool on) {
    show_init_page(on);
    schedule_check();
  });
  return box;
}

QWidget* LaunchPage::build_training_box() {
  auto* box = new QGroupBox(tr("Training"));
  auto* form = new QFormLayout(box);
  name_ = new QLineEdit;
  description_ = new QLineEdit;
  objective_ = name_combo(rw::core::kObjectives);
  chat_format_ = name_combo(rw::core::kChatFormatNames);
  loss_on_ = name_combo(rw::core::kLossOn);
  seed_ = int_spin(0);
  device_ = new QComboBox;
  device_->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
  device_->setEditable(true);
  device_->setToolTip(tr("auto: the first CUDA device when there is one, else the CPU; or cuda:N"));
  precision_ = name_combo(rw::core::kPrecisions);
  checkpointing_ = new QCheckBox(tr("checkpointing (recompute in backward)"));
  loss_rows_ = int_spin(0);
  loss_rows_->setToolTip(tr("Rows of logits the loss materialises at a time"));
  form->addRow(tr("name"), name_);
  form->addRow(tr("description"), description_);
  form->addRow(tr("objective"), objective_);
  form->addRow(tr("chat format (sft)"), chat_format_);
  form->addRow(tr("loss on (sft)"), loss_on_);
  form->addRow(tr("seed"), seed_);
  form->addRow(tr("device"), device_);
  form->addRow(tr("precision"), precision_);
  form->addRow(tr("activations"), checkpointing_);
  form->addRow(tr("loss chunk rows"), loss_rows_);
  const std::pair<QWidget*, const char*> paths[] = {
      {name_, "name"},           {description_, "description"},     {objective_, "objective"},
      {chat_format_, "chat_format"}, {loss_on_, "loss_on"},         {seed_, "seed"},
      {device_, "device"},       {precision_, "precision"},         {checkpointing_, "activation_checkpointing"},
      {loss_rows_, "chunked_loss_rows"}};
  for (const auto& [widget, path] : paths) field(widget, QString::fromLatin1(path));
  connect(objective_, &QComboBox::currentIndexChanged, this, [this] {
    const bool sft = combo_value<rw::core::Objective>(objective_) == rw::core::Objective::Sft;
    chat_format_->setEnabled(sft);
    loss_on_->setEnabled(sft);
  });
  return box;
}

QWidget* LaunchPage::build_optimizer_box() {
  auto* box = new QGroupBox(tr("Optimizer, schedule and batch"));
  auto* form = new QFormLayout(box);
  lr_ = new QLineEdit;
  lr_->setToolTip(tr("Peak learning rate, e.g. 3e-4"));
  weight_decay_ = double_spin(0, 10, 4);
  clip_ = double_spin(0, 1e6, 3);
  clip_->setSpecialValueText(tr("no clipping"));
  schedule_ = name_combo(rw::core::kScheduleKinds);
  warmup_ = int_spin(0);
  min_lr_ratio_ = double_spin(0, 1, 3);
  micro_batch_ = int_spin(0);
  grad_accumulation_ = int_spin(0);
  form->addRow(tr("learning rate"), lr_);
  form->addRow(tr("weight decay"), weight_decay_);
  form->addRow(tr("clip grad norm"), clip_);
  form->addRow(tr("schedule"), schedule_);
  form->addRow(tr("warmup steps"), warmup_);
  form->addRow(tr("min lr ratio"), min_lr_ratio_);
  form->addRow(tr("micro-batch"), micro_batch_);
  form->addRow(tr("grad accumulation"), grad_accumulation_);
  const std::pair<QWidget*, const char*> paths[] = {
      {lr_, "optimizer.lr"},          {weight_decay_, "optimizer.weight_decay"}, {clip_, "optimizer.clip_grad_norm"},
      {schedule_, "schedule.kind"},   {warmup_, "schedule.warmup_steps"},        {min_lr_ratio_, "schedule.min_lr_ratio"},
      {micro_batch_, "batch.micro_batch_size"}, {grad_accumulation_, "batch.grad_accumulation"}};
  for (const auto& [widget, path] : paths) field(widget, QString::fromLatin1(path));
  return box;
}

QWidget* LaunchPage::build_output_box() {
  auto* box = new QGroupBox(tr("Checkpoints and evals"));
  auto* form = new QFormLayout(box);
  checkpoint_every_ = int_spin(0);
  checkpoint_every_->setSpecialValueText(tr("end of each stage"));
  keep_last_ = int_spin(0);
  keep_last_->setSpecialValueText(tr("all"));
  eval_suite_ = new QLineEdit;
  eval_suite_->setPlaceholderText(tr("eval suite file (none: no periodic evals)"));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* suite_row = new QHBoxLayout;
  suite_row->addWidget(eval_suite_);
  suite_row->addWidget(browse);
  eval_every_ = int_spin(0);
  eval_every_->setSpecialValueText(tr("at every checkpoint"));
  form->addRow(tr("checkpoint every"), checkpoint_every_);
  form->addRow(tr("keep last"), keep_last_);
  form->addRow(tr("eval suite"), suite_row);
  form->addRow(tr("eval every"), eval_every_);
  field(checkpoint_every_, QStringLiteral("checkpoint.every_steps"));
  field(keep_last_, QStringLiteral("checkpoint.keep_last"));
  field(eval_suite_, QStringLiteral("eval.suite"));
  field(eval_every_, QStringLiteral("eval.every_steps"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Eval suite"), QString::fromStdString(session_->project().dir().string()),
                                                      tr("Eval suites (*.json)"));
    if (!path.isEmpty()) eval_suite_->setText(path);
  });
  return box;
}

/// Registers a widget as the home of a JSON path and re-checks the form when it changes.
void LaunchPage::field(QWidget* widget, const QString& path) {
  fields_[path] = widget;
  if (auto* edit = qobject_cast<QLineEdit*>(widget)) connect(edit, &QLineEdit::textChanged, this, &LaunchPage::schedule_check);
  else if (auto* spin = qobject_cast<QSpinBox*>(widget)) connect(spin, &QSpinBox::valueChanged, this, &LaunchPage::schedule_check);
  else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(widget)) connect(dspin, &QDoubleSpinBox::valueChanged, this, &LaunchPage::schedule_check);
  else if (auto* combo = qobject_cast<QComboBox*>(widget)) connect(combo, &QComboBox::currentTextChanged, this, &LaunchPage::schedule_check);
  else if (auto* check = qobject_cast<QCheckBox*>(widget)) connect(check, &QCheckBox::toggled, this, &LaunchPage::schedule_check);
}

void LaunchPage::show_init_page(bool from_model) {
  model_page_->setVisible(from_model);
  scratch_page_->setVisible(!from_model);
}

void LaunchPage::schedule_check() {
  valid_ = false;
  save_->setEnabled(false);
  launch_->setEnabled(false);
  check_timer_->start();
}

void LaunchPage::set_config(const RunConfig& c) {
  loaded_ = c;
  from_model_->setChecked(c.init.kind == InitConfig::Kind::Model);
  from_scratch_->setChecked(c.init.kind == InitConfig::Kind::Scratch);
  show_init_page(c.init.kind == InitConfig::Kind::Model);
  model_dir_->setText(QString::fromStdString(c.init.model));
  const auto& s = c.init.scratch;
  set_combo(family_, static_cast<int>(s.family));
  hidden_->setValue(clamp_int(s.hidden_size));
  intermediate_->setValue(clamp_int(s.intermediate_size));
  layers_->setValue(clamp_int(s.num_hidden_layers));
  heads_->setValue(clamp_int(s.num_attention_heads));
  kv_heads_->setValue(clamp_int(s.num_key_value_heads));
  max_positions_->setValue(clamp_int(s.max_position_embeddings));
  vocab_->setValue(clamp_int(s.vocab_size.value_or(0)));
  rope_theta_->setValue(s.rope_theta);
  tie_embeddings_->setChecked(s.tie_word_embeddings);
  const bool sentencepiece = c.init.tokenizer.kind == TokenizerInit::Kind::SentencePiece;
  for (QWidget* w : std::initializer_list<QWidget*>{tokenizer_vocab_, tokenizer_type_, tokenizer_corpus_})
    w->setEnabled(sentencepiece);  // a tokenizer taken from a model folder stays as the file says
  tokenizer_vocab_->setValue(clamp_int(c.init.tokenizer.vocab_size));
  tokenizer_type_->setCurrentText(QString::fromStdString(c.init.tokenizer.model_type));
  tokenizer_corpus_->setCurrentText(QString::fromStdString(c.init.tokenizer.from_corpus));
  name_->setText(QString::fromStdString(c.name));
  description_->setText(QString::fromStdString(c.description));
  set_combo(objective_, static_cast<int>(c.objective));
  set_combo(chat_format_, static_cast<int>(c.chat_format.value_or(rw::core::ChatFormat::Plain)));
  set_combo(loss_on_, static_cast<int>(c.loss_on));
  seed_->setValue(clamp_int(c.seed));
  device_->setCurrentText(QString::fromStdString(c.device));
  set_combo(precision_, static_cast<int>(c.precision));
  checkpointing_->setChecked(c.activation_checkpointing);
  loss_rows_->setValue(clamp_int(c.chunked_loss_rows));
  lr_->setText(QString::number(c.optimizer.lr, 'g', 6));
  weight_decay_->setValue(c.optimizer.weight_decay);
  clip_->setValue(c.optimizer.clip_grad_norm);
  set_combo(schedule_, static_cast<int>(c.schedule.kind));
  warmup_->setValue(clamp_int(c.schedule.warmup_steps));
  min_lr_ratio_->setValue(c.schedule.min_lr_ratio);
  micro_batch_->setValue(clamp_int(c.batch.micro_batch_size));
  grad_accumulation_->setValue(clamp_int(c.batch.grad_accumulation));
  checkpoint_every_->setValue(clamp_int(c.checkpoint.every_steps));
  keep_last_->setValue(clamp_int(c.checkpoint.keep_last));
  eval_suite_->setText(QString::fromStdString(c.eval.suite));
  eval_every_->setValue(clamp_int(c.eval.every_steps));
  stages_->set_stages(c.stages);
  const bool sft = c.objective == rw::core::Objective::Sft;
  chat_format_->setEnabled(sft);
  loss_on_->setEnabled(sft);
  read_model_dir();
  schedule_check();
}

bool LaunchPage::copy_run(const std::string& config_json, const std::string& name, std::int64_t run_id) {
  try {
    RunConfig config = rw::core::parse_run_config(config_json, "the config of run #" + std::to_string(run_id));
    config.name = name + "-copy";
    set_config(config);
    return true;
  } catch (const std::exception& e) {
    show_result(QString::fromUtf8(e.what()), true);
    return false;
  }
}

RunConfig LaunchPage::form_config() const {
  RunConfig c = loaded_;
  c.init.kind = from_model_->isChecked() ? InitConfig::Kind::Model : InitConfig::Kind::Scratch;
  c.init.model = model_dir_->text().trimmed().toStdString();
  auto& s = c.init.scratch;
  s.family = combo_value<rw::core::ModelFamily>(family_);
  s.hidden_size = hidden_->value();
  s.intermediate_size = intermediate_->value();
  s.num_hidden_layers = layers_->value();
  s.num_attention_heads = heads_->value();
  s.num_key_value_heads = kv_heads_->value();
  s.max_position_embeddings = max_positions_->value();
  s.vocab_size = vocab_->value() > 0 ? std::optional<std::int64_t>(vocab_->value()) : std::nullopt;
  s.rope_theta = rope_theta_->value();
  s.tie_word_embeddings = tie_embeddings_->isChecked();
  if (c.init.tokenizer.kind == TokenizerInit::Kind::SentencePiece) {
    c.init.tokenizer.vocab_size = tokenizer_vocab_->value();
    c.init.tokenizer.model_type = tokenizer_type_->currentText().toStdString();
    c.init.tokenizer.from_corpus = tokenizer_corpus_->currentText().trimmed().toStdString();
  }
  c.name = name_->text().trimmed().toStdString();
  c.description = description_->text().toStdString();
  c.objective = combo_value<rw::core::Objective>(objective_);
  c.loss_on = combo_value<rw::core::LossOn>(loss_on_);
  c.chat_format = c.objective == rw::core::Objective::Sft
                      ? std::optional<rw::core::ChatFormat>(combo_value<rw::core::ChatFormat>(chat_format_))
                      : std::nullopt;
  c.seed = seed_->value();
  c.device = device_->currentText().trimmed().toStdString();
  c.precision = combo_value<rw::core::Precision>(precision_);
  c.activation_checkpointing = checkpointing_->isChecked();
  c.chunked_loss_rows = loss_rows_->value();
  bool ok = false;
  const double lr = lr_->text().trimmed().toDouble(&ok);
  c.optimizer.lr = ok ? lr : std::numeric_limits<double>::quiet_NaN();  // the parser names the key
  c.optimizer.weight_decay = weight_decay_->value();
  c.optimizer.clip_grad_norm = clip_->value();
  c.schedule.kind = combo_value<rw::core::LrSchedule::Kind>(schedule_);
  c.schedule.warmup_steps = warmup_->value();
  c.schedule.min_lr_ratio = min_lr_ratio_->value();
  c.batch.micro_batch_size = micro_batch_->value();
  c.batch.grad_accumulation = grad_accumulation_->value();
  c.checkpoint.every_steps = checkpoint_every_->value();
  c.checkpoint.keep_last = keep_last_->value();
  c.eval.suite = eval_suite_->text().trimmed().toStdString();
  c.eval.every_steps = eval_every_->value();
  c.stages = stages_->stages();
  return c;
}

QString LaunchPage::config_path() const {
  // The run's name may hold anything; its file name keeps letters, digits, '.', '-' and '_' (as run folders do).
  QString file = name_->text().trimmed();
  for (QChar& c : file)
    if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char('_')))
      c = QLatin1Char('_');
  if (file.isEmpty() || file.startsWith(QLatin1Char('.'))) file.prepend(QStringLiteral("run"));
  return QDir(QString::fromStdString(session_->project().dir().string()))
      .filePath(QStringLiteral("configs/%1.run.json").arg(file));
}

void LaunchPage::read_model_dir() {
  const QString dir = model_dir_->text().trimmed();
  if (dir == model_read_for_ && !dir.isEmpty()) return;
  model_config_.reset();
  model_error_.clear();
  model_read_for_ = dir;
  if (dir.isEmpty()) {
    model_facts_->setText(tr("Choose the model the run continues from."));
    return;
  }
  model_facts_->setText(tr("Reading %1…").arg(dir));
  // Relative folders are the project's, as the trainer resolves them.
  const auto path = session_->project().resolve(dir.toStdString()) / "config.json";
  reader_->read<ModelConfig>(
      this, [path](rw::core::Database&) { return rw::core::read_model_config(path); },
      [this, dir](ModelConfig config) {
        if (dir != model_read_for_) return;
        model_config_ = config;
        const auto s = rw::core::summarize(config);
        model_facts_->setStyleSheet({});
        model_facts_->setText(tr("%1 parameters (%2), %3 layers, hidden %4, vocabulary %5, context %6, rope %7")
                                  .arg(QLocale::system().toString(static_cast<qlonglong>(s.parameters)))
                                  .arg(format_bytes(s.weight_bytes))
                                  .arg(config.num_hidden_layers)
                                  .arg(config.hidden_size)
                                  .arg(config.vocab_size)
                                  .arg(s.context_length)
                                  .arg(QString::fromStdString(s.rope)));
        check_now();
      },
      [this, dir](const QString& error) {
        if (dir != model_read_for_) return;
        model_error_ = error;
        model_facts_->setStyleSheet(QStringLiteral("color: #d62728"));
        model_facts_->setText(error);
        check_now();
      });
}

void LaunchPage::refresh_sources() {
  reader_->read<std::pair<QStringList, QStringList>>(
      this,
      [](rw::core::Database& db) {
        std::pair<QStringList, QStringList> names;
        for (const auto& c : rw::core::CorpusStore(db).list_corpora()) names.first << QString::fromStdString(c.name);
        for (const auto& d : rw::core::DatasetStore(db).list_datasets()) names.second << QString::fromStdString(d.name);
        return names;
      },
      [this](std::pair<QStringList, QStringList> names) {
        stages_->set_known_sources(names.first, names.second);
        const QString kept = tokenizer_corpus_->currentText();
        const QSignalBlocker block(tokenizer_corpus_);
        tokenizer_corpus_->clear();
        tokenizer_corpus_->addItems(names.first);
        tokenizer_corpus_->setCurrentText(kept.isEmpty() && !names.first.isEmpty() ? names.first.front() : kept);
        // A fresh form's first stage trains on the first corpus.
        auto stages = stages_->stages();
        if (stages.size() == 1 && stages[0].data.empty() && !names.first.isEmpty() && loaded_.stages.size() == 1 &&
            loaded_.stages[0].data.empty()) {
          stages[0].data.push_back({.name = names.first.front().toStdString()});
          stages_->set_stages(stages);
          schedule_check();
        }
      });
}

std::optional<ModelConfig> LaunchPage::base_model(const RunConfig& config, QString& why_not) const {
  if (config.init.kind == InitConfig::Kind::Scratch) {
    const TokenizerInit& t = config.init.tokenizer;
    return rw::core::scratch_model_config(config.init.scratch,
                                          t.kind == TokenizerInit::Kind::SentencePiece ? t.vocab_size : 0);
  }
  if (model_read_for_ != model_dir_->text().trimmed() || (!model_config_ && model_error_.isEmpty())) {
    why_not = tr("Reading the model's config.json…");
  } else if (!model_error_.isEmpty()) {
    why_not = model_error_;
  }
  return model_config_;
}

void LaunchPage::check_now() {
  check_timer_->stop();
  ++generation_;
  store_check_pending_ = false;
  valid_ = false;
  checked_.reset();
  const RunConfig config = form_config();
  const QString source = QDir(QString::fromStdString(session_->project().dir().string())).relativeFilePath(config_path());
  std::string text;
  try {
    text = rw::core::run_config_to_json(config);
    checked_ = rw::core::parse_run_config(text, source.toStdString());
  } catch (const std::exception& e) {
    preview_->setPlainText(QString::fromStdString(text));
    memory_->set_estimate(std::nullopt, std::nullopt, tr("The estimate follows once the config is valid."));
    memory_label_->setText(tr("Estimated memory"));
    show_result(QString::fromUtf8(e.what()), true, error_path_of(e));
    return;
  }
  preview_->setPlainText(QString::fromStdString(rw::core::run_config_to_json(*checked_)));
  QString why_not;
  const std::optional<ModelConfig> base = base_model(*checked_, why_not);
  if (!base) {
    memory_->set_estimate(std::nullopt, std::nullopt, tr("The estimate follows once the model is read."));
    show_result(why_not, !model_error_.isEmpty(), model_error_.isEmpty() ? QString() : QStringLiteral("init.model"));
    return;
  }
  try {
    rw::core::validate_against_model(*checked_, *base);
  } catch (const std::exception& e) {
    show_result(QString::fromUtf8(e.what()), true, error_path_of(e));
    return;
  }
  show_memory(*checked_, *base);
  // The corpora and datasets the stages name are checked against the store off the UI thread.
  store_check_pending_ = true;
  show_result(tr("Checking the corpora and datasets the config names…"), false);
  const std::uint64_t generation = generation_;
  reader_->read<std::string>(
      this,
      [config = *checked_](rw::core::Database& db) -> std::string {
        try {
          rw::core::validate_against_store(config, db);
          return {};
        } catch (const rw::core::Error& e) {
          return e.what();
        }
      },
      [this, generation](std::string problem) {
        if (generation != generation_) return;  // the form changed meanwhile
        store_check_pending_ = false;
        if (!problem.empty()) {
          const rw::core::Error error(problem);
          show_result(QString::fromStdString(problem), true, error_path_of(error));
          return;
        }
        valid_ = true;
        std::int64_t steps = 0;
        for (const auto& stage : checked_->stages) steps += rw::core::stage_steps(*checked_, stage);
        const auto stages = checked_->stages.size();
        show_result(tr("Ready: %1 %2, %3 optimizer steps in all. Save writes %4.")
                        .arg(stages)
                        .arg(stages == 1 ? tr("stage") : tr("stages"))
                        .arg(steps)
                        .arg(config_path()),
                    false);
      },
      [this, generation](const QString& error) {
        if (generation != generation_) return;
        store_check_pending_ = false;
        show_result(error, true);
      });
}

void LaunchPage::show_memory(const RunConfig& config, const ModelConfig& base) {
  const bool cuda = QString::fromStdString(config.device).startsWith(QLatin1String("cuda"));
  const auto models = rw::core::stage_model_configs(config, base);
  size_t largest = 0;
  std::vector<rw::core::TrainingMemory> per_stage;
  for (size_t i = 0; i < config.stages.size(); ++i) {
    per_stage.push_back(rw::core::estimate_training_memory(
        models[i], rw::core::stage_training_shape(config, config.stages[i], cuda)));
    if (per_stage[i].total() > per_stage[largest].total()) largest = i;
  }
  const auto& stage = config.stages[largest];
  const auto batch = rw::core::stage_batch(config, stage);
  const bool cpu = config.device == "cpu";
  memory_label_->setText(
      tr("Estimated memory of stage \"%1\" (the largest): %2 tokens × micro-batch %3, %4, %5%6")
          .arg(QString::fromStdString(stage.name))
          .arg(stage.seq_len)
          .arg(batch.micro_batch_size)
          .arg(QString::fromUtf8(rw::core::to_string(config.precision).data()))
          .arg(cuda ? tr("on CUDA") : cpu ? tr("on the CPU") : tr("as on the CPU (auto)"))
          .arg(config.activation_checkpointing ? tr(", activation checkpointing") : QString()));
  memory_->set_estimate(per_stage[largest], cpu ? physical_memory() : std::nullopt);
}

void LaunchPage::show_result(const QString& text, bool error, const QString& path) {
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #d62728") : QString());
  // Unmark the last field, then mark the one this error names (its stage row for a stage's key).
  if (QWidget* old = fields_.count(error_path_) ? fields_[error_path_] : nullptr) old->setStyleSheet({});
  error_path_ = error ? path : QString();
  if (error && !path.isEmpty()) {
    QString key = path;
    while (!key.isEmpty() && !fields_.count(key)) key = key.left(std::max<qsizetype>(0, key.lastIndexOf(QLatin1Char('.'))));
    if (!key.isEmpty()) fields_[key]->setStyleSheet(QStringLiteral("border: 1px solid #d62728"));
    static const QRegularExpression stage(QStringLiteral(R"(^stages\[(\d+)\])"));
    if (const auto m = stage.match(path); m.hasMatch()) stages_->select_stage(m.captured(1).toInt());
  }
  save_->setEnabled(valid_);
  launch_->setEnabled(valid_);
  explain_->setEnabled(checked_.has_value());
}

QString LaunchPage::message() const { return message_->text(); }
QString LaunchPage::preview_text() const { return preview_->toPlainText(); }
QString LaunchPage::model_facts() const { return model_facts_->text(); }

QString LaunchPage::save() {
  if (check_timer_->isActive()) check_now();
  if (!valid_ || !checked_) return store_check_pending_ ? tr("Still checking the config; try again in a moment.") : message();
  const QString path = config_path();
  const std::string text = rw::core::run_config_to_json(*checked_);
  try {
    const std::filesystem::path file = path.toStdString();
    if (std::filesystem::exists(file) && rw::core::read_text_file(file) != text && isVisible() &&
        QMessageBox::question(this, tr("Replace run config"),
                              tr("%1 exists with other settings. Replace it?").arg(path)) != QMessageBox::Yes) {
      return tr("Not saved: %1 exists with other settings.").arg(path);
    }
    std::filesystem::create_directories(file.parent_path());
    rw::core::write_file_atomic(file, text);
  } catch (const std::exception& e) {
    return tr("Cannot save %1: %2").arg(path, QString::fromUtf8(e.what()));
  }
  return {};
}

QString LaunchPage::launch() {
  const QString problem = save();
  if (!problem.isEmpty()) return problem;
  show_result(tr("Starting %1…").arg(config_path()), false);
  launch_pending_ = true;
  QPointer<LaunchPage> self(this);
  session_->launch_train(config_path(), [self](const QString& e) {
    if (!self) return;
    self->launch_pending_ = false;
    self->show_result(e, true);
  });
  return {};
}

}  // namespace rw::ui
