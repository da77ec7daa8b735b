#include "rw/ui/window/rope_page.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>
#include <filesystem>

#include "rw/core/config/rope_spectrum.h"

namespace rw::ui {

using rw::core::RopeType;

namespace {

// Without a model folder: a small Llama-style shape, enough to teach with.
rw::core::ModelConfig default_shape() {
  rw::core::ModelConfig c;
  c.head_dim = 64;
  c.max_position_embeddings = 4096;
  c.rope.theta = 10000;
  return c;
}

QLineSeries* wavelength_series(const rw::core::RopeSpectrum& s, const QString& name, const QPen& pen) {
  auto* series = new QLineSeries;
  series->setName(name);
  series->setPen(pen);
  for (size_t i = 0; i < s.wavelength.size(); ++i) series->append(static_cast<double>(i), s.wavelength[i]);
  return series;
}

}  // namespace

RopePage::RopePage(QWidget* parent) : QWidget(parent), model_(default_shape()) {
  auto* layout = new QHBoxLayout(this);
  auto* side = new QWidget;
  side->setMaximumWidth(330);
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  auto* pick = new QPushButton(tr("Model folder…"));
  model_label_ = new QLabel;
  model_label_->setWordWrap(true);
  auto* form = new QFormLayout;
  type_ = new QComboBox;
  for (const auto type : {RopeType::Default, RopeType::Linear, RopeType::Dynamic, RopeType::Yarn, RopeType::Llama3})
    type_->addItem(QString::fromUtf8(rw::core::rope_type_name(type).data()), static_cast<int>(type));
  theta_ = new QDoubleSpinBox;
  theta_->setRange(1, 1e12);
  theta_->setDecimals(0);
  theta_->setToolTip(tr("rope_theta: raising it stretches every wavelength (ProLong, Bootstrap's stages)"));
  factor_ = new QDoubleSpinBox;
  factor_->setRange(1, 1024);
  factor_->setDecimals(2);
  factor_->setToolTip(tr("factor of linear, dynamic, YaRN and llama3 scaling"));
  original_ = new QSpinBox;
  original_->setRange(1, 1 << 30);
  original_->setToolTip(tr("The length the model was trained at (original_max_position_embeddings)"));
  target_ = new QSpinBox;
  target_->setRange(1, 1 << 30);
  target_->setToolTip(tr("The context the run should reach"));
  form->addRow(tr("Scaling"), type_);
  form->addRow(tr("rope_theta"), theta_);
  form->addRow(tr("factor"), factor_);
  form->addRow(tr("Trained length"), original_);
  form->addRow(tr("Target length"), target_);
  side_layout->addWidget(pick);
  side_layout->addWidget(model_label_);
  side_layout->addLayout(form);
  summary_ = new QLabel;
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  side_layout->addWidget(summary_);
  side_layout->addStretch();
  chart_ = new QChartView;
  chart_->setRenderHint(QPainter::Antialiasing);
  layout->addWidget(side);
  layout->addWidget(chart_, 1);

  connect(pick, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("A model folder (config.json)"));
    if (!dir.isEmpty()) load_model(dir);
  });
  for (auto* spin : {theta_, factor_}) connect(spin, &QDoubleSpinBox::valueChanged, this, &RopePage::refresh);
  for (auto* spin : {original_, target_}) connect(spin, &QSpinBox::valueChanged, this, &RopePage::refresh);
  connect(type_, &QComboBox::currentIndexChanged, this, &RopePage::refresh);

  has_model_ = false;
  model_label_->setText(tr("No model chosen: a head dimension of 64, rope_theta 10,000, trained at 4096 tokens."));
  choose(RopeType::Default, model_.rope.theta, 1, 4 * model_.max_position_embeddings);
}

bool RopePage::load_model(const QString& dir) {
  rw::core::ModelConfig model;
  try {
    model = rw::core::read_model_config(std::filesystem::path(dir.toStdString()) / "config.json");
  } catch (const std::exception& e) {
    model_label_->setText(tr("Cannot read that model: %1").arg(QString::fromUtf8(e.what())));
    model_label_->setStyleSheet(QStringLiteral("color: #d62728"));
    return false;
  }
  set_model(model, QFileInfo(dir).fileName());
  choose(model_.rope.type, model_.rope.theta, model_.rope.factor, 4 * model_.max_position_embeddings);
  return true;
}

void RopePage::set_model(const rw::core::ModelConfig& model, const QString& label) {
  model_ = model;
  has_model_ = true;
  model_label_->setStyleSheet({});
  model_label_->setText(tr("%1: head dimension %2, rope %3, rope_theta %4, max_position_embeddings %5")
                            .arg(label)
                            .arg(model_.head_dim)
                            .arg(QString::fromUtf8(rw::core::rope_type_name(model_.rope.type).data()))
                            .arg(model_.rope.theta, 0, 'g', 10)
                            .arg(model_.max_position_embeddings));
}

void RopePage::explain(const rw::core::ModelConfig& base, const QString& label, const rw::core::ModelConfig& stage,
                       std::int64_t seq_len) {
  set_model(base, label);
  choose(stage.rope.type, stage.rope.theta, stage.rope.factor, seq_len);
}

