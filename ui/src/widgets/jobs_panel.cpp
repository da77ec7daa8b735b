#include "rw/ui/widgets/jobs_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "rw/ui/process/project_session.h"

namespace rw::ui {

namespace {

QString duration_text(double seconds) {
  const auto s = static_cast<qint64>(std::lround(seconds));
  if (s < 60) return QObject::tr("%1 s").arg(s);
  if (s < 3600) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
  return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

}  // namespace

QString progress_text(const WorkerProcess& job) {
  const auto& p = job.progress();
  if (!p) return {};
  const QString unit = QString::fromStdString(p->unit);
  QStringList parts;
  parts << (p->total > 0 ? QStringLiteral("%1 / %2 %3").arg(p->done).arg(p->total).arg(unit)
                         : QStringLiteral("%1 %2").arg(p->done).arg(unit));
  if (!p->stage.empty()) parts << QString::fromStdString(p->stage);
  // Slow jobs (a generator model writing samples) read better per minute.
  if (p->rate >= 1)
    parts << QObject::tr("%1 %2/s").arg(p->rate, 0, 'g', 3).arg(unit);
  else if (p->rate > 0)
    parts << QObject::tr("%1 %2/min").arg(p->rate * 60, 0, 'g', 3).arg(unit);
  if (p->eta_s && job.active()) parts << QObject::tr("%1 left").arg(duration_text(*p->eta_s));
  if (!p->detail.empty()) parts << QString::fromStdString(p->detail);
  return parts.join(QStringLiteral(" · "));
}

JobsPanel::JobsPanel(ProjectSession* session, QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(6, 6, 6, 6);
  empty_ = new QLabel(tr("No jobs yet. Training runs and imports started here show their progress in this panel."));
  empty_->setEnabled(false);
  outer->addWidget(empty_);
  rows_ = new QVBoxLayout;
  outer->addLayout(rows_);
  outer->addStretch();
  for (const auto& job : session->jobs()) add_row(job.get());
  connect(session, &ProjectSession::job_added, this, &JobsPanel::add_row);
}

void JobsPanel::add_row(WorkerProcess* job) {
  empty_->hide();
  auto* row = new QWidget;
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* title = new QLabel(job->title());
  title->setMinimumWidth(140);
  auto* state = new QLabel;
  state->setMinimumWidth(70);
  auto* bar = new QProgressBar;
  bar->setMinimumWidth(160);
  bar->setTextVisible(false);
  auto* detail = new QLabel;
  detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
  detail->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  auto* stop = new QPushButton(tr("Stop"));
  layout->addWidget(title);
  layout->addWidget(state);
  layout->addWidget(bar);
  layout->addWidget(detail, 1);
  layout->addWidget(stop);
  rows_->insertWidget(0, row);  // newest on top

  const auto refresh = [job, state, bar, detail, stop] {
    state->setText(to_text(job->state()));
    const auto& p = job->progress();
    if (p && p->total > 0) {
      bar->setRange(0, 1000);
      bar->setValue(static_cast<int>(1000.0 * static_cast<double>(p->done) / static_cast<double>(p->total)));
    } else {
      bar->setRange(0, job->active() ? 0 : 1);  // busy indicator while the total is unknown
      bar->setValue(job->active() ? 0 : 1);
    }
    QString text = progress_text(*job);
    if (job->state() == WorkerProcess::State::Failed) {
      text = job->error();
      detail->setStyleSheet(QStringLiteral("color: #d62728"));
    } else if (!job->log().empty() && text.isEmpty()) {
      text = job->log().back();
    }
    detail->setText(text);
    QStringList tail;
    const size_t first = job->log().size() > 20 ? job->log().size() - 20 : 0;
    for (size_t i = first; i < job->log().size(); ++i) tail << job->log()[i];
    detail->setToolTip(tail.join(QLatin1Char('\n')));
    stop->setEnabled(job->active());
  };
  connect(job, &WorkerProcess::changed, row, refresh);
  connect(stop, &QPushButton::clicked, job, &WorkerProcess::stop);
  refresh();
}

}  // namespace rw::ui
