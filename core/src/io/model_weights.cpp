// Weights of a Hugging Face model directory: model.safetensors, or model.safetensors.index.json plus
// model-0000k-of-0000n.safetensors shards, with the shard split and file names of save_pretrained.
#include "rw/core/io/model_weights.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kSingleName = "model.safetensors";
constexpr const char* kIndexName = "model.safetensors.index.json";

bool is_shard_name(const std::string& name) {
  static const std::regex pattern(R"(model-\d{5}-of-\d{5}\.safetensors)");
  return std::regex_match(name, pattern);
}

// Shards are written under these names first, so a failed save never mixes new shards with an old index.
bool is_staged_name(const std::string& name) {
  static const std::regex pattern(R"(\.model-\d{5}-of-\d{5}\.safetensors\.staged)");
  return std::regex_match(name, pattern);
}

std::string shard_name(size_t index, size_t count) {
  return fmt::format("model-{:05d}-of-{:05d}.safetensors", index + 1, count);
}

fs::path staged_path(const fs::path& dir, const std::string& name) { return dir / ("." + name + ".staged"); }

bool is_pickle_name(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".pkl" || ext == ".pickle";
}

std::vector<std::string> regular_file_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) names.push_back(it->path().filename().string());
  if (ec) fail("cannot list model directory {}: {}", dir.string(), ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

json read_index(const fs::path& index_path) {
  std::ifstream in(index_path, std::ios::binary);
  if (!in) fail("shard index {}: cannot open", index_path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail("shard index {}: read failed", index_path.string());
  json index;
  try {
    index = json::parse(text.str());
  } catch (const json::exception& e) {
    fail("shard index {}: not valid JSON: {}", index_path.string(), e.what());
  }
  if (!index.is_object()) fail("shard index {}: not a JSON object", index_path.string());
  auto it = index.find("weight_map");
  if (it == index.end() || !it->is_object())
    fail("shard index {}: missing \"weight_map\" object", index_path.string());
  if (it->empty()) fail("shard index {}: \"weight_map\" is empty", index_path.string());
  return index;
}

std::map<std::string, at::Tensor> read_sharded(const fs::path& dir, const fs::path& index_path) {
  const json index = read_index(index_path);
  std::map<std::string, std::vector<std::string>> names_by_shard;
  std::map<std::string, std::string> weight_map;
  for (const auto& [tensor, shard] : index["weight_map"].items()) {
    if (!shard.is_string())
      fail("shard index {}: weight_map entry '{}' is not a file name string", index_path.string(), tensor);
    auto file = shard.get<std::string>();
    // Shards are plain file names beside the index; anything else could point outside the model.
    if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos ||
        file.find('\\') != std::string::npos)
      fail("shard index {}: tensor '{}' maps to '{}', which is not a file name inside {}", index_path.string(),
           tensor, file, dir.string());
    names_by_shard[file].push_back(tensor);
    weight_map.emplace(tensor, std::move(file));
  }

  // Open and cross-check every shard before copying any tensor.
  std::vector<std::unique_ptr<SafetensorsReader>> readers;
  std::map<std::string, std::string> shard_of;  // tensor -> shard file that holds it
  for (const auto& [file, names] : names_by_shard) {
    const fs::path shard_path = dir / file;
    std::error_code ec;
    if (!fs::is_regular_file(shard_path, ec))
      fail("shard {} named by index {} does not exist (it should hold '{}'{})", shard_path.string(),
           index_path.string(), names.front(),
           names.size() > 1 ? fmt::format(" and {} more tensors", names.size() - 1) : std::string());
    auto reader = std::make_unique<SafetensorsReader>(shard_path);
    for (const auto& name : names)
      if (!reader->contains(name))
        fail("shard index {} maps tensor '{}' to shard {}, but that shard has no such tensor", index_path.string(),
             name, shard_path.string());
    for (const auto& e : reader->entries()) {
      auto [it, inserted] = shard_of.emplace(e.name, file);
      if (!inserted)
        fail("model directory {}: tensor '{}' is in two shards, {} and {} (index {})", dir.string(), e.name,
             it->second, file, index_path.string());
      if (!weight_map.count(e.name))
        spdlog::warn("shard {} holds tensor '{}', which index {} does not list; loading it anyway",
                     shard_path.string(), e.name, index_path.string());
    }
    readers.push_back(std::move(reader));
  }

  std::map<std::string, at::Tensor> tensors;
  for (const auto& reader : readers)
    for (const auto& e : reader->entries()) tensors.emplace(e.name, reader->load(e.name));
  return tensors;
}

std::string describe_files(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::vector<std::string> shown(names.begin(), names.begin() + std::min(names.size(), kShown));
  std::string text = fmt::format("{}", fmt::join(shown, ", "));
  if (names.size() > kShown) text += fmt::format(" and {} more", names.size() - kShown);
  return text;
}

void remove_file(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  fs::remove(dir / name, ec);
  if (ec) fail("model directory {}: the new weights are saved but stale {} could not be removed: {}", dir.string(),
               name, ec.message());
}

// Removes what an earlier save left that this one did not produce; `keep` are this save's file names.
void remove_stale(const fs::path& dir, const std::set<std::string>& keep) {
  for (const auto& name : regular_file_names(dir)) {
    const bool ours = name == kSingleName || name == kIndexName || is_shard_name(name) || is_staged_name(name);
    if (ours && !keep.count(name)) remove_file(dir, name);
  }
  fsync_directory(dir);
}

}  // namespace

