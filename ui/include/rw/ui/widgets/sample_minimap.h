// SampleMinimap: the whole sample as one tall bar, top to bottom: coloured bands where each segment (or each
// run of trained tokens) sits along its length, thin marks for message starts, the part on screen as a
// frame, and a bracket from the needle to the question with their distance in tokens. A click or drag
// asks the text view to go there. Paints from a few hundred bands whatever the sample's length.
#pragma once
#include <QColor>
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

namespace rw::ui {

class SampleMinimap : public QWidget {
  Q_OBJECT
 public:
  struct Band {
    int begin = 0;
    int end = 0;
    QColor colour;
  };
  struct Bracket {
    int from = 0;  ///< character positions of the two ends
    int to = 0;
    QString label;
  };

  explicit SampleMinimap(QWidget* parent = nullptr);

  /// The text's length, its bands (in position order) and its message starts.
  void set_layout(int length, std::vector<Band> bands, std::vector<int> marks);
  void set_bracket(std::optional<Bracket> bracket);
  void set_visible_range(int begin, int end);
  const std::vector<Band>& bands() const { return bands_; }
  const std::optional<Bracket>& bracket() const { return bracket_; }

  QSize sizeHint() const override { return {46, 400}; }

 Q_SIGNALS:
  void jump(int position);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;

 private:
  double y_of(int position) const;
  int position_at(double y) const;

  int length_ = 0;
  std::vector<Band> bands_;
  std::vector<int> marks_;
  std::optional<Bracket> bracket_;
  int visible_begin_ = 0, visible_end_ = 0;
};

}  // namespace rw::ui
