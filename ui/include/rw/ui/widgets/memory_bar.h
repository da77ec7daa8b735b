// MemoryBar: a training step's estimated memory as one stacked horizontal bar (weights, gradients, optimizer,
// activations, logits; core memory_estimate.h), with a legend, the total, and the memory it must fit in
// when that is known (this machine's RAM for CPU training), marked as a red line where the total exceeds it.
#pragma once
#include <QWidget>
#include <optional>

#include "rw/core/config/memory_estimate.h"

namespace rw::ui {

class MemoryBar : public QWidget {
  Q_OBJECT
 public:
  explicit MemoryBar(QWidget* parent = nullptr);

  /// Shows `memory` (nullopt: `empty_text`); `limit` bytes, when set, is drawn as the line it must stay under.
  void set_estimate(std::optional<rw::core::TrainingMemory> memory, std::optional<std::int64_t> limit = {},
                    const QString& empty_text = {});
  const std::optional<rw::core::TrainingMemory>& estimate() const { return memory_; }
  /// The total and each part, as the legend says them (tests, tooltips).
  QString summary() const;

  QSize minimumSizeHint() const override { return {320, 64}; }
  QSize sizeHint() const override { return {560, 72}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::optional<rw::core::TrainingMemory> memory_;
  std::optional<std::int64_t> limit_;
  QString empty_text_;
};

/// Bytes as a person reads them ("1.4 GiB").
QString format_bytes(std::int64_t bytes);

}  // namespace rw::ui
