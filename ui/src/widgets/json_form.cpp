#include "rw/ui/widgets/json_form.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace rw::ui {

using ordered = nlohmann::ordered_json;

struct JsonForm::Field {
  QString path;               // "key" or "section/key"
  ordered::json_pointer pointer;
  ordered original;           // the value the form was built with: its type decides how text is read back
  QWidget* widget = nullptr;  // QCheckBox or QLineEdit
};

namespace {

QString item_text(const ordered& item) {
  return item.is_string() ? QString::fromStdString(item.get<std::string>()) : QString::fromStdString(item.dump());
}

// The text of a line as the type of `original`: a number where it reads as one, else the text itself.
ordered scalar_from(const QString& text, const ordered& original) {
  const QString t = text.trimmed();
  if (original.is_number() || original.is_null()) {
    bool ok = false;
    if (const qlonglong n = t.toLongLong(&ok); ok) return n;
    if (const double d = t.toDouble(&ok); ok) return d;
    if (t.isEmpty() && original.is_null()) return nullptr;
  }
  if (original.is_string()) return text.toStdString();
  return t.toStdString();
}

}  // namespace

JsonForm::JsonForm(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
}

JsonForm::~JsonForm() = default;

void JsonForm::set_json(const std::string& object_text, const std::vector<std::string>& hidden) {
  const ordered object = ordered::parse(object_text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) throw std::runtime_error("the form's JSON is not an object");
  template_ = object_text;
  fields_.clear();
  delete body_;
  body_ = new QWidget;
  auto* form = new QFormLayout(body_);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  ordered shown = object;
  for (const auto& key : hidden) shown.erase(key);
  add_fields(form, {}, &shown);
  layout()->addWidget(body_);
}

void JsonForm::add_fields(QFormLayout* form, const QString& prefix, const void* object_ptr) {
  const ordered& object = *static_cast<const ordered*>(object_ptr);
  for (auto it = object.begin(); it != object.end(); ++it) {
    const QString path = prefix.isEmpty() ? QString::fromStdString(it.key()) : prefix + QLatin1Char('/') + QString::fromStdString(it.key());
    const ordered& value = it.value();
    if (value.is_object()) {
      auto* group = new QGroupBox(QString::fromStdString(it.key()));
      auto* inner = new QFormLayout(group);
      inner->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
      add_fields(inner, path, &value);
      form->addRow(group);
      continue;
    }
    auto field = std::make_unique<Field>();
    field->path = path;
    field->pointer = ordered::json_pointer("/" + path.toStdString());
    field->original = value;
    if (value.is_boolean()) {
      auto* box = new QCheckBox;
      box->setChecked(value.get<bool>());
      connect(box, &QCheckBox::toggled, this, &JsonForm::edited);
      field->widget = box;
    } else {
      auto* line = new QLineEdit;
      if (value.is_array()) {
        QStringList items;
        for (const auto& item : value) items << item_text(item);
        line->setText(items.join(QStringLiteral(", ")));
        line->setPlaceholderText(tr("comma-separated"));
      } else if (!value.is_null()) {
        line->setText(item_text(value));
      }
      connect(line, &QLineEdit::textEdited, this, &JsonForm::edited);
      field->widget = line;
    }
    field->widget->setObjectName(path);
    form->addRow(QString::fromStdString(it.key()), field->widget);
    fields_.push_back(std::move(field));
  }
}

std::string JsonForm::json() const {
  if (template_.empty()) return "{}";
  ordered object = ordered::parse(template_);
  for (const auto& f : fields_) {
    if (auto* box = qobject_cast<QCheckBox*>(f->widget)) {
      object[f->pointer] = box->isChecked();
      continue;
    }
    const QString text = static_cast<QLineEdit*>(f->widget)->text();
    if (!f->original.is_array()) {
      object[f->pointer] = scalar_from(text, f->original);
      continue;
    }
    // Items typed like the original's; an empty original array takes numbers where they read as numbers.
    const ordered like = f->original.empty() ? ordered(0) : f->original.front();
    ordered items = ordered::array();
    for (const QString& item : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
      if (!item.trimmed().isEmpty()) items.push_back(scalar_from(item.trimmed(), like));
    object[f->pointer] = items;
  }
  return object.dump();
}

QWidget* JsonForm::field(const QString& path) const {
  for (const auto& f : fields_)
    if (f->path == path) return f->widget;
  return nullptr;
}

}  // namespace rw::ui
