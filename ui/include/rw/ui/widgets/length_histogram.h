// LengthHistogram: how many samples have how many tokens, in equal-width bins from 0, with the generator's
// target lengths as dashed lines, so a glance shows whether the samples came out near their targets.
#pragma once
#include <QWidget>
#include <cstdint>
#include <vector>

namespace rw::ui {

class LengthHistogram : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kBins = 40;

  explicit LengthHistogram(QWidget* parent = nullptr);

  void set_lengths(const std::vector<std::int64_t>& lengths, std::vector<std::int64_t> targets);
  /// Counts per bin; bin i holds lengths in [i * bin_width(), (i + 1) * bin_width()).
  const std::vector<std::int64_t>& bins() const { return bins_; }
  std::int64_t bin_width() const { return bin_width_; }
  const std::vector<std::int64_t>& targets() const { return targets_; }

  QSize sizeHint() const override { return {400, 130}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<std::int64_t> bins_;
  std::vector<std::int64_t> targets_;
  std::int64_t bin_width_ = 1;
};

}  // namespace rw::ui
