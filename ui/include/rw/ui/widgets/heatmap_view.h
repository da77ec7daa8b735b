// HeatmapView: a NIAH length x depth heatmap painted from core HeatmapData, in the colours and layout of
// docs/heatmaps.md (depth 0 on top, lengths left to right, the field's red-yellow-green scale); entries
// without a scored cell are hatched. Hover shows an entry's score; a click reports the entry.
// It draws what it is given; heatmaps_page.h decides which run, task and checkpoint.
#pragma once
#include <QWidget>
#include <optional>

#include "rw/core/heatmap/heatmap_data.h"

namespace rw::ui {

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  /// Shows `data`; nullopt shows `empty_text` instead.
  void set_data(std::optional<rw::core::HeatmapData> data, const QString& empty_text = {});
  const std::optional<rw::core::HeatmapData>& data() const { return data_; }

  /// The grid entry under a widget position, as (row, column); nullopt outside the grid.
  std::optional<std::pair<size_t, size_t>> entry_at(QPoint pos) const;
  /// The rectangle of one grid entry (tests click and sample colours there).
  QRect entry_rect(size_t row, size_t col) const;
  /// What hovering an entry shows.
  QString entry_text(size_t row, size_t col) const;

  QSize minimumSizeHint() const override { return {360, 220}; }
  QSize sizeHint() const override { return {720, 420}; }

 Q_SIGNALS:
  void entry_clicked(std::int64_t length, double depth);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  QRect grid_rect() const;

  std::optional<rw::core::HeatmapData> data_;
  QString empty_text_;
};

/// A core colour as a QColor.
QColor to_qcolor(rw::core::Rgb8 rgb);

}  // namespace rw::ui
