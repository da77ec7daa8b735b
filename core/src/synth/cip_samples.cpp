// Chunk Interleaved Pretraining (LongSkywork, arXiv 2406.00605): `documents` corpus documents are cut into
// chunks of about chunk_tokens tokens and interleaved — round robin, or a random open document each time —
// into one raw text of the target length; a document that runs out gives its place to a fresh one. The
// model must track several documents across long distances to predict each chunk's continuation. Every
// chunk is a segment with its document and byte range; the sample trains without document masking inside
// it (it is one item to the packer).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "rw/core/synth/synthesizer.h"
#include "rw/core/util/splitmix64.h"
#include "text_scan.h"

namespace rw::core {
namespace {

constexpr std::string_view kJoin = "\n\n";

using synth_text::is_space;

/// The first whitespace byte at or after `at` (or the end): chunks end between words, never inside a
/// UTF-8 sequence.
std::int64_t cut_after(const std::string& text, std::int64_t at) {
  auto i = static_cast<size_t>(std::clamp<std::int64_t>(at, 0, static_cast<std::int64_t>(text.size())));
  while (i < text.size() && !is_space(text[i])) ++i;
  return static_cast<std::int64_t>(i);
}

/// A document being read chunk by chunk.
struct OpenDocument {
  std::int64_t corpus_index = 0;
  std::int64_t position = 0;  ///< next byte to read
  std::int64_t chunks = 0;    ///< chunks taken so far
  double bytes_per_token = 4;
};

}  // namespace

SynthSample make_cip_sample(Synthesizer& synth, std::int64_t index) {
  const SynthCip& cip = synth.config().cip;
  CorpusTexts& corpus = synth.corpus();
  const std::int64_t target = synth.config().length_of(index);
  SplitMix64 rng(synth.sample_seed(index));

  // Documents in a random order without repeats; each is opened once.
  std::vector<std::int64_t> order(static_cast<size_t>(corpus.size()));
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  rng.shuffle(order);
  size_t next_document = 0;
  const auto open = [&]() -> std::optional<OpenDocument> {
    while (next_document < order.size()) {
      const std::int64_t i = order[next_document++];
      const std::string& text = corpus.text(i);
      if (text.find_first_not_of(" \n\t\r") == std::string::npos) continue;
      const auto tokens = static_cast<double>(synth.tokenizer().encode(text, false).size());
      return OpenDocument{.corpus_index = i, .bytes_per_token = static_cast<double>(text.size()) / std::max(1.0, tokens)};
    }
    return std::nullopt;
  };
  std::vector<OpenDocument> slots;
  for (std::int64_t k = 0; k < cip.documents; ++k) {
    if (auto d = open()) slots.push_back(*d);
  }

  SegmentedText text(0);
  nlohmann::json documents = nlohmann::json::array();
  std::int64_t estimated = 2;  // BOS and EOS
  size_t turn = 0;
  // Chunks are sized by each document's bytes per token; the exact count is checked after assembly.
  while (!slots.empty() && estimated < target) {
    const size_t slot = cip.order == SynthCip::Order::RoundRobin
                            ? turn++ % slots.size()
                            : static_cast<size_t>(rng.uniform(0, static_cast<std::int64_t>(slots.size()) - 1));
    OpenDocument& d = slots[slot];
    const std::string& doc = corpus.text(d.corpus_index);
    const std::int64_t room = std::min(cip.chunk_tokens, target - estimated);
    std::int64_t begin = d.position;
    while (begin < static_cast<std::int64_t>(doc.size()) && is_space(doc[static_cast<size_t>(begin)])) ++begin;
    const std::int64_t end = cut_after(doc, begin + static_cast<std::int64_t>(static_cast<double>(room) * d.bytes_per_token));
    if (end > begin) {
      if (text.size() > 0) text.plain(kJoin);
      const nlohmann::json meta = {{"document", corpus.id(d.corpus_index)}, {"chunk", d.chunks}};
      text.add(std::string_view(doc).substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin)), "chunk",
               meta.dump(), corpus.id(d.corpus_index), begin, end);
      estimated += static_cast<std::int64_t>(static_cast<double>(end - begin) / d.bytes_per_token) + 1;
      ++d.chunks;
      documents.push_back(corpus.id(d.corpus_index));
    }
    d.position = end;
    if (d.position >= static_cast<std::int64_t>(doc.size())) {
      if (auto fresh = open()) {
        d = *fresh;
      } else {
        slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(slot));
      }
    }
  }

  SynthSample sample;
  std::vector<SampleSegment> segments = text.segments();
  std::string body = text.text();
  // Byte estimates can overshoot: drop trailing words of the last chunk until the count fits.
  for (std::int64_t n = synth.count_tokens({{std::string(kTextRole), body}}); n > target && !segments.empty();
       n = synth.count_tokens({{std::string(kTextRole), body}})) {
    SampleSegment& last = segments.back();
    const std::int64_t excess_bytes = std::max<std::int64_t>(1, (n - target) * 3);
    std::int64_t cut = std::max(last.byte_begin, last.byte_end - excess_bytes);
    while (cut > last.byte_begin && !is_space(body[static_cast<size_t>(cut)])) --cut;
    if (cut <= last.byte_begin) {
      body.resize(static_cast<size_t>(std::max<std::int64_t>(0, last.byte_begin - static_cast<std::int64_t>(kJoin.size()))));
      segments.pop_back();
      continue;
    }
    *last.source_end -= last.byte_end - cut;
    last.byte_end = cut;
    body.resize(static_cast<size_t>(cut));
  }
  const std::int64_t n_tokens = synth.count_tokens({{std::string(kTextRole), body}});
  // Within a chunk's worth of the target is "met"; less means the corpus ran out.
  const std::int64_t floor = target - std::min(cip.chunk_tokens, target / 10);
  if (n_tokens < floor)
    throw SampleShortfall(fmt::format("corpus '{}' ran out after {} tokens of interleaved chunks (target {}); add "
                                      "documents or lower the length",
                                      corpus.name(), n_tokens, target));
  sample.messages = {{std::string(kTextRole), body}};
  sample.segments = std::move(segments);
  nlohmann::json distinct = nlohmann::json::array();
  for (const auto& d : documents) {
    if (std::find(distinct.begin(), distinct.end(), d) == distinct.end()) distinct.push_back(d);
  }
  sample.meta_json = nlohmann::json{{"corpus", corpus.name()},
                                    {"order", cip.order == SynthCip::Order::RoundRobin ? "round_robin" : "random"},
                                    {"chunk_tokens", cip.chunk_tokens},
                                    {"documents", distinct}}
                         .dump();
  return sample;
}

}  // namespace rw::core
