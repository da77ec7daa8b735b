#include "rw/ui/widgets/stages_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <limits>

namespace rw::ui {

using rw::core::DataSource;
using rw::core::RopeType;
using rw::core::StageConfig;

namespace {

constexpr int kMaxInt = std::numeric_limits<int>::max();

QSpinBox* int_spin(std::int64_t value, int min, const QString& special = {}) {
  auto* spin = new QSpinBox;
  spin->setRange(min, kMaxInt);
  spin->setSpecialValueText(special);
  spin->setValue(static_cast<int>(std::min<std::int64_t>(value, kMaxInt)));
  spin->setFrame(false);
  return spin;
}

QDoubleSpinBox* double_spin(double value, double max, int decimals, const QString& special = {}) {
  auto* spin = new QDoubleSpinBox;
  spin->setRange(0, max);
  spin->setDecimals(decimals);
  spin->setSpecialValueText(special);
  spin->setValue(value);
  spin->setFrame(false);
  return spin;
}

QTableWidget* make_table(const QStringList& headers) {
  auto* table = new QTableWidget(0, static_cast<int>(headers.size()));
  table->setHorizontalHeaderLabels(headers);
  table->verticalHeader()->hide();
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  return table;
}

}  // namespace

StagesEditor::StagesEditor(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  stage_table_ = make_table({tr("Stage"), tr("Seq len"), tr("Steps"), tr("LR"), tr("RoPE theta"), tr("Scaling"),
                             tr("Factor"), tr("Doc masking")});
  stage_table_->setToolTip(tr("Stages train in order; each carries the RoPE settings of the one before unless it "
                              "changes them. LR empty: the run's. RoPE theta \"carried\": unchanged."));
  auto* stage_buttons = new QHBoxLayout;
  auto* add_stage_button = new QPushButton(tr("Add stage"));
  remove_stage_ = new QPushButton(tr("Remove stage"));
  stage_buttons->addWidget(add_stage_button);
  stage_buttons->addWidget(remove_stage_);
  stage_buttons->addStretch();
  data_table_ = make_table({tr("Source"), tr("Name"), tr("Weight"), tr("Min tokens")});
  data_table_->setToolTip(tr("The selected stage's data mix: sources are sampled in proportion to their weights."));
  auto* data_buttons = new QHBoxLayout;
  auto* add_source_button = new QPushButton(tr("Add source"));
  remove_source_ = new QPushButton(tr("Remove source"));
  data_buttons->addWidget(new QLabel(tr("Data mix of the selected stage")));
  data_buttons->addStretch();
  data_buttons->addWidget(add_source_button);
  data_buttons->addWidget(remove_source_);
  layout->addWidget(stage_table_, 3);
  layout->addLayout(stage_buttons);
  layout->addLayout(data_buttons);
  layout->addWidget(data_table_, 2);

  connect(add_stage_button, &QPushButton::clicked, this, &StagesEditor::add_stage);
  connect(remove_stage_, &QPushButton::clicked, this, [this] { remove_stage(current_); });
  connect(add_source_button, &QPushButton::clicked, this, &StagesEditor::add_source);
  connect(remove_source_, &QPushButton::clicked, this, [this] {
    const int row = data_table_->currentRow();
    if (current_ < 0 || row < 0 || row >= static_cast<int>(stages_[current_].data.size())) return;
    stages_[current_].data.erase(stages_[current_].data.begin() + row);
    rebuild_data();
    edited();
  });
  connect(stage_table_, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (row >= 0 && row != current_) select_stage(row);
  });
}

void StagesEditor::set_stages(std::vector<StageConfig> stages) {
  stages_ = std::move(stages);
  current_ = stages_.empty() ? -1 : 0;
  rebuild_stages();
}

void StagesEditor::set_known_sources(const QStringList& corpora, const QStringList& datasets) {
  if (corpora == corpora_ && datasets == datasets_) return;
  corpora_ = corpora;
  datasets_ = datasets;
  rebuild_data();
}

void StagesEditor::select_stage(int index) {
  if (index < 0 || index >= static_cast<int>(stages_.size())) return;
  current_ = index;
  const QSignalBlocker block(stage_table_);
  stage_table_->selectRow(index);
  rebuild_data();
  Q_EMIT stage_selected(index);
}

