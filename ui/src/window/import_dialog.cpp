#include "rw/ui/window/import_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace rw::ui {

QStringList split_globs(const QString& text) {
  static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
  return text.split(separators, Qt::SkipEmptyParts);
}

ImportDialog::ImportDialog(const QStringList& paths, const QStringList& corpora, const QString& corpus, QWidget* parent)
    : QDialog(parent), paths_(paths) {
  setWindowTitle(tr("Import into a corpus"));
  auto* layout = new QVBoxLayout(this);
  auto* what = new QLabel(tr("Import %1").arg(paths.size() == 1 ? paths.front() : tr("%1 files").arg(paths.size())));
  what->setWordWrap(true);
  what->setToolTip(paths.join(QLatin1Char('\n')));
  layout->addWidget(what);
  auto* form = new QFormLayout;
  corpus_ = new QComboBox;
  corpus_->setEditable(true);
  corpus_->addItems(corpora);
  corpus_->setCurrentText(corpus);
  corpus_->setToolTip(tr("A new name creates the corpus"));
  repositories_ = new QCheckBox(tr("each folder is a code repository (one document per repository)"));
  jsonl_field_ = new QLineEdit;
  jsonl_field_->setPlaceholderText(QStringLiteral("text"));
  jsonl_field_->setToolTip(tr("The string field holding each line's text in .jsonl / .ndjson files"));
  include_ = new QLineEdit;
  include_->setPlaceholderText(tr("the project's (e.g. **/*.md, **/*.py)"));
  exclude_ = new QLineEdit;
  exclude_->setPlaceholderText(tr("the project's (e.g. **/node_modules/**)"));
  tokenizer_ = new QLineEdit;
  tokenizer_->setPlaceholderText(tr("the project's tokenizer, else words"));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* tokenizer_row = new QHBoxLayout;
  tokenizer_row->addWidget(tokenizer_);
  tokenizer_row->addWidget(browse);
  chunk_tokens_ = new QSpinBox;
  chunk_tokens_->setRange(0, 1 << 20);
  chunk_tokens_->setSpecialValueText(tr("the project's"));
  chunk_overlap_ = new QSpinBox;
  chunk_overlap_->setRange(-1, 1 << 20);
  chunk_overlap_->setSpecialValueText(tr("the project's"));
  chunk_overlap_->setValue(-1);
  max_file_mib_ = new QSpinBox;
  max_file_mib_->setRange(0, 1 << 16);
  max_file_mib_->setSuffix(QStringLiteral(" MiB"));
  max_file_mib_->setSpecialValueText(tr("the project's"));
  form->addRow(tr("corpus"), corpus_);
  form->addRow(QString(), repositories_);
  form->addRow(tr("JSONL field"), jsonl_field_);
  form->addRow(tr("include"), include_);
  form->addRow(tr("exclude"), exclude_);
  form->addRow(tr("tokenizer"), tokenizer_row);
  form->addRow(tr("chunk tokens"), chunk_tokens_);
  form->addRow(tr("chunk overlap"), chunk_overlap_);
  form->addRow(tr("largest file"), max_file_mib_);
  layout->addLayout(form);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(corpus_, &QComboBox::currentTextChanged, this, [buttons](const QString& name) {
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!name.trimmed().isEmpty());
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("A model folder with the tokenizer"));
    if (!dir.isEmpty()) tokenizer_->setText(dir);
  });
}

ImportRequest ImportDialog::request() const {
  ImportRequest r;
  r.paths = paths_;
  r.corpus = corpus_->currentText().trimmed();
  r.repositories = repositories_->isChecked();
  r.jsonl_field = jsonl_field_->text().trimmed();
  r.include = split_globs(include_->text());
  r.exclude = split_globs(exclude_->text());
  r.tokenizer = tokenizer_->text().trimmed();
  r.chunk_tokens = chunk_tokens_->value();
  r.chunk_overlap = chunk_overlap_->value();
  r.max_file_bytes = static_cast<qint64>(max_file_mib_->value()) << 20;
  return r;
}

}  // namespace rw::ui
