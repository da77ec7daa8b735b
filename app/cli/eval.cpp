// ropewalk-cli eval commands: flags -> an EvalSuite (through the strict suite parser, so the command line
// and suite files obey the same rules), the model and tokenizer loaded once, then core's run_eval_suite.
// With --project the run is a row of kind "eval" in the project's store (running -> finished|failed, a
// heartbeat per cell) and every cell is stored as it is scored; without, results are only printed.
#include "eval.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "args.h"
#include "rw/core/eval/eval_runner.h"
#include "rw/core/io/hf_model_dir.h"
#include "rw/core/model/text_generator.h"
#include "rw/core/runtime/device.h"
#include "rw/core/runtime/dtype.h"
#include "rw/core/runtime/exception_message.h"
#include "rw/core/store/project.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"
#include "rw/core/worker/progress.h"
#include "rw/core/worker/run_lease.h"
#include "rw/core/worker/stop_signal.h"
#include "rw/core/worker/worker_output.h"

namespace rw::app {

using namespace rw::core;
using json = nlohmann::json;

namespace {

constexpr const char* kUsage =
    "usage: ropewalk-cli eval niah|passkey|ruler|ppl MODEL_DIR [--project DIR] [--run-name NAME | --run-id N]\n"
    "    [--lengths 1000,2000,.. | --length-range MIN:MAX:N] [--depths 0,50,100 | --depth-count N [--sigmoid]]\n"
    "    niah:  [--needle T --question T (--answer T | --keywords a,b,..)] [--buffer N] [--no-snap]\n"
    "    niah, ruler: [--haystack FILE | --haystack-corpus NAME]\n"
    "    ruler: [--tasks niah_single_1,vt,..]   ppl: --text FILE [--text FILE ..] [--bucket N]\n"
    "    [--chat llama2|llama3|mistral|qwen2|plain | --completion] [--batch-size N] [--max-new-tokens N] [--seed N]\n"
    "    [--checkpoint-step N] [--device cpu|cuda|auto] [--dtype float32|bfloat16|float16] [--json]\n"
    "    [--progress human|json|none]\n"
    "  or: ropewalk-cli eval suite MODEL_DIR SUITE.json [--project DIR] [common options]";

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c != ',') {
      item += c;
      continue;
    }
    if (!item.empty()) out.push_back(item);
    item.clear();
  }
  return out;
}

json parse_number(const std::string& flag, const std::string& text, bool integer) {
  try {
    size_t used = 0;
    if (integer) {
      const long long v = std::stoll(text, &used);
      if (used == text.size()) return v;
    } else {
      const double v = std::stod(text, &used);
      if (used == text.size()) return v;
    }
  } catch (const std::exception&) {
  }
  fail("option --{} needs {}, got '{}'", flag, integer ? "integers" : "numbers", text);
}