void StagesEditor::add_stage() {
  StageConfig stage = stages_.empty() ? StageConfig{} : stages_.back();
  stage.name = QStringLiteral("stage%1").arg(stages_.size() + 1).toStdString();
  if (stages_.empty()) {
    stage.seq_len = 256;
    stage.steps = 100;
  } else {
    stage.seq_len *= 2;  // the usual next step of a progressive schedule
    stage.rope = {};
  }
  stages_.push_back(std::move(stage));
  rebuild_stages();
  select_stage(static_cast<int>(stages_.size()) - 1);
  edited();
}

void StagesEditor::remove_stage(int index) {
  if (index < 0 || index >= static_cast<int>(stages_.size())) return;
  stages_.erase(stages_.begin() + index);
  current_ = std::min(index, static_cast<int>(stages_.size()) - 1);
  rebuild_stages();
  edited();
}

void StagesEditor::add_source() {
  if (current_ < 0) return;
  DataSource source;
  source.name = corpora_.isEmpty() ? std::string() : corpora_.front().toStdString();
  stages_[current_].data.push_back(source);
  rebuild_data();
  edited();
}

void StagesEditor::edited() { Q_EMIT changed(); }

void StagesEditor::rebuild_stages() {
  const QSignalBlocker block(stage_table_);
  stage_table_->setRowCount(static_cast<int>(stages_.size()));
  for (int row = 0; row < static_cast<int>(stages_.size()); ++row) {
    StageConfig& s = stages_[row];
    auto* name = new QLineEdit(QString::fromStdString(s.name));
    name->setFrame(false);
    connect(name, &QLineEdit::textChanged, this, [this, row](const QString& t) {
      stages_[row].name = t.toStdString();
      edited();
    });
    auto* seq_len = int_spin(s.seq_len, 0);
    connect(seq_len, &QSpinBox::valueChanged, this, [this, row](int v) {
      stages_[row].seq_len = v;
      edited();
    });
    // Steps, or the tokens a loaded config gave (kept as they are until steps are typed).
    auto* steps = int_spin(s.steps.value_or(0), 0, s.tokens ? tr("%1 tokens").arg(*s.tokens) : QString());
    connect(steps, &QSpinBox::valueChanged, this, [this, row](int v) {
      stages_[row].steps = v;
      stages_[row].tokens.reset();
      edited();
    });
    auto* lr = new QLineEdit(s.lr ? QString::number(*s.lr, 'g', 6) : QString());
    lr->setPlaceholderText(tr("run's"));
    lr->setFrame(false);
    connect(lr, &QLineEdit::textChanged, this, [this, row, lr](const QString& t) {
      bool ok = false;
      const double v = t.trimmed().toDouble(&ok);
      if (t.trimmed().isEmpty()) stages_[row].lr.reset();
      else stages_[row].lr = ok ? v : std::numeric_limits<double>::quiet_NaN();  // the parser names it
      lr->setStyleSheet(ok || t.trimmed().isEmpty() ? QString() : QStringLiteral("color: #d62728"));
      edited();
    });
    auto* theta = double_spin(s.rope.theta.value_or(0), 1e12, 0, tr("carried"));
    connect(theta, &QDoubleSpinBox::valueChanged, this, [this, row](double v) {
      if (v > 0) stages_[row].rope.theta = v;
      else stages_[row].rope.theta.reset();
      edited();
    });
    auto* scaling = new QComboBox;
    scaling->setFrame(false);
    scaling->addItem(tr("carried"), -1);
    for (const auto& [type_name, type] : rw::core::kRopeTypeNames)
      if (type != RopeType::Default) scaling->addItem(QString::fromUtf8(type_name.data(), type_name.size()), static_cast<int>(type));
    scaling->setCurrentIndex(s.rope.scaling ? scaling->findData(static_cast<int>(s.rope.scaling->type)) : 0);
    auto* factor = double_spin(s.rope.scaling ? s.rope.scaling->factor : 1.0, 1e6, 2);
    factor->setEnabled(s.rope.scaling.has_value());
    connect(scaling, &QComboBox::currentIndexChanged, this, [this, row, scaling, factor] {
      const int type = scaling->currentData().toInt();
      factor->setEnabled(type >= 0);
      if (type < 0) {
        stages_[row].rope.scaling.reset();
      } else {
        rw::core::RopeConfig rope = stages_[row].rope.scaling.value_or(rw::core::RopeConfig{});
        rope.type = static_cast<RopeType>(type);
        rope.factor = factor->value();
        stages_[row].rope.scaling = rope;
      }
      edited();
    });
    connect(factor, &QDoubleSpinBox::valueChanged, this, [this, row](double v) {
      if (stages_[row].rope.scaling) stages_[row].rope.scaling->factor = v;
      edited();
    });
    auto* masking = new QCheckBox;
    masking->setChecked(s.document_masking);
    masking->setToolTip(tr("Attend only within each document of a packed sequence"));
    connect(masking, &QCheckBox::toggled, this, [this, row](bool on) {
      stages_[row].document_masking = on;
      edited();
    });
    stage_table_->setCellWidget(row, Name, name);
    stage_table_->setCellWidget(row, SeqLen, seq_len);
    stage_table_->setCellWidget(row, Steps, steps);
    stage_table_->setCellWidget(row, Lr, lr);
    stage_table_->setCellWidget(row, Theta, theta);
    stage_table_->setCellWidget(row, Scaling, scaling);
    stage_table_->setCellWidget(row, Factor, factor);
    stage_table_->setCellWidget(row, Masking, masking);
  }
  remove_stage_->setEnabled(!stages_.empty());
  if (current_ >= 0) stage_table_->selectRow(current_);
  rebuild_data();
}

