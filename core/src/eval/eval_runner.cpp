// The eval runner (see eval_runner.h).
#include "rw/core/eval/eval_runner.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/sha256.h"
#include "rw/core/worker/progress.h"

namespace rw::core {
namespace {

// Depths are stored as REAL 0..1; keys compare them at 1e-9 so 0.35 read back equals 35 / 100.
using CellKey = std::tuple<std::string, std::int64_t, std::int64_t>;
CellKey key_of(const std::string& task, std::int64_t length, double depth01) {
  return {task, length, std::llround(depth01 * 1e9)};
}

}  // namespace

std::vector<std::pair<std::string, GridIndex>> eval_cell_order(const EvalSuite& suite) {
  std::vector<std::pair<std::string, GridIndex>> out;
  const auto order = coarse_to_fine_order(static_cast<std::int64_t>(suite.lengths.size()),
                                          static_cast<std::int64_t>(suite.depth_percents.size()));
  for (const std::string& task : grid_tasks(suite)) {
    for (const GridIndex& g : order) out.emplace_back(task, g);
  }
  return out;
}

EvalRunReport run_eval_suite(const EvalSuite& suite, const EvalTexts& texts, const EvalTarget& target,
                             const EvalRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EvalRunReport report;
  std::set<CellKey> existing;
  if (options.store) {
    for (const EvalCell& c : options.store->eval_cells_since(options.run_id, 0)) {
      if (c.checkpoint_step == options.checkpoint_step) existing.insert(key_of(c.task, c.length, c.depth));
    }
  }
  const auto order = eval_cell_order(suite);
  const std::vector<std::int64_t>& ppl_lengths = suite.ppl.lengths.empty() ? suite.lengths : suite.ppl.lengths;
  const bool ppl = suite.has(EvalTaskKind::Perplexity);
  const auto total = static_cast<std::int64_t>(order.size() + (ppl ? ppl_lengths.size() : 0));
  std::int64_t done = 0;
  const auto progress = [&](const std::string& detail) {
    if (options.progress) options.progress->update(done, total, detail);
  };

  if (!order.empty() && (!target.generator || !target.tokenizer))
    fail("eval: task {} needs a text generator and a tokenizer", order.front().first);
  std::optional<EvalItemBuilder> items;
  if (!order.empty()) items.emplace(suite, texts, *target.tokenizer, target.format);

  const auto store_cell = [&](const EvalItem& item, const std::string& output, double score) {
    EvalCell cell;
    cell.run_id = options.run_id;
    cell.checkpoint_step = options.checkpoint_step;
    cell.task = item.task;
    cell.length = item.length;
    cell.depth = item.depth_percent / 100.0;
    cell.score = score;
    cell.prompt_hash = sha256_hex(item.prompt.text);
    cell.output = output;
    if (options.store) cell.id = options.store->add_eval_cell(cell);
    if (cell.ts_ms == 0) cell.ts_ms = now_ms();
    ++done;
    progress(fmt::format("{} {} tok, depth {:g}%: {:.2f}", cell.task, cell.length, item.depth_percent, score));
    if (options.on_cell) options.on_cell(cell);
    report.cells.push_back(std::move(cell));
  };

  std::vector<EvalItem> batch;
  const auto flush = [&] {
    if (batch.empty()) return;
    std::vector<Prompt> prompts;
    for (const EvalItem& item : batch) prompts.push_back(item.prompt);
    const auto outputs = target.generator->generate(prompts, greedy_decoding(batch.front().max_new_tokens));
    if (outputs.size() != batch.size())
      fail("eval: the generator returned {} outputs for {} prompts", outputs.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i)
      store_cell(batch[i], outputs[i].text, score_output(batch[i].score, outputs[i].text));
    batch.clear();
  };

  // A stop request is honoured between batches: the cells scored so far stay stored, and a later run of the
  // same suite on the same run computes only the missing ones.
  const auto stop_now = [&] {
    if (!report.stopped && options.should_stop && options.should_stop()) report.stopped = true;
    return report.stopped;
  };
  for (const auto& [task, g] : order) {
    if (batch.empty() && stop_now()) break;
    const std::int64_t length = suite.lengths[static_cast<std::size_t>(g.length_index)];
    const double depth = suite.depth_percents[static_cast<std::size_t>(g.depth_index)];
    if (existing.count(key_of(task, length, depth / 100.0))) {
      ++report.skipped;
      ++done;
      continue;
    }
    EvalItem item = items->item(task, length, g.depth_index);
    const bool joins = !batch.empty() && batch.front().task == item.task && batch.front().length == item.length &&
                       batch.front().max_new_tokens == item.max_new_tokens &&
                       static_cast<std::int64_t>(batch.size()) < suite.batch_size;
    if (!joins) flush();
    if (batch.empty() && stop_now()) break;
    batch.push_back(std::move(item));
  }
  if (!report.stopped) flush();

  if (ppl && !report.stopped) {
    if (!target.model || !target.tokenizer) fail("eval: task ppl needs the model and its tokenizer");
    std::vector<std::vector<std::int32_t>> docs;
    for (const std::string& text : texts.ppl_documents) docs.push_back(target.tokenizer->encode(text, true));
    for (const std::int64_t length : ppl_lengths) {
      if (stop_now()) break;
      if (existing.count(key_of("ppl/mean_nll", length, 0.0))) {
        ++report.skipped;
        ++done;
        continue;
      }
      PerplexityResult r =
          perplexity_by_position(*target.model, docs, length, suite.ppl.bucket_tokens, suite.ppl.block_rows);
      const std::string summary = fmt::format("{{\"documents\": {}, \"mean_doc_ppl\": {}, \"ppl\": {}}}", r.documents,
                                              r.mean_doc_ppl, std::exp(r.mean_nll));
      // One transaction per length: a crash never leaves a curve without its mean_nll (the resume key).
      std::optional<Transaction> tx;
      if (options.store) tx.emplace(options.store->database());
      for (const PerplexityBucket& b : r.buckets) {
        EvalCell cell{0,
                      options.run_id,
                      options.checkpoint_step,
                      "ppl/nll_by_position",
                      length,
                      static_cast<double>(b.start) / static_cast<double>(length),
                      b.mean_nll,
                      "",
                      "",
                      0};
        if (options.store) cell.id = options.store->add_eval_cell(cell);
        report.cells.push_back(cell);
      }
      EvalCell mean{0, options.run_id, options.checkpoint_step, "ppl/mean_nll", length, 0.0, r.mean_nll, "", summary,
                    0};
      if (options.store) mean.id = options.store->add_eval_cell(mean);
      if (tx) tx->commit();
      ++done;
      progress(fmt::format("ppl {} tok: nll {:.4f}, ppl {:.3f}", length, r.mean_nll, std::exp(r.mean_nll)));
      if (options.on_cell) options.on_cell(mean);
      report.cells.push_back(std::move(mean));
      report.perplexity.push_back(std::move(r));
    }
  }
  if (options.progress) {
    options.progress->update(done, total, report.stopped ? "stopped" : "done");
    options.progress->finish();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

EvalRunReport run_eval_suite(const EvalSuite& suite, const EvalTarget& target, RunStore& store, std::int64_t run_id,
                             std::int64_t checkpoint_step, ProgressReporter* progress) {
  const EvalTexts texts = load_eval_texts(suite, &store.database());
  EvalRunOptions options;
  options.store = &store;
  options.run_id = run_id;
  options.checkpoint_step = checkpoint_step;
  options.progress = progress;
  return run_eval_suite(suite, texts, target, options);
}

}  // namespace rw::core
