#include "rw/ui/window/prompts_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "rw/core/synth/bootstrap_prompts.h"
#include "rw/core/util/files.h"

namespace rw::ui {

PromptsDialog::PromptsDialog(std::filesystem::path project_dir, QWidget* parent)
    : QDialog(parent), dir_(rw::core::bootstrap_prompt_dir(project_dir)) {
  setWindowTitle(tr("Bootstrap prompt templates"));
  resize(900, 560);
  auto* layout = new QVBoxLayout(this);
  auto* body = new QHBoxLayout;
  steps_ = new QListWidget;
  steps_->setMaximumWidth(170);
  for (const auto& p : rw::core::builtin_bootstrap_prompts()) steps_->addItem(QString::fromUtf8(p.name.data(), static_cast<qsizetype>(p.name.size())));
  auto* right = new QVBoxLayout;
  placeholders_ = new QLabel;
  placeholders_->setWordWrap(true);
  text_ = new QPlainTextEdit;
  text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  right->addWidget(placeholders_);
  right->addWidget(text_, 1);
  right->addWidget(status_);
  body->addWidget(steps_);
  body->addLayout(right, 1);
  layout->addLayout(body, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  save_ = buttons->addButton(tr("Save"), QDialogButtonBox::ActionRole);
  restore_ = buttons->addButton(tr("Restore built-in"), QDialogButtonBox::ResetRole);
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(save_, &QPushButton::clicked, this, &PromptsDialog::save);
  connect(restore_, &QPushButton::clicked, this, &PromptsDialog::restore_builtin);
  connect(text_, &QPlainTextEdit::textChanged, this, &PromptsDialog::check);
  connect(steps_, &QListWidget::currentTextChanged, this, &PromptsDialog::select);
  steps_->setCurrentRow(0);
}

std::filesystem::path PromptsDialog::file_of(const QString& name) const {
  return dir_ / (name.toStdString() + ".txt");
}

void PromptsDialog::select(const QString& name) {
  const auto items = steps_->findItems(name, Qt::MatchExactly);
  if (items.isEmpty()) return;
  {
    const QSignalBlocker block(steps_);
    steps_->setCurrentItem(items.front());
  }
  // A template is a few hundred bytes: read here.
  const auto file = file_of(name);
  QString text;
  try {
    if (std::filesystem::exists(file)) text = QString::fromStdString(rw::core::read_text_file(file));
  } catch (const std::exception& e) {
    status_->setText(QString::fromUtf8(e.what()));
  }
  if (text.isNull())
    for (const auto& p : rw::core::builtin_bootstrap_prompts())
      if (name == QLatin1String(p.name.data(), static_cast<qsizetype>(p.name.size())))
        text = QString::fromUtf8(p.text.data(), static_cast<qsizetype>(p.text.size()));
  if (text.endsWith(QLatin1Char('\n'))) text.chop(1);
  QStringList keys;
  for (const auto& key : rw::core::bootstrap_prompt_placeholders(name.toStdString()))
    keys << QStringLiteral("{%1}").arg(QString::fromStdString(key));
  placeholders_->setText(tr("The %1 prompt (%2). Placeholders: %3. Write {{ and }} for literal braces.")
                             .arg(name,
                                  std::filesystem::exists(file) ? tr("this project's, %1").arg(QString::fromStdString(file.string()))
                                                                : tr("built-in"),
                                  keys.join(QStringLiteral(", "))));
  restore_->setEnabled(std::filesystem::exists(file));
  text_->setPlainText(text);
}

bool PromptsDialog::check() {
  const QListWidgetItem* item = steps_->currentItem();
  if (!item) return false;
  try {
    rw::core::check_bootstrap_prompt(item->text().toStdString(), text_->toPlainText().toStdString(),
                                     file_of(item->text()).string());
    status_->setText(tr("The template is valid."));
    status_->setStyleSheet(QStringLiteral("color: #2ca02c"));
    save_->setEnabled(true);
    return true;
  } catch (const std::exception& e) {
    status_->setText(QString::fromUtf8(e.what()));
    status_->setStyleSheet(QStringLiteral("color: #d62728"));
    save_->setEnabled(false);
    return false;
  }
}

bool PromptsDialog::save() {
  if (!check()) return false;
  const QString name = steps_->currentItem()->text();
  try {
    std::filesystem::create_directories(dir_);
    rw::core::write_file_atomic(file_of(name), text_->toPlainText().toStdString() + "\n");
  } catch (const std::exception& e) {
    status_->setText(tr("Cannot save: %1").arg(QString::fromUtf8(e.what())));
    status_->setStyleSheet(QStringLiteral("color: #d62728"));
    return false;
  }
  select(name);
  status_->setText(tr("Saved: the next Bootstrap preview or run uses it."));
  status_->setStyleSheet({});
  return true;
}

void PromptsDialog::restore_builtin() {
  const QString name = steps_->currentItem() ? steps_->currentItem()->text() : QString();
  std::error_code ec;
  std::filesystem::remove(file_of(name), ec);
  select(name);
  status_->setText(ec ? tr("Cannot remove %1: %2").arg(QString::fromStdString(file_of(name).string()), QString::fromStdString(ec.message()))
                      : tr("Back to the built-in template."));
}

}  // namespace rw::ui
