// ropewalk-cli: Ropewalk's headless workers and command line. Links the core libraries only, so it runs
// unchanged on a GPU machine without Qt. Every failure prints one readable line and exits non-zero; a worker
// run with --progress json ends its protocol output with an `error` event instead (docs/worker-protocol.md).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "corpus.h"
#include "dataset.h"
#include "synth.h"
#include "eval.h"
#include "heatmap.h"
#include "model.h"
#include "project.h"
#include "runs.h"
#include "rw/core/runtime/exception_message.h"
#include "rw/core/util/error.h"
#include "rw/core/worker/worker_output.h"
#include "train.h"

namespace {

constexpr const char* kUsage = R"(usage: ropewalk-cli COMMAND ...

commands:
  model info DIR [--json]        architecture, parameters, context length, RoPE, dtype, memory
  model import-gguf FILE.gguf OUT_DIR [--dtype float32|bfloat16] [--json]
                                 a GGUF model (llama, qwen2) as an HF folder: weights dequantized, tokenizer
                                 rebuilt, chat template kept
  generate DIR --prompt TEXT     stream a completion (see `ropewalk-cli generate` for options); --max-new-tokens
                                 past the model's context (max_position_embeddings) is lowered to fit, with a warning
  project init DIR [--name NAME] [--tokenizer PATH] [--chunk-tokens N] [--chunk-overlap N]
                                 create a project folder: settings, run store, corpus/, checkpoints/, exports/
  project info DIR [--json]      a project's settings, store schema and runs by state
  runs list PROJECT [--json]     every run: state (a dead process reads crashed), last step, reason
  runs show PROJECT ID [--json]  one run: process, times, reason, checkpoints, latest metrics, events, config
  corpus add PROJECT [PATH...]   import text files, folders, JSONL (--jsonl-field F) or repositories (--repo);
                                 no PATH: the project's corpus/ folder
        [--corpus NAME] [--include GLOB]... [--exclude GLOB]... [--tokenizer DIR] [--chunk-tokens N]
        [--chunk-overlap N] [--max-file-bytes N] [--json] [--progress human|json|none]
  corpus stats PROJECT [--corpus NAME] [--tokenizer DIR] [--json]
                                 documents, bytes, chunks, token-length distribution
  corpus search PROJECT QUERY [--corpus NAME] [--top-k N] [--fts] [--json]
                                 BM25 search over chunks (--fts: QUERY is FTS5 syntax)
  train PROJECT RUN.json [--resume [--run ID]] [--run-id ID] [--max-steps N] [--progress human|json|none] [--json]
                                 train a run config's stages; metrics, checkpoints and state go to the store;
                                 Ctrl-C checkpoints and stops; --resume continues from the last checkpoint
  dataset import PROJECT FILE.jsonl --name NAME [--format auto|messages|sharegpt|alpaca] [--json]
                                 import chat samples (OpenAI messages, ShareGPT or Alpaca lines) into a dataset
  dataset list PROJECT [--json]  datasets with their sample counts
  dataset show PROJECT NAME [--sample ID | --index N] [--json]
                                 a dataset and its first samples, or one sample: messages, provenance, segments
  dataset export PROJECT NAME OUT_DIR [--json]
                                 JSONL for LLaMA-Factory (sharegpt, alpaca, dataset_info.json) and Axolotl
                                 (chat_template or completion, axolotl.yaml), with manifest.json
  synth run PROJECT SYNTH.json [--run-id ID] [--progress human|json|none] [--json]
                                 fill a dataset from a synth config (docs/synth-config.md); run again to continue
  synth preview PROJECT SYNTH.json [--index N] [--color auto|always|never] [--json]
                                 make one sample and print it with its segments coloured by role; stores nothing
  synth show PROJECT DATASET [--index N] [--color auto|always|never]
                                 a stored synthesized sample with its segments and provenance
  synth regenerate PROJECT DATASET [--index N] [--json]
                                 rebuild a stored sample from its provenance and compare (exit 1 if it differs)
  eval niah|passkey|ruler|ppl MODEL_DIR [--project DIR] [--lengths ..] [--depths ..] [--json]
                                 long-context evals; cells stream into the project's store (see `ropewalk-cli eval`)
  eval suite MODEL_DIR SUITE.json [--project DIR]
                                 every eval of a suite file (the format periodic evals in training use)
  eval export-heatmap PROJECT --run ID|NAME [--step N] [--task niah] [--model-name TEXT]
                     [--out PATH.png|.svg|.pdf] [--format png|svg|pdf] [--json]
                                 NIAH heatmap (PNG, SVG or PDF) of a run's eval cells (default: latest step, exports/)

worker commands (train, eval, corpus add, synth run) take --run-id ID (a queued run to work on) and --progress json
(the worker protocol on stdout, docs/worker-protocol.md); SIGINT/SIGTERM stop them cleanly (exit 130).
)";

