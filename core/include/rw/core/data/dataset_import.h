// Dataset import: reads a JSONL file of chat samples into a dataset of the store, in one transaction
// (stored whole or not at all). Line formats, detected per line with DatasetFormat::Auto:
//   messages  {"messages": [{"role": "system|user|assistant", "content": "..."}, ...]}  (OpenAI)
//   sharegpt  {"conversations": [{"from": "system|human|gpt", "value": "..."}, ...], "system"?: "..."}
//             ("user"/"assistant" are accepted for "human"/"gpt")
//   alpaca    {"instruction": "...", "input"?: "...", "output": "...", "system"?: "...",
//              "history"?: [["earlier instruction", "earlier output"], ...]}
//             -> system?, (user, assistant) per history pair, user = instruction + "\n" + input (when input
//             is not empty, as LLaMA-Factory joins them), assistant = output
// Lines that cannot be used are skipped with their number and reason (invalid JSON, not an object,
// unknown format, bad role, empty content, no assistant turn, conversation not starting with a user turn).
// Empty system messages are dropped silently (common in ShareGPT exports). Each sample's meta_json records
// {"source": FILE, "line": N, "format": F}. Not the SQL (store/dataset_store.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "rw/core/store/database.h"

namespace rw::core {

enum class DatasetFormat { Auto, Messages, ShareGpt, Alpaca };

/// "auto" | "messages" | "sharegpt" | "alpaca"; Error listing them otherwise.
DatasetFormat dataset_format_from_name(std::string_view name);
std::string_view dataset_format_name(DatasetFormat format);

struct SkippedLine {
  std::int64_t line = 0;  // 1-based
  std::string reason;
};

struct DatasetImportReport {
  std::int64_t dataset_id = 0;
  std::string dataset;
  bool created = false;                   // the dataset did not exist before this import
  std::int64_t lines = 0;                 // non-blank lines read
  std::int64_t imported = 0;              // samples added
  std::int64_t duplicates = 0;            // conversations the dataset already had (or this file twice)
  std::int64_t by_format[3] = {0, 0, 0};  // imported per format: messages, sharegpt, alpaca
  std::vector<SkippedLine> skipped;
};

/// Imports `file` into dataset `dataset_name`, creating it (kind chat, source = the file, config_json =
/// {"format": ...}) when missing. Error naming the file, with the store untouched, when the file is
/// missing, unreadable, empty or not UTF-8, or the dataset name is empty.
DatasetImportReport import_dataset(Database& db, const std::string& dataset_name, const std::filesystem::path& file,
                                   DatasetFormat format = DatasetFormat::Auto);

/// The report as JSON (what `dataset import --json` prints).
std::string dataset_import_report_to_json(const DatasetImportReport& report);

}  // namespace rw::core
