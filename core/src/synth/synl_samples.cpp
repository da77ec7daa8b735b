// Synthetic Lengthy Tables as chat samples (LongSkywork SynL): the user turn is an instruction, a table of as
// many rows as fit the target length (synl.h makes and renders it) and its questions; the assistant turn is
// the answers, computed by code. The rows holding the evidence are `needle` segments, the other rows
// `table` segments, so the inspector shows where the answer sits relative to the question.
#include <nlohmann/json.hpp>

#include "rw/core/synth/synl.h"
#include "rw/core/synth/synthesizer.h"
#include "rw/core/tasks/eval_grid.h"

namespace rw::core {
namespace {

constexpr std::string_view kInstruction = "Read the table below and answer the question after it.\n\n";
constexpr std::string_view kInstructionMany =
    "Read the table below and answer the questions after it, one answer per line, numbered like the questions.\n\n";
constexpr std::int64_t kProbeRows = 16;

struct Built {
  SynthSample sample;
  std::int64_t rows = 0;
};

/// The sample with `rows` rows; questions are drawn after the table from the same seed, so a row count
/// always gives the same sample.
Built build(Synthesizer& synth, std::int64_t index, std::int64_t rows) {
  const SynthSynl& synl = synth.config().synl;
  const std::uint64_t seed = synth.sample_seed(index);
  SplitMix64 rng(seed);
  const TableFormat format = synl.formats[static_cast<size_t>(rng.uniform(0, static_cast<std::int64_t>(synl.formats.size()) - 1))];
  const SynTable table = make_table(rng.next(), rows);
  const RenderedTable rendered = render_table(table, format);
  std::vector<TableQa> questions;
  std::vector<bool> evidence(static_cast<size_t>(rows), false);
  for (std::int64_t q = 0; q < synl.questions_per_sample; ++q) {
    const auto type = synl.questions[static_cast<size_t>((index + q) % static_cast<std::int64_t>(synl.questions.size()))];
    try {
      questions.push_back(make_table_question(table, type, rng));
    } catch (const Error& e) {
      throw SampleShortfall(fmt::format("no {} question for a table of {} rows: {}", table_question_name(type), rows,
                                        e.what()));
    }
    for (const std::int64_t r : questions.back().evidence_rows) evidence[static_cast<size_t>(r)] = true;
  }

  const bool many = questions.size() > 1;
  SegmentedText user(0);
  user.add(many ? kInstructionMany : kInstruction, "instruction");
  const std::int64_t header_end = rendered.row_bytes.empty() ? static_cast<std::int64_t>(rendered.text.size())
                                                             : rendered.row_bytes.front().first;
  const auto table_bytes = [&](std::int64_t begin, std::int64_t end) {
    return std::string_view(rendered.text).substr(static_cast<size_t>(begin), static_cast<size_t>(end - begin));
  };
  user.add(table_bytes(0, header_end), "table", nlohmann::json{{"part", "header"}, {"format", table_format_name(format)}}.dump());
  // Runs of rows without evidence become one segment; each evidence row its own.
  for (std::int64_t r = 0; r < rows;) {
    const auto [begin, end] = rendered.row_bytes[static_cast<size_t>(r)];
    if (evidence[static_cast<size_t>(r)]) {
      user.add(table_bytes(begin, end), "needle", nlohmann::json{{"row", r}}.dump());
      ++r;
      continue;
    }
    std::int64_t last = r;
    while (last + 1 < rows && !evidence[static_cast<size_t>(last + 1)]) ++last;
    user.add(table_bytes(begin, rendered.row_bytes[static_cast<size_t>(last)].second), "table",
             nlohmann::json{{"rows", {r, last + 1}}}.dump());
    r = last + 1;
  }
  SegmentedText assistant(1);
  nlohmann::json qa = nlohmann::json::array();
  for (size_t q = 0; q < questions.size(); ++q) {
    const std::string number = many ? fmt::format("{}. ", q + 1) : std::string();
    user.plain("\n");
    user.add(number + questions[q].question, "question", nlohmann::json{{"type", table_question_name(questions[q].type)}}.dump());
    if (q > 0) assistant.plain("\n");
    assistant.add(number + questions[q].answer, "answer");
    qa.push_back({{"type", table_question_name(questions[q].type)},
                  {"question", questions[q].question},
                  {"answer", questions[q].answer},
                  {"evidence_rows", questions[q].evidence_rows}});
  }
  Built out;
  out.rows = rows;
  out.sample.messages = {{"user", user.text()}, {"assistant", assistant.text()}};
  out.sample.segments = user.segments();
  for (SampleSegment& g : assistant.segments()) out.sample.segments.push_back(std::move(g));
  out.sample.meta_json = nlohmann::json{{"table", table.title},
                                        {"format", table_format_name(format)},
                                        {"rows", rows},
                                        {"columns", table.columns.size()},
                                        {"questions", qa}}
                             .dump();
  return out;
}

}  // namespace

SynthSample make_synl_sample(Synthesizer& synth, std::int64_t index) {
  const std::int64_t target = synth.config().length_of(index);
  const auto tokens = [&](std::int64_t rows) { return synth.count_tokens(build(synth, index, rows).sample.messages); };
  // The search's upper bound from a small table's tokens per row, with room for estimate error.
  const std::int64_t probe = tokens(kProbeRows);
  const std::int64_t per_row = std::max<std::int64_t>(1, probe / kProbeRows);
  const std::int64_t limit = std::min(kMaxSynTableRows, std::max(kProbeRows, 2 * target / per_row + kProbeRows));
  // Compare needs two rows, so counts below two probe two (largest_fitting wants a monotone test).
  const std::int64_t rows =
      largest_fitting(limit, [&](std::int64_t n) { return tokens(std::max<std::int64_t>(n, 2)) <= target; });
  if (rows < 0)
    throw SampleShortfall(fmt::format("a table of two rows with its question takes more than the target {} tokens",
                                      target));
  return build(synth, index, std::max<std::int64_t>(rows, 2)).sample;
}

}  // namespace rw::core
