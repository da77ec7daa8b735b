#include "rw/ui/window/charts_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include "rw/ui/process/project_session.h"
#include "rw/ui/widgets/metric_chart.h"

namespace rw::ui {

ChartsPage::ChartsPage(ProjectSession* session, QWidget* parent)
    : QWidget(parent), session_(session), chart_(new MetricChart(&session->feed())) {
  auto* layout = new QHBoxLayout(this);
  auto* split = new QSplitter;
  auto* side = new QWidget;
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  auto* metric = new QComboBox;
  for (const auto& [key, label] : chart_metrics()) metric->addItem(label, key);
  auto* x_axis = new QComboBox;
  x_axis->addItem(tr("Step"));
  x_axis->addItem(tr("Tokens seen"));
  auto* log = new QCheckBox(tr("Log scale"));
  auto* smoothing = new QSlider(Qt::Horizontal);
  smoothing->setRange(0, 99);
  smoothing->setToolTip(tr("Exponential moving average, as in TensorBoard (0 = raw)"));
  form->addRow(tr("Metric"), metric);
  form->addRow(tr("X axis"), x_axis);
  form->addRow(QString(), log);
  form->addRow(tr("Smoothing"), smoothing);
  side_layout->addLayout(form);
  side_layout->addWidget(new QLabel(tr("Runs")));
  runs_ = new QListWidget;
  side_layout->addWidget(runs_, 1);
  split->addWidget(side);
  split->addWidget(chart_);
  split->setStretchFactor(1, 1);
  split->setSizes({220, 700});
  layout->addWidget(split);

  connect(metric, &QComboBox::currentIndexChanged, this,
          [this, metric] { chart_->set_metric(metric->currentData().toString()); });
  connect(x_axis, &QComboBox::currentIndexChanged, this,
          [this](int i) { chart_->set_x_axis(i == 0 ? ChartXAxis::Step : ChartXAxis::TokensSeen); });
  connect(log, &QCheckBox::toggled, chart_, &MetricChart::set_log_y);
  connect(smoothing, &QSlider::valueChanged, this, [this](int v) { chart_->set_smoothing(v / 100.0); });
  connect(runs_, &QListWidget::itemChanged, this, [this] {
    user_checked_ = true;
    apply_checks();
  });
  connect(&session_->feed(), &StoreFeed::updated, this, [this](const FeedChange& change) {
    if (change.runs) refresh_runs();
  });
  refresh_runs();
}

void ChartsPage::refresh_runs() {
  const QSignalBlocker block(runs_);
  QSet<qint64> checked;
  for (int i = 0; i < runs_->count(); ++i)
    if (runs_->item(i)->checkState() == Qt::Checked) checked.insert(runs_->item(i)->data(Qt::UserRole).toLongLong());
  runs_->clear();
  bool first = true;
  for (const RunData* run : session_->feed().runs()) {
    if (run->record.kind != "train") continue;
    auto* item = new QListWidgetItem(
        QStringLiteral("%1 #%2").arg(QString::fromStdString(run->record.name)).arg(run->record.id), runs_);
    item->setData(Qt::UserRole, QVariant::fromValue<qint64>(run->record.id));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    // Until the user picks, follow the newest training run (the one just launched).
    const bool on = user_checked_ ? checked.contains(run->record.id) : first;
    item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    first = false;
  }
  apply_checks();
}

void ChartsPage::apply_checks() {
  QList<qint64> ids;
  for (int i = 0; i < runs_->count(); ++i)
    if (runs_->item(i)->checkState() == Qt::Checked) ids << runs_->item(i)->data(Qt::UserRole).toLongLong();
  chart_->set_runs(ids);
}

void ChartsPage::show_runs(const QList<qint64>& run_ids) {
  {
    const QSignalBlocker block(runs_);
    for (int i = 0; i < runs_->count(); ++i) {
      const qint64 id = runs_->item(i)->data(Qt::UserRole).toLongLong();
      runs_->item(i)->setCheckState(run_ids.contains(id) ? Qt::Checked : Qt::Unchecked);
    }
  }
  user_checked_ = true;
  apply_checks();
}

}  // namespace rw::ui
