// JsonForm: a form built from a JSON object, one field per key in the object's order: a check box for a
// boolean, a line for a number or a string, a line of comma-separated items for an array of numbers or
// strings, a titled group for a nested object. json() writes the object back with the edited values, each
// in its original type where the text reads as one (a number field that does not read as a number is
// written as a string, so the config's own parser names the field and what it wants). Used where a config
// (a synth config) should be edited as a form but checked by its own parser.
#pragma once
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

class QFormLayout;

namespace rw::ui {

class JsonForm : public QWidget {
  Q_OBJECT
 public:
  explicit JsonForm(QWidget* parent = nullptr);
  ~JsonForm() override;

  /// Rebuilds the form from a JSON object text; keys in `hidden` (top level) are kept but not shown.
  /// Error (std::runtime_error) when the text is not a JSON object.
  void set_json(const std::string& object_text, const std::vector<std::string>& hidden = {});
  /// The object with the form's values.
  std::string json() const;
  /// The field of a key path ("cip/chunk_tokens"), or nullptr (tests, focus on an error).
  QWidget* field(const QString& path) const;

 Q_SIGNALS:
  void edited();

 private:
  struct Field;
  void add_fields(QFormLayout* form, const QString& prefix, const void* object);

  std::vector<std::unique_ptr<Field>> fields_;
  std::string template_;  // the object as set, whose shape json() fills in
  QWidget* body_ = nullptr;
};

}  // namespace rw::ui