/// The lines of kUsage for `command` (and `sub`, when it is one of its subcommands), continuation lines
/// included; "" when kUsage has none.
std::string command_usage(const std::string& command, const std::string& sub) {
  std::string out;
  bool in_entry = false;
  const std::string text = kUsage;
  for (size_t begin = 0, end; begin < text.size(); begin = end + 1) {
    end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    const bool entry = line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ';
    if (entry) {
      const std::string head = line.substr(2);
      const bool command_matches = head.rfind(command + " ", 0) == 0 || head == command;
      const bool sub_matches = sub.empty() || head.rfind(command + " " + sub, 0) == 0 ||
                               head.find(" " + sub + "|") != std::string::npos ||
                               head.find("|" + sub) != std::string::npos;
      in_entry = command_matches && sub_matches;
    } else if (line.rfind("    ", 0) != 0) {
      in_entry = false;
    }
    if (in_entry) out += line + "\n";
  }
  return out;
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

/// The run kind of a worker command ("" for the other commands).
std::string worker_kind(const std::vector<std::string>& args) {
  if (args.empty()) return "";
  if (args[0] == "train") return "train";
  if (args[0] == "eval" && args.size() >= 2 && args[1] != "export-heatmap") return "eval";
  if (args[0] == "corpus" && args.size() >= 2 && args[1] == "add") return "import";
  if (args[0] == "synth" && args.size() >= 2 && args[1] == "run") return "synth";
  return "";
}

/// Whether the command line asks for the worker protocol (--progress json or --progress=json).
bool wants_protocol(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--progress=json" || (args[i] == "--progress" && i + 1 < args.size() && args[i + 1] == "json"))
      return true;
  }
  return false;
}

