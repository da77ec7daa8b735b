// Test doubles for the eval tests: constructed oracle generators — string-level programs, not neural
// models, that read the prompt and answer what the task asks: NIAH echoes the needle, passkey repeats the
// pass key, RULER niah looks up the queried keys' values, vt follows the assignment chain, cwe counts
// words. A constant generator answers the same text whatever it is asked.
#pragma once
#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "rw/core/model/text_generator.h"
#include "byte_tokenizer.h"

namespace rw::test {

class ConstantGenerator : public rw::core::TextGenerator {
 public:
  explicit ConstantGenerator(std::string answer) : answer_(std::move(answer)) {}
  std::vector<rw::core::GeneratedText> generate(const std::vector<rw::core::Prompt>& prompts,
                                               const rw::core::GenerationConfig&) override {
    ++calls;
    return std::vector<rw::core::GeneratedText>(prompts.size(), {answer_});
  }
  int calls = 0;

 private:
  std::string answer_;
};

/// Answers every eval Ropewalk builds from the prompt text alone (see the file comment).
class OracleGenerator : public rw::core::TextGenerator {
 public:
  explicit OracleGenerator(std::string needle) : needle_(std::move(needle)) {}
  std::vector<rw::core::GeneratedText> generate(const std::vector<rw::core::Prompt>& prompts,
                                               const rw::core::GenerationConfig&) override {
    std::vector<rw::core::GeneratedText> out;
    batch_sizes.push_back(static_cast<int>(prompts.size()));
    for (const auto& p : prompts) out.push_back({answer(p.text)});
    return out;
  }
  std::vector<int> batch_sizes;

 private:
  static std::string after_last(const std::string& text, const std::string& marker) {
    const auto at = text.rfind(marker);
    return at == std::string::npos ? std::string() : text.substr(at + marker.size());
  }
  std::string answer(const std::string& text) const {
    std::smatch m;
    if (text.find("What is the pass key?") != std::string::npos) {
      static const std::regex key("The pass key is ([0-9]+)\\. Remember it\\.");
      return std::regex_search(text, m, key) ? " " + m[1].str() + "." : "";
    }
    if (text.find("special magic") != std::string::npos) {
      std::map<std::string, std::vector<std::string>> values;
      static const std::regex needle("One of the special magic [a-z]+ for ([A-Za-z0-9-]+) is: ([A-Za-z0-9-]+)\\.");
      for (auto it = std::sregex_iterator(text.begin(), text.end(), needle); it != std::sregex_iterator(); ++it)
        values[(*it)[1].str()].push_back((*it)[2].str());
      std::string query = after_last(text, "special magic ");  // the answer prefix names the queried keys
      query = query.substr(query.find(" for ") + 5);
      query = query.substr(0, query.find(" mentioned"));
      std::string out;
      static const std::regex key("[A-Za-z0-9-]+");
      for (auto it = std::sregex_iterator(query.begin(), query.end(), key); it != std::sregex_iterator(); ++it) {
        for (const auto& v : values[it->str()]) out += " " + v;
      }
      return out;
    }
    if (text.find("chain(s) of variable assignment") != std::string::npos) {
      const std::string task = text.substr(text.rfind("Memorize and track"));
      static const std::regex query("assigned the value ([0-9]+) in the text above");
      if (!std::regex_search(task, m, query)) return "";
      std::vector<std::string> names;
      std::regex first("VAR ([A-Z]+) = " + m[1].str());
      if (!std::regex_search(task, m, first)) return "";
      names.push_back(m[1].str());
      for (bool grew = true; grew;) {
        grew = false;
        std::regex hop("VAR ([A-Z]+) = VAR " + names.back() + "\\b");
        if (std::regex_search(task, m, hop)) {
          names.push_back(m[1].str());
          grew = true;
        }
      }
      std::string out;
      for (const auto& n : names) out += " " + n;
      return out;
    }
    if (text.find("numbered list of words") != std::string::npos) {
      const std::string list = text.substr(text.rfind("Memorize the ones that appear most often."));
      std::map<std::string, int> counts;
      static const std::regex entry("[0-9]+\\. ([a-z]+)");
      for (auto it = std::sregex_iterator(list.begin(), list.end(), entry); it != std::sregex_iterator(); ++it)
        ++counts[(*it)[1].str()];
      std::vector<std::pair<int, std::string>> ranked;
      for (const auto& [w, c] : counts) ranked.emplace_back(-c, w);
      std::sort(ranked.begin(), ranked.end());
      std::string out;
      for (size_t i = 0; i < ranked.size() && i < 10; ++i) out += " " + ranked[i].second;
      return out;
    }
    return text.find(needle_) != std::string::npos ? needle_ : "";
  }
  std::string needle_;
};

}  // namespace rw::test
