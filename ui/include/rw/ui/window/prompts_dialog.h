// PromptsDialog: the Bootstrap workflow's prompt templates, edited in the window. Each step's template is
// the project's override (PROJECT/prompts/bootstrap/NAME.txt) or the built-in one; edits are checked as
// you type by the synthesizer's own check (placeholders the step fills, braces closed or doubled), Save
// writes the override atomically, Restore built-in removes it. The synthesizer reads the same files.
#pragma once
#include <QDialog>
#include <filesystem>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace rw::ui {

class PromptsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PromptsDialog(std::filesystem::path project_dir, QWidget* parent = nullptr);

  /// Shows step `name`'s template (the override if the project has one).
  void select(const QString& name);
  /// Writes the edited template as the project's override; false with the reason in status().
  bool save();
  /// Removes the project's override of the selected step.
  void restore_builtin();

  QListWidget* steps() const { return steps_; }
  QPlainTextEdit* text() const { return text_; }
  QLabel* status() const { return status_; }
  QPushButton* save_button() const { return save_; }

 private:
  std::filesystem::path file_of(const QString& name) const;
  bool check();

  std::filesystem::path dir_;
  QListWidget* steps_;
  QPlainTextEdit* text_;
  QLabel* placeholders_;
  QLabel* status_;
  QPushButton* save_;
  QPushButton* restore_;
};

}  // namespace rw::ui