/// The suite JSON the flags describe (validated by parse_eval_suite afterwards).
json suite_from_flags(const std::string& kind, const CliArgs& args) {
  json s = json::object();
  s["tasks"] = {kind};
  if (auto v = args.get("lengths")) {
    json list = json::array();
    for (const auto& item : split_commas(*v)) list.push_back(parse_number("lengths", item, true));
    s["lengths"] = list;
  } else if (auto r = args.get("length-range")) {
    const auto parts = [&] {
      std::vector<std::string> p;
      std::string cur;
      for (const char c : *r + ":") {
        if (c == ':') {
          p.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      return p;
    }();
    if (parts.size() != 3) fail("--length-range needs MIN:MAX:N, got '{}'", *r);
    s["lengths"] = {{"min", parse_number("length-range", parts[0], true)},
                    {"max", parse_number("length-range", parts[1], true)},
                    {"count", parse_number("length-range", parts[2], true)}};
  }
  if (auto v = args.get("depths")) {
    json list = json::array();
    for (const auto& item : split_commas(*v)) list.push_back(parse_number("depths", item, false));
    s["depths"] = list;
  } else if (args.has("depth-count")) {
    s["depths"] = {{"count", args.get_int("depth-count", 35)}, {"spacing", args.has("sigmoid") ? "sigmoid" : "linear"}};
  }
  if (args.has("batch-size")) s["batch_size"] = args.get_int("batch-size", 4);
  if (args.has("seed")) s["seed"] = args.get_int("seed", 42);
  if (args.has("chat") && args.has("completion")) fail("give --chat FAMILY or --completion, not both");
  if (auto v = args.get("chat")) s["prompt_format"] = *v;
  if (args.has("completion")) s["prompt_format"] = "completion";
  if (auto v = args.get("haystack")) s["haystack"]["file"] = *v;
  if (auto v = args.get("haystack-corpus")) s["haystack"]["corpus"] = *v;
  const auto max_new = args.get("max-new-tokens");
  if (kind == "niah") {
    json n = json::object();
    for (const char* key : {"needle", "question", "answer"}) {
      if (auto v = args.get(key)) n[key] = *v;
    }
    if (auto v = args.get("keywords")) n["keywords"] = split_commas(*v);
    if (args.has("buffer")) n["buffer_tokens"] = args.get_int("buffer", 200);
    if (args.has("no-snap")) n["snap_to_sentence"] = false;
    if (max_new) n["max_new_tokens"] = args.get_int("max-new-tokens", 300);
    if (!n.empty()) s["niah"] = n;
  } else if (kind == "passkey") {
    if (max_new) s["passkey"] = {{"max_new_tokens", args.get_int("max-new-tokens", 10)}};
  } else if (kind == "ruler") {
    if (auto v = args.get("tasks")) s["ruler"]["tasks"] = split_commas(*v);
  } else if (kind == "ppl") {
    s["ppl"]["texts"] = args.all("text");
    if (args.has("bucket")) s["ppl"]["bucket_tokens"] = args.get_int("bucket", 256);
  }
  if (kind != "niah" && kind != "passkey" && max_new) fail("--max-new-tokens applies to niah and passkey only");
  return s;
}

/// Mean score per task over the cells of this report.
std::map<std::string, std::pair<double, std::int64_t>> task_means(const std::vector<EvalCell>& cells) {
  std::map<std::string, std::pair<double, std::int64_t>> out;
  for (const EvalCell& c : cells) {
    if (c.task.starts_with("ppl/")) continue;
    out[c.task].first += c.score;
    out[c.task].second += 1;
  }
  return out;
}

void print_table(const EvalSuite& suite, const EvalRunReport& report) {
  std::map<std::string, std::map<std::pair<double, std::int64_t>, double>> grid;  // task -> (depth, length) -> score
  for (const EvalCell& c : report.cells) {
    if (!c.task.starts_with("ppl/")) grid[c.task][{c.depth, c.length}] = c.score;
  }
  for (const auto& [task, cells] : grid) {
    std::cout << fmt::format("{}: score by depth (rows) and length (columns)\n{:>7}", task, "depth");
    for (const std::int64_t l : suite.lengths) std::cout << fmt::format(" {:>7}", l);
    std::cout << "\n";
    for (const double d : suite.depth_percents) {
      std::cout << fmt::format("{:>6g}%", d);
      for (const std::int64_t l : suite.lengths) {
        const auto it = cells.find({d / 100.0, l});
        std::cout << (it == cells.end() ? fmt::format(" {:>7}", "-") : fmt::format(" {:>7.2f}", it->second));
      }
      std::cout << "\n";
    }
  }
  for (const auto& [task, m] : task_means(report.cells))
    std::cout << fmt::format("{}: mean score {:.3f} over {} cells\n", task, m.first / static_cast<double>(m.second),
                             m.second);
  for (const PerplexityResult& r : report.perplexity) {
    std::cout << fmt::format("ppl at {} tokens over {} documents: mean NLL {:.4f} (ppl {:.3f}), mean doc ppl {:.3f}\n",
                             r.length, r.documents, r.mean_nll, std::exp(r.mean_nll), r.mean_doc_ppl);
    for (const PerplexityBucket& b : r.buckets)
      std::cout << fmt::format("  positions {:>6}..{:<6} NLL {:.4f}\n", b.start, b.end - 1, b.mean_nll);
  }
  if (report.skipped > 0) std::cout << fmt::format("{} cells were already stored and skipped\n", report.skipped);
}

json report_json(const EvalRunReport& report, std::optional<std::int64_t> run_id, const std::string& format,
                 const std::string& haystack) {
  json out = {{"run_id", run_id ? json(*run_id) : json(nullptr)},
              {"prompt_format", format},
              {"haystack", haystack},
              {"skipped", report.skipped},
              {"stopped", report.stopped},
              {"seconds", report.seconds}};
  json cells = json::array();
  for (const EvalCell& c : report.cells)
    cells.push_back({{"task", c.task},
                     {"length", c.length},
                     {"depth", c.depth},
                     {"score", c.score},
                     {"prompt_hash", c.prompt_hash},
                     {"output", c.output}});
  out["cells"] = cells;
  json means = json::object();
  for (const auto& [task, m] : task_means(report.cells)) means[task] = m.first / static_cast<double>(m.second);
  out["mean_scores"] = means;
  json ppl = json::array();
  for (const PerplexityResult& r : report.perplexity) {
    json buckets = json::array();
    for (const PerplexityBucket& b : r.buckets)
      buckets.push_back({{"start", b.start}, {"end", b.end}, {"nll", b.mean_nll}});
    ppl.push_back({{"length", r.length},
                   {"documents", r.documents},
                   {"mean_nll", r.mean_nll},
                   {"ppl", std::exp(r.mean_nll)},
                   {"mean_doc_ppl", r.mean_doc_ppl},
                   {"buckets", buckets}});
  }
  out["perplexity"] = ppl;
  return out;
}

}  // namespace

int run_eval(const std::string& kind, const std::vector<std::string>& argv) {
  if (kind != "niah" && kind != "passkey" && kind != "ruler" && kind != "ppl" && kind != "suite")
    fail("unknown eval '{}' (expected niah, passkey, ruler, ppl or suite)", kind);
  const CliArgs args(
      argv, {"project",         "run-name", "run-id", "lengths",  "length-range", "depths",          "depth-count",
             "needle",          "question", "answer", "keywords", "haystack",     "haystack-corpus", "buffer",
             "tasks",           "text",     "bucket", "chat",     "batch-size",   "max-new-tokens",  "seed",
             "checkpoint-step", "device",   "dtype",  "progress"},
      {"json", "sigmoid", "no-snap", "completion"});
  const std::size_t want = kind == "suite" ? 2 : 1;
  if (args.positionals().size() != want) fail("{}", kUsage);
  const std::filesystem::path model_dir = args.positionals()[0];
  install_stop_signal_handlers();

  std::optional<Project> project;
  std::optional<RunStore> store;
  std::optional<RunLease> lease;
  const LeaseRequest request{
      .kind = "eval", .name = args.get_or("run-name", fmt::format("eval {} {}", kind, model_dir.filename().string()))};
  if (auto dir = args.get("project")) {
    project.emplace(Project::open(*dir));
    store.emplace(project->open_store());
    // A run the GUI queued (or a stopped eval continued) is taken first, so that bad input is its failure.
    if (args.has("run-id")) {
      const std::int64_t id = args.get_int("run-id", 0);
      lease.emplace(store->run(id).state == RunState::Queued ? RunLease::adopt(*store, id, request)
                                                             : RunLease::reopen(*store, id, request));
    }
  } else if (args.has("run-id") || args.has("run-name")) {
    fail("--run-id and --run-name need --project");
  }

  const ProgressMode mode = progress_mode_from_string(args.get_or("progress", args.has("json") ? "none" : "human"));
  ProgressReporter progress(mode, "eval", "cells");
  std::optional<EvalSuite> suite;
  std::optional<EvalTexts> texts;
  std::optional<LoadedModel> loaded;
  std::unique_ptr<Tokenizer> tokenizer;
  std::optional<LlamaTextGenerator> generator;
  EvalTarget target;
  EvalRunOptions options;
  nlohmann::json config;
  try {  // every input is checked and loaded before a new run row is written
    suite = kind == "suite" ? parse_eval_suite(read_text_file(args.positionals()[1]), args.positionals()[1])
                            : parse_eval_suite(suite_from_flags(kind, args).dump(), "command line");
    resolve_suite_paths(*suite, kind == "suite" ? std::filesystem::absolute(args.positionals()[1]).parent_path()
                                                : std::filesystem::current_path());
    texts = load_eval_texts(*suite, store ? &store->database() : nullptr);
    const auto device = resolve_device(args.get_or("device", "auto"));
    std::optional<at::ScalarType> dtype;
    if (auto d = args.get("dtype")) dtype = scalar_type(dtype_from_name(*d));
    loaded = load_hf_model(model_dir, device, dtype);
    tokenizer = load_tokenizer(model_dir);
    check_tokenizer_fits(*tokenizer, loaded->config, model_dir / "config.json");
    generator.emplace(loaded->model, *tokenizer, loaded->generation);
    target = EvalTarget{&*generator, tokenizer.get(), resolve_prompt_format(suite->prompt_format, model_dir),
                        &loaded->model};
    options.checkpoint_step = args.get_int("checkpoint-step", 0);
    options.progress = &progress;
    options.should_stop = [] { return stop_requested(); };
    config = {{"model", std::filesystem::absolute(model_dir).string()},
              {"checkpoint_step", options.checkpoint_step},
              {"prompt_format", chat_format_name(target.format)},
              {"haystack", texts->haystack_name},
              {"device", device.str()},
              {"suite", json::parse(eval_suite_to_json(*suite))}};
  } catch (const std::exception& e) {
    if (lease) lease->fail(exception_message(e));
    throw;
  }

  EvalRunReport report;
  if (store) {
    if (lease) {
      store->set_config(lease->run_id(), config.dump());
    } else {
      LeaseRequest create = request;
      create.config_json = config.dump();
      lease.emplace(RunLease::create(*store, create));
    }
    options.store = &*store;
    options.run_id = lease->run_id();
    options.on_cell = [&](const EvalCell&) { lease->heartbeat(); };
    run_job(
        *lease,
        [&] {
          report = run_eval_suite(*suite, *texts, target, options);
          return report.stopped ? RunState::Stopped : RunState::Finished;
        },
        exception_message);
  } else {
    WorkerOutput::instance().started(std::nullopt);
    report = run_eval_suite(*suite, *texts, target, options);
  }
  const std::optional<std::int64_t> run_id = lease ? std::optional(lease->run_id()) : std::nullopt;
  const std::string format_name(chat_format_name(target.format));
  const json result = report_json(report, run_id, format_name, texts->haystack_name);
  if (WorkerOutput::instance().json()) {
    WorkerOutput::instance().result(result.dump(-1, ' ', false, json::error_handler_t::replace));
  } else if (args.has("json")) {
    std::cout << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    print_table(*suite, report);
    std::cout << fmt::format("prompt format {}, haystack {}, {} cells in {:.1f} s{}{}\n", format_name,
                             texts->haystack_name, report.cells.size(), report.seconds,
                             run_id ? fmt::format(", run {}", *run_id) : std::string(),
                             report.stopped ? ", stopped on request" : "");
  }
  return report.stopped ? kStoppedExitCode : 0;
}

}  // namespace rw::app
