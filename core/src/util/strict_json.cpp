// Strict JSON settings reading: see strict_json.h.
#include "rw/core/util/strict_json.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <set>

namespace rw::core::strict_json {
namespace {

// Edit distance, for "did you mean" on a misspelt key or value.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The recorder of this thread, if a test installed one; thread_local so parsers on other threads never feed it.
thread_local KeyRecorder* t_key_recorder = nullptr;

// "stages[1].data[0]" -> "stages[].data[]": one entry per kind of object, not per element.
std::string without_indices(std::string_view path) {
  std::string out;
  bool in_index = false;
  for (const char c : path) {
    if (c == '[') {
      in_index = true;
      out += "[]";
    } else if (c == ']') {
      in_index = false;
    } else if (!in_index) {
      out += c;
    }
  }
  return out;
}

std::string brief(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::optional<std::string_view> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  std::optional<std::string_view> closest;
  size_t best = std::numeric_limits<size_t>::max();
  for (auto c : candidates) {
    if (const auto d = edit_distance(word, c); d < best) best = d, closest = c;
  }
  if (best > std::max<size_t>(2, word.size() / 3)) return std::nullopt;
  return closest;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  const auto closest = closest_match(word, candidates);
  return closest ? fmt::format(" (did you mean \"{}\"?)", *closest) : std::string();
}

std::string join_names(std::span<const std::string_view> names) { return fmt::format("{}", fmt::join(names, ", ")); }

std::string describe(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  const std::string kind = value.is_string() ? "a string" : value.is_boolean() ? "a boolean" : "a number";
  return kind + " (" + brief(value) + ")";
}

bool is_valid_device(std::string_view device) {
  if (device == "auto" || device == "cpu" || device == "cuda") return true;
  if (!device.starts_with("cuda:") || device.size() == 5 || device.size() > 8) return false;
  return std::all_of(device.begin() + 5, device.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json parse_strict(std::string_view text, std::string_view source) {
  // One frame per open object or array, so a duplicate key deep inside `stages[1]` is named by its path.
  struct Frame {
    bool is_array = false;
    std::string path;
    std::set<std::string> keys;
    std::string last_key;
    size_t index = 0;  // arrays: the element being read
  };
  std::vector<Frame> frames;
  std::string duplicate;
  const auto child_path = [&frames] {
    if (frames.empty()) return std::string();
    const Frame& parent = frames.back();
    return parent.is_array ? fmt::format("{}[{}]", parent.path, parent.index) : join_path(parent.path, parent.last_key);
  };
  const auto element_done = [&frames] {
    if (!frames.empty() && frames.back().is_array) ++frames.back().index;
  };
  auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames.push_back({event == json::parse_event_t::array_start, child_path(), {}, {}, 0});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        element_done();
        break;
      case json::parse_event_t::key:
        if (!frames.empty()) {
          auto& frame = frames.back();
          frame.last_key = parsed.get<std::string>();
          if (!frame.keys.insert(frame.last_key).second && duplicate.empty())
            duplicate = join_path(frame.path, frame.last_key);
        }
        break;
      case json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& e) {
    // e.what() starts with "[json.exception.parse_error.101] "; the rest has the line and column.
    std::string_view what = e.what();
    if (const auto end = what.find("] "); what.starts_with("[json.") && end != std::string_view::npos)
      what.remove_prefix(end + 2);
    fail("{}: not valid JSON: {}", source, what);
  }
  if (!duplicate.empty()) fail("{}: key \"{}\" appears more than once", source, duplicate);
  if (!root.is_object()) fail("{}: must hold a JSON object, got {}", source, describe(root));
  return root;
}

// ---- KeyRecorder ---------------------------------------------------------------------------------

KeyRecorder::KeyRecorder() : outer_(t_key_recorder) { t_key_recorder = this; }

KeyRecorder::~KeyRecorder() { t_key_recorder = outer_; }

void KeyRecorder::record(std::string_view path, std::span<const std::string_view> known) {
  const std::string object = without_indices(path);
  for (const auto key : known) keys_.emplace(object, std::string(key));
}

// ---- ObjectReader --------------------------------------------------------------------------------

void ObjectReader::refuse_unknown_keys(std::initializer_list<std::string_view> known) const {
  refuse_unknown_keys(std::span<const std::string_view>(known.begin(), known.size()));
}

void ObjectReader::refuse_unknown_keys(std::span<const std::string_view> known) const {
  if (KeyRecorder* recorder = t_key_recorder) recorder->record(path_, known);
  for (const auto& item : object_.items()) {
    const std::string& key = item.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    raise(key, path_of(key),
          fmt::format("{}: unknown key \"{}\"{}; known keys here: {}", source_, path_of(key), did_you_mean(key, known),
                      fmt::join(known, ", ")));
  }
}

const json* ObjectReader::find(std::string_view key) const {
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

void ObjectReader::read(std::string_view key, std::string& out) const {
  if (const json* v = find(key)) {
    if (!v->is_string()) wrong_type(key, "a string", *v);
    out = v->get<std::string>();
  }
}

int ObjectReader::read_format(int latest) const {
  std::int64_t format = 1;
  read("format", format);
  if (format > latest)
    fail("{}: written by a newer Ropewalk (\"format\" {}, this build reads up to {}); open it with that version",
         source_, format, latest);
  check(format >= 1, "format", "must be 1 or more, got {}", format);
  return static_cast<int>(format);
}

void ObjectReader::read(std::string_view key, std::int64_t& out) const {
  if (const json* v = find(key)) {
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!v->is_number_integer() || (v->is_number_unsigned() && v->get<std::uint64_t>() > kMax))
      wrong_type(key, "an integer", *v);
    out = v->get<std::int64_t>();
  }
}

void ObjectReader::read(std::string_view key, double& out) const {
  if (const json* v = find(key)) {
    if (!v->is_number()) wrong_type(key, "a number", *v);
    out = v->get<double>();
  }
}

void ObjectReader::read(std::string_view key, bool& out) const {
  if (const json* v = find(key)) {
    if (!v->is_boolean()) wrong_type(key, "true or false", *v);
    out = v->get<bool>();
  }
}

void ObjectReader::read(std::string_view key, std::vector<std::string>& out) const {
  if (const json* v = find(key)) {
    if (!v->is_array()) wrong_type(key, "an array of strings", *v);
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!item.is_string()) {
        const std::string path = fmt::format("{}[{}]", path_of(key), i);
        raise(key, path, fmt::format("{}: \"{}\" must be a string, got {}", source_, path, describe(item)));
      }
      out.push_back(item.get<std::string>());
    }
  }
}

ObjectReader ObjectReader::object(std::string_view key) const {
  static const json kEmpty = json::object();
  const json* v = find(key);
  if (v && !v->is_object()) wrong_type(key, "an object", *v);
  return ObjectReader(v ? *v : kEmpty, path_of(key), source_);
}

std::vector<ObjectReader> ObjectReader::objects(std::string_view key) const {
  std::vector<ObjectReader> out;
  const json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) wrong_type(key, "an array of objects", *v);
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    const std::string path = fmt::format("{}[{}]", path_of(key), i);
    if (!item.is_object())
      raise(key, path, fmt::format("{}: \"{}\" must be an object, got {}", source_, path, describe(item)));
    out.emplace_back(item, path, source_);
  }
  return out;
}

void ObjectReader::raise(std::string_view key, std::string_view path, const std::string& message) const {
  throw Error(message, ErrorContext{std::string(source_), std::string(path), std::string(key)});
}

void ObjectReader::fail_at(std::string_view key, const std::string& message) const {
  raise(key, path_of(key), fmt::format("{}: \"{}\" {}", source_, path_of(key), message));
}

void ObjectReader::missing(std::string_view key) const {
  raise(key, path_of(key), fmt::format("{}: missing required key \"{}\"", source_, path_of(key)));
}

void ObjectReader::wrong_type(std::string_view key, std::string_view expected, const json& got) const {
  raise(key, path_of(key),
        fmt::format("{}: \"{}\" must be {}, got {}", source_, path_of(key), expected, describe(got)));
}

void ObjectReader::refuse_choice(std::string_view key, std::string_view got,
                                 std::span<const std::string_view> choices) const {
  raise(key, path_of(key),
        fmt::format("{}: \"{}\" must be one of {}, got \"{}\"{}", source_, path_of(key), join_names(choices), got,
                    did_you_mean(got, choices)));
}

}  // namespace rw::core::strict_json
