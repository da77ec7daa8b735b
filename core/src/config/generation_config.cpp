#include "rw/core/config/generation_config.h"

#include <nlohmann/json.hpp>

#include <fstream>

#include "rw/core/util/error.h"

namespace rw::core {

GenerationConfig generation_defaults(const ModelConfig& model) {
  GenerationConfig g;
  g.eos_token_ids = model.eos_token_ids;
  g.pad_token_id = model.pad_token_id;
  g.bos_token_id = model.bos_token_id;
  return g;
}

GenerationConfig read_generation_config(const std::filesystem::path& dir, const ModelConfig& model) {
  GenerationConfig g = generation_defaults(model);
  const auto path = dir / "generation_config.json";
  if (!std::filesystem::exists(path)) return g;
  std::ifstream in(path);
  nlohmann::json o;
  try {
    o = nlohmann::json::parse(in);
    if (!o.is_object()) fail("{}: must be a JSON object", path.string());
    auto get = [&](const char* key, auto& out) {
      if (o.contains(key) && !o.at(key).is_null()) out = o.at(key).get<std::decay_t<decltype(out)>>();
    };
    get("max_new_tokens", g.max_new_tokens);
    get("do_sample", g.do_sample);
    get("temperature", g.temperature);
    get("top_k", g.top_k);
    get("top_p", g.top_p);
    get("repetition_penalty", g.repetition_penalty);
    if (o.contains("eos_token_id") && !o.at("eos_token_id").is_null()) {
      const auto& eos = o.at("eos_token_id");
      g.eos_token_ids = eos.is_array() ? eos.get<std::vector<int64_t>>() : std::vector<int64_t>{eos.get<int64_t>()};
    }
    if (o.contains("pad_token_id") && !o.at("pad_token_id").is_null()) g.pad_token_id = o.at("pad_token_id").get<int64_t>();
    if (o.contains("bos_token_id") && !o.at("bos_token_id").is_null()) g.bos_token_id = o.at("bos_token_id").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed generation config ({})", path.string(), e.what());
  }
  return g;
}

std::string generation_config_to_json(const GenerationConfig& g) {
  nlohmann::json o = {{"max_new_tokens", g.max_new_tokens}, {"do_sample", g.do_sample},
                      {"temperature", g.temperature},       {"top_k", g.top_k},
                      {"top_p", g.top_p},                   {"repetition_penalty", g.repetition_penalty}};
  if (g.eos_token_ids.size() == 1) o["eos_token_id"] = g.eos_token_ids.front();
  else if (!g.eos_token_ids.empty()) o["eos_token_id"] = g.eos_token_ids;
  if (g.pad_token_id) o["pad_token_id"] = *g.pad_token_id;
  if (g.bos_token_id) o["bos_token_id"] = *g.bos_token_id;
  return o.dump(2) + "\n";
}

}  // namespace rw::core