void StagesEditor::rebuild_data() {
  const QSignalBlocker block(data_table_);
  const bool has_stage = current_ >= 0 && current_ < static_cast<int>(stages_.size());
  const int rows = has_stage ? static_cast<int>(stages_[current_].data.size()) : 0;
  data_table_->setRowCount(rows);
  for (int row = 0; row < rows; ++row) {
    const DataSource& d = stages_[current_].data[row];
    const int stage = current_;
    auto* kind = new QComboBox;
    kind->setFrame(false);
    kind->addItem(tr("corpus"), static_cast<int>(DataSource::Kind::Corpus));
    kind->addItem(tr("dataset"), static_cast<int>(DataSource::Kind::Dataset));
    kind->setCurrentIndex(d.kind == DataSource::Kind::Corpus ? 0 : 1);
    auto* name = new QComboBox;
    name->setEditable(true);
    name->setFrame(false);
    name->addItems(d.kind == DataSource::Kind::Corpus ? corpora_ : datasets_);
    name->setCurrentText(QString::fromStdString(d.name));
    auto* weight = double_spin(d.weight, 1e6, 3);
    auto* min_tokens = int_spin(d.min_tokens, 0);
    min_tokens->setEnabled(d.kind == DataSource::Kind::Corpus);
    min_tokens->setToolTip(tr("Skip corpus documents shorter than this many tokens"));
    connect(kind, &QComboBox::currentIndexChanged, this, [this, stage, row, kind] {
      stages_[stage].data[row].kind = static_cast<DataSource::Kind>(kind->currentData().toInt());
      // The names offered and min tokens follow the kind; rebuilt after this signal, which the combo sends.
      QMetaObject::invokeMethod(this, &StagesEditor::rebuild_data, Qt::QueuedConnection);
      edited();
    });
    connect(name, &QComboBox::currentTextChanged, this, [this, stage, row](const QString& t) {
      stages_[stage].data[row].name = t.toStdString();
      edited();
    });
    connect(weight, &QDoubleSpinBox::valueChanged, this, [this, stage, row](double v) {
      stages_[stage].data[row].weight = v;
      edited();
    });
    connect(min_tokens, &QSpinBox::valueChanged, this, [this, stage, row](int v) {
      stages_[stage].data[row].min_tokens = v;
      edited();
    });
    data_table_->setCellWidget(row, Source, kind);
    data_table_->setCellWidget(row, SourceName, name);
    data_table_->setCellWidget(row, Weight, weight);
    data_table_->setCellWidget(row, MinTokens, min_tokens);
  }
  remove_source_->setEnabled(rows > 0);
}

}  // namespace rw::ui