/// One failure, as the command's last words: an `error` event for a protocol worker, else one log line.
int report_failure(const std::string& message, const rw::core::ErrorContext& context = {}) {
  auto& output = rw::core::WorkerOutput::instance();
  if (output.json()) {
    output.error(message, context);
  } else {
    spdlog::error("{}", message);
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // A worker outlives the GUI that started it when the user leaves it running: writing to the closed pipe
  // must fail quietly (the store keeps the record), not kill the job.
  std::signal(SIGPIPE, SIG_IGN);
  // stdout carries results (and JSON lines for the GUI); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("ropewalk"));
  // Before parsing anything, so that even a bad command line ends in an `error` event for the GUI.
  if (const std::string kind = worker_kind(args); !kind.empty() && wants_protocol(args))
    rw::core::WorkerOutput::instance().configure(rw::core::ProgressMode::JsonLines, kind);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? 2 : 0;
    }
    // `ropewalk-cli eval --help`, `ropewalk-cli train PROJECT RUN.json --help`: that command's usage.
    if (asks_for_help(args)) {
      const std::string sub = args.size() >= 2 && args[1].rfind("-", 0) != 0 ? args[1] : "";
      std::string usage = command_usage(args[0], sub);
      if (usage.empty()) usage = command_usage(args[0], "");
      std::cout << (usage.empty() ? std::string(kUsage) : "usage: ropewalk-cli\n" + usage);
      return usage.empty() ? 2 : 0;
    }
    // A command group alone (`ropewalk-cli eval`): what it takes, rather than "unknown command".
    if (args.size() == 1) {
      if (const std::string usage = command_usage(args[0], "");
          !usage.empty() && args[0] != "train" && args[0] != "generate") {
        std::cerr << "ropewalk-cli " << args[0] << " needs a subcommand:\n" << usage;
        return 2;
      }
    }
    if (args[0] == "model" && args.size() >= 2 && args[1] == "info")
      return rw::app::run_model_info({args.begin() + 2, args.end()});
    if (args[0] == "model" && args.size() >= 2 && args[1] == "import-gguf")
      return rw::app::run_model_import_gguf({args.begin() + 2, args.end()});
    if (args[0] == "generate") return rw::app::run_generate({args.begin() + 1, args.end()});
    if (args[0] == "project" && args.size() >= 2 && args[1] == "init")
      return rw::app::run_project_init({args.begin() + 2, args.end()});
    if (args[0] == "project" && args.size() >= 2 && args[1] == "info")
      return rw::app::run_project_info({args.begin() + 2, args.end()});
    if (args[0] == "corpus" && args.size() >= 2) {
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "add") return rw::app::run_corpus_add(rest);
      if (args[1] == "stats") return rw::app::run_corpus_stats(rest);
      if (args[1] == "search") return rw::app::run_corpus_search(rest);
    }
    if (args[0] == "eval" && args.size() >= 2) {
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      // eval export-heatmap: see heatmap.h
      if (args[1] == "export-heatmap") return rw::app::run_eval_export_heatmap(rest);
      return rw::app::run_eval(args[1], rest);
    }
    if (args[0] == "dataset" && args.size() >= 2) {
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "import") return rw::app::run_dataset_import(rest);
      if (args[1] == "list") return rw::app::run_dataset_list(rest);
      if (args[1] == "show") return rw::app::run_dataset_show(rest);
      if (args[1] == "export") return rw::app::run_dataset_export(rest);
    }
    if (args[0] == "synth" && args.size() >= 2) {
      const std::vector<std::string> rest(args.begin() + 2, args.end());
      if (args[1] == "run") return rw::app::run_synth_run(rest);
      if (args[1] == "preview") return rw::app::run_synth_preview(rest);
      if (args[1] == "show") return rw::app::run_synth_show(rest);
      if (args[1] == "regenerate") return rw::app::run_synth_regenerate(rest);
    }
    if (args[0] == "runs" && args.size() >= 2 && args[1] == "list")
      return rw::app::run_runs_list({args.begin() + 2, args.end()});
    if (args[0] == "runs" && args.size() >= 2 && args[1] == "show")
      return rw::app::run_runs_show({args.begin() + 2, args.end()});
    if (args[0] == "train") return rw::app::run_train({args.begin() + 1, args.end()});
    // One line naming what was typed; the command list stays behind --help so the error is not buried.
    const bool is_group = args.size() >= 2 && (args[0] == "model" || args[0] == "project" || args[0] == "corpus" ||
                                               args[0] == "dataset" || args[0] == "eval" || args[0] == "runs" ||
                                               args[0] == "synth");
    std::cerr << "ropewalk-cli: unknown command '" << args[0] << (is_group ? " " + args[1] : std::string())
              << "' (ropewalk-cli --help lists the commands)\n";
    return 2;
  } catch (const rw::core::Error& e) {
    return report_failure(e.what(), e.context());
  } catch (const std::exception& e) {
    return report_failure(rw::core::exception_message(e));
  } catch (...) {  // never std::terminate's abort: the GUI and scripts get one line and exit 1
    return report_failure("failed with an exception of unknown type");
  }
}
