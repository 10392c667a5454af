// load_safetensors: every length, offset and field of the file is checked before it is
// used, so that a corrupt or hostile file is a clear error, never a crash or a huge
// allocation. Sizes are bounded by the file's real size before anything is allocated.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "safetensors_format.hpp"
#include "safetensors_header.hpp"
#include "tapegrad/nn/safetensors.hpp"

namespace tg::nn {

namespace {

using nlohmann::json;

template <class... Args>
[[noreturn]] void bad_file(const std::string& path, fmt::format_string<Args...> format, Args&&... args) {
  fail("load_safetensors: '{}': {}", path, fmt::format(format, std::forward<Args>(args)...));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

struct Record {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

void read_exactly(const std::string& path, std::FILE* file, void* out, std::uint64_t nbytes,
                  const std::string& what) {
  if (nbytes == 0) return;
  if (std::fread(out, 1, nbytes, file) != nbytes)
    bad_file(path, "cannot read the {} ({}); was the file changed while reading?", what,
             std::ferror(file) ? std::strerror(errno) : "unexpected end of file");
}

const json& field(const std::string& path, const std::string& name, const json& entry, const char* key) {
  const auto it = entry.find(key);
  if (it == entry.end()) bad_file(path, "tensor '{}' has no \"{}\" field", name, key);
  return *it;
}

// A JSON number that is a non-negative integer (nlohmann stores those as unsigned).
std::uint64_t unsigned_integer(const std::string& path, const std::string& name, const json& v, const char* what) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) bad_file(path, "tensor '{}' has a negative {} ({})", name, what, v.dump());
  bad_file(path, "tensor '{}' has a {} that is not a non-negative integer ({})", name, what, v.dump());
}

DType parse_dtype(const std::string& path, const std::string& name, const json& v) {
  if (!v.is_string()) bad_file(path, "tensor '{}' has a \"dtype\" that is not a string ({})", name, v.dump());
  const std::string tag = v.get<std::string>();
  if (const auto dtype = safetensors::dtype_from_tag(tag)) return *dtype;
  if (safetensors::is_other_format_dtype(tag))
    bad_file(path, "tensor '{}' has unsupported dtype {}; tapegrad reads F32, F64 and I64", name, tag);
  bad_file(path, "tensor '{}' has unknown dtype '{}'; tapegrad reads F32, F64 and I64", name, tag);
}

Shape parse_shape(const std::string& path, const std::string& name, const json& v) {
  if (!v.is_array()) bad_file(path, "tensor '{}' has a \"shape\" that is not an array ({})", name, v.dump());
  Shape shape;
  // Zero dims are allowed (empty tensors), but strides are products of the other dims,
  // so the product of the nonzero dims must fit in int64 too.
  std::uint64_t nonzero_product = 1;
  for (const json& d : v) {
    const std::uint64_t dim = unsigned_integer(path, name, d, "shape entry");
    if (dim != 0 && (__builtin_mul_overflow(nonzero_product, dim, &nonzero_product) ||
                     nonzero_product > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
      bad_file(path, "tensor '{}' has shape {} whose element count overflows", name, v.dump());
    shape.push_back(static_cast<std::int64_t>(dim));
  }
  return shape;
}

Record parse_record(const std::string& path, const std::string& name, const json& entry,
                    std::uint64_t buffer_bytes) {
  if (!entry.is_object()) bad_file(path, "tensor '{}' is described by a {}, expected an object", name, entry.type_name());
  Record r{name, parse_dtype(path, name, field(path, name, entry, "dtype")),
           parse_shape(path, name, field(path, name, entry, "shape")), 0, 0};
  const json& offsets = field(path, name, entry, "data_offsets");
  if (!offsets.is_array() || offsets.size() != 2)
    bad_file(path, "tensor '{}' has \"data_offsets\" {}, expected [begin, end]", name, offsets.dump());
  r.begin = unsigned_integer(path, name, offsets[0], "data offset");
  r.end = unsigned_integer(path, name, offsets[1], "data offset");
  if (r.begin > r.end) bad_file(path, "tensor '{}' has data_offsets [{}, {}] with begin after end", name, r.begin, r.end);
  if (r.end > buffer_bytes)
    bad_file(path, "tensor '{}' has data_offsets [{}, {}] past the end of the {}-byte data buffer", name, r.begin,
             r.end, buffer_bytes);
  // numel fits in int64 and dtype sizes are at most 8, so 128 bits hold the product.
  const auto needed = static_cast<unsigned __int128>(r.shape.numel()) * dtype_size(r.dtype);
  if (needed != r.end - r.begin)
    bad_file(path, "tensor '{}' of dtype {} and shape {} needs {} bytes, but data_offsets [{}, {}] hold {}", name,
             safetensors::dtype_tag(r.dtype), r.shape.str(),
             needed > std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                                : std::to_string(static_cast<std::uint64_t>(needed)),
             r.begin, r.end, r.end - r.begin);
  return r;
}

void parse_metadata(const std::string& path, const json& value, std::map<std::string, std::string>* metadata) {
  if (!value.is_object()) bad_file(path, "\"__metadata__\" is a {}, expected an object of strings", value.type_name());
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string()) bad_file(path, "metadata entry '{}' is a {}, expected a string", key, v.type_name());
    if (metadata != nullptr) (*metadata)[key] = v.get<std::string>();
  }
}

// The tensors' byte ranges, in offset order, must tile the buffer exactly.
void check_coverage(const std::string& path, std::vector<Record>& records, std::uint64_t buffer_bytes) {
  std::sort(records.begin(), records.end(),
            [](const Record& a, const Record& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  std::uint64_t covered = 0;
  const Record* previous = nullptr;
  for (const Record& r : records) {
    if (r.begin < covered)
      bad_file(path, "tensors '{}' [{}, {}] and '{}' [{}, {}] overlap in the data buffer", previous->name,
               previous->begin, previous->end, r.name, r.begin, r.end);
    if (r.begin > covered)
      bad_file(path, "bytes [{}, {}) of the data buffer belong to no tensor (a hole before '{}')", covered, r.begin,
               r.name);
    covered = r.end;
    previous = &r;
  }
  if (covered != buffer_bytes)
    bad_file(path, "{} trailing bytes after the last tensor: the tensors cover [0, {}) of the {}-byte data buffer",
             buffer_bytes - covered, covered, buffer_bytes);
}

}  // namespace

std::map<std::string, Tensor> load_safetensors(const std::string& path,
                                               std::map<std::string, std::string>* metadata) {
  FileHandle file(std::fopen(path.c_str(), "rb"));
  if (!file) fail("load_safetensors: cannot open '{}': {}", path, std::strerror(errno));
  struct stat info {};
  if (::fstat(::fileno(file.get()), &info) != 0) fail("load_safetensors: cannot stat '{}': {}", path, std::strerror(errno));
  if (!S_ISREG(info.st_mode)) bad_file(path, "not a regular file");
  const auto file_bytes = static_cast<std::uint64_t>(info.st_size);
  if (file_bytes < 8)
    bad_file(path, "file is {} bytes, too short for the 8-byte header length (truncated?)", file_bytes);

  unsigned char length[8];
  read_exactly(path, file.get(), length, 8, "header length");
  std::uint64_t header_bytes = 0;
  for (int i = 0; i < 8; ++i) header_bytes |= std::uint64_t{length[i]} << (8 * i);
  if (header_bytes > safetensors::kMaxHeaderBytes)
    bad_file(path, "header length {} exceeds the format's limit of {} bytes", header_bytes,
             safetensors::kMaxHeaderBytes);
  if (header_bytes > file_bytes - 8)
    bad_file(path, "header length {} reaches past the end of the {}-byte file (truncated?)", header_bytes, file_bytes);
  std::string text(header_bytes, '\0');
  read_exactly(path, file.get(), text.data(), header_bytes, "header");
  const json header = safetensors::parse_header(path, text);

  const std::uint64_t buffer_bytes = file_bytes - 8 - header_bytes;
  std::vector<Record> records;
  if (metadata != nullptr) metadata->clear();
  for (const auto& [name, entry] : header.items()) {
    if (name == safetensors::kMetadataKey) parse_metadata(path, entry, metadata);
    else records.push_back(parse_record(path, name, entry, buffer_bytes));
  }
  check_coverage(path, records, buffer_bytes);

  // Records are in offset order and tile the buffer, so one sequential read fills them.
  std::map<std::string, Tensor> tensors;
  for (const Record& r : records) {
    Tensor t = empty(r.shape, r.dtype);
    read_exactly(path, file.get(), t.raw_data(), r.end - r.begin, "data of tensor '" + r.name + "'");
    tensors.emplace(r.name, std::move(t));
  }
  return tensors;
}

}  // namespace tg::nn
