#include <tapegrad/train/output_folder.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <tapegrad/error.hpp>

namespace tg::train {

void prepare_output_folder(const std::string& what, const std::string& folder) {
  const std::string path = folder.empty() ? "." : folder;
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  TG_CHECK(!std::filesystem::exists(status) || std::filesystem::is_directory(status),
           "{}: cannot use the folder '{}': it is a file, not a folder", what, path);
  if (!std::filesystem::exists(status)) {
    std::filesystem::create_directories(path, error);
    TG_CHECK(!error, "{}: cannot use the folder '{}': cannot create it: {}", what, path, error.message());
  }
  // access() also answers for read-only mounts (EROFS), where root has no write either.
  TG_CHECK(::access(path.c_str(), W_OK | X_OK) == 0, "{}: cannot use the folder '{}': {}", what, path,
           std::strerror(errno));
}

void prepare_folder_of(const std::string& what, const std::string& file) {
  prepare_output_folder(what, std::filesystem::path(file).parent_path().string());
}

}  // namespace tg::train
