// SequencePacker: exact layouts (ids, labels, positions, segments, pieces) for document masking on/off,
// reset/continued positions, SFT loss masks, split/truncate/drop of long samples; a randomized check that
// split packing places every token once, in order; errors naming the sample.
#include <QtTest>

#include <random>

#include "rw/core/data/packing.h"
#include "test_support.h"

using namespace rw::core;
using rw::test::error_of;
using Ids = std::vector<std::int32_t>;

namespace {

constexpr std::int32_t X = kIgnoreLabel;
constexpr std::int32_t P = 0;  // pad id

PackingOptions options(std::int64_t seq_len, bool masking = true, bool reset = true,
                       Overflow overflow = Overflow::Split) {
  return PackingOptions{seq_len, P, masking, reset, overflow};
}

}  // namespace

class TestPacking : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void documentMaskingWithResetPositions() {
    PackStats stats;
    const auto seqs = pack_samples({{10, {1, 2, 3}, {}}, {11, {4, 5}, {}}}, options(8), &stats);
    QCOMPARE(seqs.size(), size_t{1});
    const PackedSequence& s = seqs[0];
    QCOMPARE(s.ids, (Ids{1, 2, 3, 4, 5, P, P, P}));
    QCOMPARE(s.labels, (Ids{2, 3, X, 5, X, X, X, X}));
    QCOMPARE(s.position_ids, (Ids{0, 1, 2, 0, 1, 2, 3, 4}));
    QCOMPARE(s.segment_ids, (Ids{0, 0, 0, 1, 1, -1, -1, -1}));
    QCOMPARE(s.pieces.size(), size_t{2});
    QCOMPARE(s.pieces[1].sample_id, 11);
    QCOMPARE(s.pieces[1].seq_offset, 3);
    QCOMPARE(s.real_tokens(), 5);
    QCOMPARE(s.target_tokens(), 3);
    QCOMPARE(stats.padding_tokens, 3);
    QCOMPARE(stats.sequences, 1);
  }

  void noMaskingContinuedPositions() {
    const auto seqs = pack_samples({{1, {1, 2, 3}, {}}, {2, {4, 5}, {}}}, options(6, false, false));
    QCOMPARE(seqs[0].labels, (Ids{2, 3, 4, 5, X, X}));  // the boundary token predicts the next document
    QCOMPARE(seqs[0].position_ids, (Ids{0, 1, 2, 3, 4, 5}));
    QCOMPARE(seqs[0].segment_ids, (Ids{0, 0, 0, 1, 1, -1}));
  }

  void sftLossMaskAppliesToTargets() {
    const auto seqs = pack_samples({{7, {1, 2, 3, 4}, {0, 0, 1, 1}}}, options(4));
    QCOMPARE(seqs[0].labels, (Ids{X, 3, 4, X}));
  }

  void splitContinuesInTheNextSequence() {
    PackStats stats;
    const auto seqs = pack_samples({{1, {1, 2, 3, 4, 5, 6}, {}}, {2, {7, 8}, {}}}, options(4), &stats);
    QCOMPARE(seqs.size(), size_t{2});
    QCOMPARE(seqs[0].ids, (Ids{1, 2, 3, 4}));
    QCOMPARE(seqs[0].labels, (Ids{2, 3, 4, X}));  // token 5 is in the next sequence
    QCOMPARE(seqs[1].ids, (Ids{5, 6, 7, 8}));
    QCOMPARE(seqs[1].position_ids, (Ids{0, 1, 0, 1}));
    QCOMPARE(seqs[1].labels, (Ids{6, X, 8, X}));
    QCOMPARE(seqs[1].pieces[0].sample_offset, 4);
    QCOMPARE(stats.padding_tokens, 0);
  }

  void truncateAndDropNeverSplit() {
    PackStats stats;
    auto seqs = pack_samples({{1, {1, 2}, {}}, {2, {3, 4, 5, 6, 7}, {}}, {3, {8}, {}}},
                             options(4, true, true, Overflow::Truncate), &stats);
    QCOMPARE(seqs.size(), size_t{3});
    QCOMPARE(seqs[0].ids, (Ids{1, 2, P, P}));
    QCOMPARE(seqs[1].ids, (Ids{3, 4, 5, 6}));
    QCOMPARE(seqs[2].ids, (Ids{8, P, P, P}));
    QCOMPARE(stats.truncated_tokens, 1);

    seqs = pack_samples({{1, {1, 2}, {}}, {2, {3, 4, 5, 6, 7}, {}}, {3, {8, 9, 10}, {}}},
                        options(4, true, true, Overflow::Drop), &stats);
    QCOMPARE(seqs.size(), size_t{2});
    QCOMPARE(seqs[0].ids, (Ids{1, 2, P, P}));  // 8 9 10 does not fit beside 1 2
    QCOMPARE(seqs[1].ids, (Ids{8, 9, 10, P}));
    QCOMPARE(stats.dropped_samples, 1);
  }

  void splitPlacesEveryTokenOnceInOrder() {
    std::mt19937 rng(7);
    std::vector<PackInput> samples;
    for (int i = 0; i < 200; ++i) {
      PackInput s{i, {}, {}};
      const int n = 1 + static_cast<int>(rng() % 300);
      for (int k = 0; k < n; ++k) s.ids.push_back(static_cast<std::int32_t>(1 + rng() % 1000));
      samples.push_back(s);
    }
    for (const bool masking : {true, false}) {
      const auto seqs = pack_samples(samples, options(128, masking));
      std::vector<Ids> rebuilt(samples.size());
      for (const PackedSequence& seq : seqs) {
        QCOMPARE(seq.ids.size(), size_t{128});
        for (const PackedPiece& p : seq.pieces) {
          auto& out = rebuilt[static_cast<size_t>(p.sample_id)];
          QCOMPARE(static_cast<std::int64_t>(out.size()), p.sample_offset);
          out.insert(out.end(), seq.ids.begin() + p.seq_offset, seq.ids.begin() + p.seq_offset + p.length);
        }
        for (size_t t = 0; t + 1 < seq.ids.size(); ++t) {
          if (seq.labels[t] == X) continue;
          QCOMPARE(seq.labels[t], seq.ids[t + 1]);
          if (masking) QCOMPARE(seq.segment_ids[t], seq.segment_ids[t + 1]);
        }
      }
      for (size_t i = 0; i < samples.size(); ++i) QCOMPARE(rebuilt[i], samples[i].ids);
      QVERIFY(seqs.size() >= 2 && seqs.front().real_tokens() == 128);
    }
  }

  void badInputNamesTheSample() {
    SequencePacker packer(options(8));
    QVERIFY(error_of([&] { packer.add({42, {}, {}}); }).contains("sample 42 has no tokens"));
    QVERIFY(error_of([&] { packer.add({43, {1, 2}, {1}}); }).contains("sample 43 has 2 tokens but a loss mask of 1"));
    QVERIFY(error_of([] { SequencePacker p(options(1)); }).contains("seq_len must be at least 2"));
    QVERIFY(!packer.flush());
  }
};

QTEST_GUILESS_MAIN(TestPacking)
#include "test_packing.moc"
