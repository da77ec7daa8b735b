// Dataset export: a dataset of the store as JSONL files that the common fine-tuning tools load, with a
// manifest. Chat datasets are written in three layouts:
//   NAME.sharegpt.jsonl  LLaMA-Factory "sharegpt": {"conversations": [{"from": "human"|"gpt", "value"}], "system"?}
//                        (consecutive turns of one role joined with a blank line, since the format alternates)
//   NAME.alpaca.jsonl    LLaMA-Factory "alpaca": {"instruction", "input": "", "output", "system"?, "history"?}
//   NAME.messages.jsonl  Axolotl "chat_template" (and OpenAI): {"messages": [{"role", "content"}]}
// with dataset_info.json (LLaMA-Factory's registry: one entry per layout) and axolotl.yaml (a `datasets:` block).
// Text datasets are written as NAME.text.jsonl, {"text": ...} lines (LLaMA-Factory pretraining, Axolotl
// "completion"). manifest.json lists the dataset, its provenance and every file with its line count and
// SHA-256. Every file is written under a temporary name and renamed, the manifest last, so a failed export
// leaves no file that looks complete. Not reading (dataset_import.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

struct ExportedFile {
  std::string name;  ///< file name inside the export folder
  std::string format;  ///< sharegpt | alpaca | messages | text | dataset_info | axolotl
  std::int64_t lines = 0;
  std::string sha256;
};

struct DatasetExportReport {
  std::string dataset;
  std::string kind;
  std::int64_t samples = 0;
  std::filesystem::path folder;
  std::vector<ExportedFile> files;  ///< the data files and the tool configs, then manifest.json
};

/// Writes dataset `name` into `folder` (created when missing). Error naming the dataset when it is missing or
/// has no samples, and naming the file when it cannot be written.
DatasetExportReport export_dataset(Database& db, const std::string& name, const std::filesystem::path& folder);

}  // namespace rw::core