std::map<std::string, at::Tensor> read_model_weights(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) fail("model directory {} does not exist", dir.string());
  if (!fs::is_directory(dir, ec)) fail("model directory {} is not a directory", dir.string());

  // Same precedence as transformers: a single file wins over an index.
  if (fs::is_regular_file(dir / kSingleName, ec)) return read_safetensors(dir / kSingleName);
  if (fs::is_regular_file(dir / kIndexName, ec)) return read_sharded(dir, dir / kIndexName);

  std::vector<std::string> pickles, other_safetensors;
  for (const auto& name : regular_file_names(dir)) {
    if (is_pickle_name(name)) pickles.push_back(name);
    if (fs::path(name).extension() == ".safetensors") other_safetensors.push_back(name);
  }
  if (!pickles.empty())
    fail("model directory {} has no {} or {}, only pickle checkpoints ({}): pickle is not supported (loading "
         "it can run arbitrary code); convert them to safetensors first, e.g. in Python with "
         "model.save_pretrained(dir, safe_serialization=True) or safetensors.torch.save_file",
         dir.string(), kSingleName, kIndexName, describe_files(pickles));
  fail("model directory {}: no {} or {} found{}", dir.string(), kSingleName, kIndexName,
       other_safetensors.empty() ? std::string()
                                 : fmt::format(" (other safetensors files: {})", describe_files(other_safetensors)));
}

void write_model_weights(const fs::path& dir, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                         uint64_t max_shard_bytes, const std::map<std::string, std::string>& metadata) {
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors) {
    if (!names.insert(name).second) fail("cannot write model weights to {}: tensor '{}' is given more than once",
                                         dir.string(), name);
    if (!tensor.defined()) fail("cannot write model weights to {}: tensor '{}' is undefined", dir.string(), name);
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot write model weights: cannot create directory {}: {}", dir.string(), ec.message());

  // The split of huggingface_hub's split_state_dict_into_shards: walk in the given order, start a new shard
  // when the next tensor would overflow, and give a tensor larger than the limit a shard of its own
  // (appended at once, ahead of the shard still being filled).
  std::vector<std::vector<size_t>> shards;
  std::vector<size_t> current;
  uint64_t current_bytes = 0, total_bytes = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto bytes = static_cast<uint64_t>(tensors[i].second.numel()) * tensors[i].second.element_size();
    total_bytes += bytes;
    if (bytes > max_shard_bytes) {
      shards.push_back({i});
      continue;
    }
    if (current_bytes + bytes > max_shard_bytes) {
      shards.push_back(std::move(current));
      current.clear();
      current_bytes = 0;
    }
    current.push_back(i);
    current_bytes += bytes;
  }
  if (!current.empty()) shards.push_back(std::move(current));

  if (shards.size() <= 1) {
    // Readers prefer model.safetensors over an index, so replacing it atomically is consistent at every step.
    write_safetensors(dir / kSingleName, tensors, metadata);
    remove_stale(dir, {kSingleName});
    return;
  }

  std::vector<std::string> files;
  for (size_t k = 0; k < shards.size(); ++k) files.push_back(shard_name(k, shards.size()));
  auto remove_staged = [&] {
    for (const auto& file : files) fs::remove(staged_path(dir, file), ec);
  };
  try {
    for (size_t k = 0; k < shards.size(); ++k) {
      std::vector<std::pair<std::string, at::Tensor>> subset;
      for (size_t i : shards[k]) subset.push_back(tensors[i]);
      write_safetensors(staged_path(dir, files[k]), subset, metadata);
    }
  } catch (...) {
    remove_staged();
    throw;
  }

  // An old index naming the same shard files would see a mix of old and new shards while they are renamed
  // into place; retire it first, so an interrupted save reads as "no weights" instead of mixed weights.
  const bool overwrites = std::any_of(files.begin(), files.end(), [&](const std::string& f) {
    return fs::exists(dir / f, ec);
  });
  if (overwrites && fs::exists(dir / kIndexName, ec)) {
    fs::remove(dir / kIndexName, ec);
    if (ec) {
      remove_staged();
      fail("cannot write model weights to {}: cannot remove the old {}: {}", dir.string(), kIndexName,
           ec.message());
    }
  }
  for (const auto& file : files) {
    fs::rename(staged_path(dir, file), dir / file, ec);
    if (ec) {
      remove_staged();
      fail("cannot write model weights to {}: cannot move shard {} into place: {}", dir.string(), file,
           ec.message());
    }
  }
  fsync_directory(dir);

  json weight_map = json::object();
  for (size_t k = 0; k < shards.size(); ++k)
    for (size_t i : shards[k]) weight_map[tensors[i].first] = files[k];
  // Keys sorted and 2-space indent with a final newline: byte-identical to save_pretrained's index.
  const json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", std::move(weight_map)}};
  const std::string text = index.dump(2) + "\n";
  write_file_atomic(dir / kIndexName, text);

  std::set<std::string> keep(files.begin(), files.end());
  keep.insert(kIndexName);
  remove_stale(dir, keep);
}

}  // namespace rw::core