void RopePage::choose(RopeType type, double theta, double factor, std::int64_t target) {
  const QSignalBlocker b1(type_), b2(theta_), b3(factor_), b4(original_), b5(target_);
  type_->setCurrentIndex(type_->findData(static_cast<int>(type)));
  theta_->setValue(theta);
  factor_->setValue(factor);
  original_->setValue(
      static_cast<int>(model_.rope.original_max_position_embeddings.value_or(model_.max_position_embeddings)));
  target_->setValue(static_cast<int>(target));
  refresh();
}

QString RopePage::summary() const { return summary_->text(); }

rw::core::ModelConfig RopePage::chosen_config() const {
  rw::core::ModelConfig c = model_;
  c.rope.type = static_cast<RopeType>(type_->currentData().toInt());
  c.rope.theta = theta_->value();
  c.rope.factor = factor_->value();
  c.rope.original_max_position_embeddings = original_->value();
  if (c.rope.type == RopeType::Dynamic) c.max_position_embeddings = original_->value();
  return c;
}

void RopePage::refresh() {
  const std::int64_t trained = original_->value();
  const std::int64_t target = target_->value();
  const rw::core::ModelConfig chosen = chosen_config();
  rw::core::RopeSpectrum own, mine;
  try {
    own = rw::core::rope_spectrum(model_);
    mine = rw::core::rope_spectrum(chosen, target);
  } catch (const std::exception& e) {
    summary_->setText(QString::fromUtf8(e.what()));
    return;
  }
  QChart* c = chart_->chart();
  c->removeAllSeries();
  for (auto* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  auto* x = new QValueAxis;
  x->setTitleText(tr("Dimension pair (fast rotation on the left)"));
  x->setLabelFormat(QStringLiteral("%d"));
  x->setRange(0, static_cast<double>(own.wavelength.size() - 1));
  auto* y = new QLogValueAxis;
  y->setTitleText(tr("Wavelength (tokens per rotation)"));
  y->setLabelFormat(QStringLiteral("%.3g"));
  y->setBase(10);
  double top = static_cast<double>(std::max(target, trained)) * 2;
  for (const double w : mine.wavelength) top = std::max(top, w * 1.2);
  for (const double w : own.wavelength) top = std::max(top, w * 1.2);
  y->setRange(1, top);
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  const auto add = [&](QLineSeries* s) {
    c->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  };
  add(wavelength_series(own, has_model_ ? tr("the model's own RoPE") : tr("rope_theta 10,000"),
                        QPen(QColor(0x9c, 0x9c, 0x9c), 2)));
  add(wavelength_series(mine, tr("chosen"), QPen(QColor(0x4e, 0x79, 0xa7), 2)));
  const auto horizontal = [&](double value, const QString& name, const QColor& colour) {
    auto* line = new QLineSeries;
    line->setName(name);
    line->setPen(QPen(colour, 1.5, Qt::DashLine));
    line->append(0, value);
    line->append(static_cast<double>(own.wavelength.size() - 1), value);
    add(line);
  };
  horizontal(static_cast<double>(trained), tr("trained length %1").arg(trained), QColor(0x59, 0xa1, 0x4f));
  horizontal(static_cast<double>(target), tr("target %1").arg(target), QColor(0xe1, 0x57, 0x59));
  c->setTitle(tr("RoPE wavelengths per dimension pair"));

  const auto pairs = static_cast<std::int64_t>(own.wavelength.size());
  const std::int64_t unseen_own = rw::core::pairs_longer_than(own, static_cast<double>(trained));
  const std::int64_t unseen_mine = rw::core::pairs_longer_than(mine, static_cast<double>(target));
  QStringList lines;
  lines << tr("In training (%1 tokens), %2 of %3 pairs never completed a rotation: their angles past %1 are new "
              "to the model.")
               .arg(trained)
               .arg(unseen_own)
               .arg(pairs);
  lines << tr("With the chosen setting, %1 of %2 pairs stay under one rotation at the target of %3 tokens.")
               .arg(unseen_mine)
               .arg(pairs)
               .arg(target);
  if (mine.attention_scaling != 1.0) lines << tr("YaRN scales attention by %1.").arg(mine.attention_scaling, 0, 'f', 4);
  // Warnings: what usually goes wrong with a setting like this.
  if (target > trained && chosen.rope.type == RopeType::Default && chosen.rope.theta <= model_.rope.theta)
    lines << tr("<b>Warning:</b> the target is past the trained length with neither scaling nor a larger "
                "rope_theta; expect retrieval to fail beyond %1 tokens.")
                 .arg(trained);
  if (has_model_ && model_.rope.type != RopeType::Default && chosen.rope.type != model_.rope.type)
    lines << tr("<b>Note:</b> the model was trained with %1 scaling; the chosen setting replaces it.")
                 .arg(QString::fromUtf8(rw::core::rope_type_name(model_.rope.type).data()));
  if (has_model_ && chosen.rope.theta != model_.rope.theta && chosen.rope.type != RopeType::Default)
    lines << tr("<b>Note:</b> both rope_theta and the scaling change; the papers change one per stage.");
  summary_->setText(lines.join(QStringLiteral("<br><br>")));
}

}  // namespace rw::ui
