#include "rw/ui/widgets/cell_prompt_dialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QTextEdit>
#include <QVBoxLayout>

namespace rw::ui {

CellPromptDialog::CellPromptDialog(const rw::core::RunRecord& run, const rw::core::EvalCell& cell, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("%1, %2 tokens, depth %3% — %4 #%5")
                     .arg(QString::fromStdString(cell.task))
                     .arg(cell.length)
                     .arg(cell.depth * 100, 0, 'g', 4)
                     .arg(QString::fromStdString(run.name))
                     .arg(run.id));
  resize(900, 640);
  auto* layout = new QVBoxLayout(this);
  auto* head = new QLabel(tr("Step %1: score %2. The model answered:").arg(cell.checkpoint_step).arg(cell.score, 0, 'f', 2));
  layout->addWidget(head);
  auto* output = new QPlainTextEdit(QString::fromStdString(cell.output));
  output->setReadOnly(true);
  output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  output->setMaximumHeight(90);
  layout->addWidget(output);
  status_ = new QLabel(tr("Rebuilding the prompt the model saw…"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);
  prompt_ = new QTextEdit;
  prompt_->setReadOnly(true);
  prompt_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  prompt_->setLineWrapMode(QTextEdit::WidgetWidth);
  layout->addWidget(prompt_, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
  layout->addWidget(buttons);
}

void CellPromptDialog::show_prompt(const rw::core::CellPrompt& p) {
  const QString text = QString::fromStdString(p.prompt);
  prompt_->setPlainText(text);
  // Byte offsets into UTF-8 become character offsets into the QString.
  ranges_.clear();
  for (const auto& [begin, end] : p.needles) {
    const int b = static_cast<int>(QString::fromUtf8(p.prompt.data(), static_cast<qsizetype>(begin)).size());
    const int e = static_cast<int>(QString::fromUtf8(p.prompt.data(), static_cast<qsizetype>(end)).size());
    ranges_.emplace_back(b, e);
  }
  QTextCharFormat needle;
  needle.setBackground(QColor(0xff, 0xe0, 0x66));
  needle.setFontWeight(QFont::Bold);
  QList<QTextEdit::ExtraSelection> selections;
  for (const auto& [b, e] : ranges_) {
    QTextEdit::ExtraSelection s;
    s.cursor = QTextCursor(prompt_->document());
    s.cursor.setPosition(b);
    s.cursor.setPosition(e, QTextCursor::KeepAnchor);
    s.format = needle;
    selections << s;
  }
  prompt_->setExtraSelections(selections);
  if (!ranges_.empty()) {
    QTextCursor at(prompt_->document());
    at.setPosition(ranges_.front().first);
    prompt_->setTextCursor(at);
    prompt_->ensureCursorVisible();
  }
  const QString where = ranges_.size() == 1 ? tr("the needle highlighted")
                                            : tr("%1 needle spans highlighted").arg(ranges_.size());
  if (p.exact) {
    status_->setStyleSheet(QStringLiteral("color: #2ca02c"));
    status_->setText(tr("This is exactly the prompt the model saw (its SHA-256 matches the stored one); %1 "
                        "characters, %2. Rebuilt from %3.")
                         .arg(text.size())
                         .arg(where)
                         .arg(QString::fromStdString(p.origin)));
  } else {
    status_->setStyleSheet(QStringLiteral("color: #d62728"));
    status_->setText(tr("Rebuilt from %1, but %2.").arg(QString::fromStdString(p.origin), QString::fromStdString(p.note)));
  }
}

void CellPromptDialog::show_error(const QString& error) {
  status_->setStyleSheet(QStringLiteral("color: #d62728"));
  status_->setText(tr("The prompt cannot be rebuilt: %1").arg(error));
}

QString CellPromptDialog::status() const { return status_->text(); }
QString CellPromptDialog::prompt_text() const { return prompt_->toPlainText(); }

}  // namespace rw::ui
