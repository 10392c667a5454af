// A safetensors header is an object of objects ("name": {"dtype": .., "shape": [..],
// "data_offsets": [..]} and "__metadata__": {"key": "value"}). The parser is nlohmann's
// SAX interface driving a small DOM builder that refuses, as soon as it reads them,
// what no such header holds: duplicate keys (which the format forbids and JSON parsers
// resolve silently), an object inside an entry, arrays inside arrays inside entries,
// and arrays of more than kMaxDims values. So a hostile header of 100 MB of "[[[[..."
// or of one long array cannot blow up memory, and every event costs O(log n) (a map
// look-up for duplicate keys): the whole parse is O(n log n) in the number of entries.
// (nlohmann's callback parser, used before, re-examines an object's members at every
// object end and is quadratic in the number of entries.)
#include "safetensors_header.hpp"

#include <fmt/format.h>

#include <string_view>
#include <utility>
#include <vector>

#include "tapegrad/error.hpp"
#include "tapegrad/shape.hpp"

namespace tg::nn::safetensors {

namespace {

using nlohmann::json;

class HeaderBuilder final : public nlohmann::json_sax<json> {
 public:
  explicit HeaderBuilder(const std::string& path) : path_(path) {}

  json take() { return std::move(root_); }

  bool null() override { return add(json(nullptr)); }
  bool boolean(bool v) override { return add(json(v)); }
  bool number_integer(number_integer_t v) override { return add(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return add(json(v)); }
  bool string(string_t& v) override { return add(json(std::move(v))); }
  bool binary(binary_t&) override { bad("header JSON holds binary data"); }

  bool start_object(std::size_t) override {
    // Depth 0 is the header, depth 1 an entry; an object any deeper is in no header.
    if (open_.size() >= 2)
      bad("header JSON has an object inside the entry '{}'; safetensors entries hold only strings and arrays "
          "of integers",
          entry_);
    open_.push_back(add_container(json::object()));
    return true;
  }
  bool key(string_t& k) override {
    if (open_.back()->contains(k)) bad("header JSON has the key '{}' twice", k);
    if (open_.size() == 1) entry_ = k;
    key_ = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }

  bool start_array(std::size_t) override {
    if (open_.empty()) bad("header JSON is a array, expected an object");
    if (open_.size() > 2) bad("header JSON nests deeper than a safetensors header (object > tensor entry > shape)");
    open_.push_back(add_container(json::array()));
    return true;
  }
  bool end_array() override { return close(); }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    bad("header is not valid JSON: {}", error.what());
  }

 private:
  template <class... Args>
  [[noreturn]] void bad(fmt::format_string<Args...> format, Args&&... args) const {
    fail("load_safetensors: '{}': {}", path_, fmt::format(format, std::forward<Args>(args)...));
  }

  // Stores value where the parser is (the root, the next array element or the value
  // of the last key) and returns where it went.
  json* place(json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      if (parent.size() >= static_cast<std::size_t>(kMaxDims))
        bad("header JSON has an array of more than {} entries (tapegrad tensors have at most {} dims)", kMaxDims,
            kMaxDims);
      parent.push_back(std::move(value));
      return &parent.back();
    }
    return &(parent[key_] = std::move(value));
  }
  bool add(json&& value) {
    place(std::move(value));
    return true;
  }
  // A container's pointer stays valid while it is open: only its own members are
  // added, and an array's elements are appended only after a nested container closed.
  json* add_container(json&& empty) { return place(std::move(empty)); }
  bool close() {
    open_.pop_back();
    return true;
  }

  const std::string& path_;
  json root_;
  std::vector<json*> open_;  // the containers being read, outermost first
  std::string key_;           // the last key read
  std::string entry_;         // the last key of the header object: the entry being read
};

}  // namespace

nlohmann::json parse_header(const std::string& path, const std::string& text) {
  HeaderBuilder builder(path);
  json::sax_parse(text, &builder);
  json header = builder.take();
  if (!header.is_object())
    fail("load_safetensors: '{}': header JSON is a {}, expected an object", path, header.type_name());
  return header;
}

}  // namespace tg::nn::safetensors
