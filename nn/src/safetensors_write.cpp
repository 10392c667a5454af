// save_safetensors: header JSON, padding, tensor bytes; written to a temporary file
// beside the target, fsync'ed, then renamed over it (atomic on POSIX file systems).
// Temporary files left by killed saves are removed first (save_temporaries.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "safetensors_format.hpp"
#include "save_temporaries.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/nn/safetensors.hpp"

namespace tg::nn {

namespace {

struct Entry {
  const std::string* name;
  Tensor data;  // contiguous
  std::uint64_t nbytes;
};

std::string system_error() { return std::strerror(errno); }

// The reference writer orders tensors by descending dtype alignment, then by name, so
// that every tensor starts at a multiple of its element size (the header is padded to 8).
std::vector<Entry> ordered_entries(const std::string& path, const std::map<std::string, Tensor>& tensors) {
  NoGradGuard no_grad;
  std::vector<Entry> entries;
  entries.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    TG_CHECK(name != safetensors::kMetadataKey, "save_safetensors: '{}': the tensor name '{}' is reserved for metadata",
             path, name);
    TG_CHECK(tensor.defined(), "save_safetensors: '{}': tensor '{}' is undefined", path, name);
    Tensor data = tensor.detach().contiguous();
    entries.push_back({&name, data, static_cast<std::uint64_t>(data.numel()) * dtype_size(data.dtype())});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return dtype_size(a.data.dtype()) > dtype_size(b.data.dtype());
  });
  return entries;
}

std::string header_json(const std::string& path, const std::vector<Entry>& entries,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  std::uint64_t offset = 0;
  for (const Entry& e : entries) {
    header[*e.name] = {{"dtype", std::string(safetensors::dtype_tag(e.data.dtype()))},
                       {"shape", e.data.shape().to_vector()},
                       {"data_offsets", {offset, offset + e.nbytes}}};
    offset += e.nbytes;
  }
  if (!metadata.empty()) header[std::string(safetensors::kMetadataKey)] = metadata;
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::type_error& err) {
    fail("save_safetensors: '{}': a tensor name or metadata string is not valid UTF-8 ({})", path, err.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

// Writes the file at temp_path; false with errno set on failure.
bool write_file(const std::string& temp_path, const std::string& header, const std::vector<Entry>& entries) {
  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  unsigned char length[8];
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
  bool ok = std::fwrite(length, 1, 8, file) == 8 &&
            std::fwrite(header.data(), 1, header.size(), file) == header.size();
  for (const Entry& e : entries) {
    if (!ok) break;
    if (e.nbytes > 0) ok = std::fwrite(e.data.raw_data(), 1, e.nbytes, file) == e.nbytes;
  }
  ok = ok && std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const int saved = errno;
  const bool closed = std::fclose(file) == 0;
  errno = ok ? errno : saved;
  return ok && closed;
}

// Makes the rename itself durable; a failure here leaves a complete file, so it is not reported.
void sync_directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::vector<Entry> entries = ordered_entries(path, tensors);
  const std::string header = header_json(path, entries, metadata);
  save_temporaries::remove_stale(path);
  const std::string temp_path = save_temporaries::temporary_path_for(path);
  bool written = write_file(temp_path, header, entries);
  if (written && save_temporaries::fail_for_tests()) {
    written = false;
    errno = ENOSPC;
  }
  if (!written) {
    const std::string reason = system_error();
    ::unlink(temp_path.c_str());
    fail("save_safetensors: cannot write '{}' (temporary file '{}'): {}", path, temp_path, reason);
  }
  save_temporaries::pause_for_tests();
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    const std::string reason = system_error();
    ::unlink(temp_path.c_str());
    fail("save_safetensors: cannot rename the temporary file over '{}': {}", path, reason);
  }
  sync_directory_of(path);
}

}  // namespace tg::nn
