#include "intermediates.h"

#include "runtime/array_files.h"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "runtime/bind_arguments.h"
#include "runtime/compare_arrays.h"
#include "runtime/file_io.h"
#include "runtime/npy.h"

namespace relaxrun {

Intermediates::Intermediates(const relaxrt::Executable& exe, std::string dump, std::string compare, double atol, double rtol,
                             std::function<relaxrt::Value(const std::string&)> load)
    : exe_(exe), dump_(std::move(dump)), compare_(std::move(compare)), atol_(atol), rtol_(rtol), load_(std::move(load)) {
  for (const relaxrt::CallSite& site : exe.call_sites) sites_[site.address] = &site;
  std::error_code ec;
  if (!compare_.empty() && !std::filesystem::is_directory(compare_, ec)) {
    throw std::runtime_error("--compare-intermediates " + compare_ + ": not a directory (one --dump-intermediates wrote)");
  }
  if (!dump_.empty()) {
    std::filesystem::create_directories(dump_, ec);
    if (ec) throw std::runtime_error("--dump-intermediates " + dump_ + ": cannot create the directory: " + ec.message());
  }
}

std::string Intermediates::callee_of(int64_t address) const {
  size_t word = static_cast<size_t>(address) + 2;
  int64_t entry = word < exe_.bytecode.size() ? exe_.bytecode[word] : -1;
  return entry >= 0 && entry < static_cast<int64_t>(exe_.function_table.size()) ? exe_.function_table[static_cast<size_t>(entry)].name : "?";
}

namespace {

// Names come from the .tvms (identifiers), but a file name is made only of safe characters
// whatever the .rx says: no separators, so never a path outside the directory.
std::string file_safe(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

std::string Intermediates::file_name(const relaxrt::CallSite& site, int64_t output, int64_t outputs) {
  std::string name = file_safe(site.function) + "." + (site.binding.empty() ? std::string("result") : file_safe(site.binding));
  if (outputs > 1) name += "." + std::to_string(output);
  // A binding computed by several calls (a tuple of them): the later ones numbered.
  int count = seen_[name]++;
  return count == 0 ? name : name + "." + std::to_string(count);
}

void Intermediates::returned(int64_t address, const std::vector<relaxrt::Value>& args) {
  auto it = sites_.find(address);
  if (it == sites_.end() || it->second->outputs <= 0 || it->second->outputs > static_cast<int64_t>(args.size())) return;
  const relaxrt::CallSite& site = *it->second;
  for (int64_t k = 0; k < site.outputs; ++k) {
    const relaxrt::Value& v = args[args.size() - static_cast<size_t>(site.outputs) + static_cast<size_t>(k)];
    if (v.kind != relaxrt::Value::Kind::Tensor) continue;
    std::string name = file_name(site, k, site.outputs);
    const relaxrt::Tensor& t = *v.tensor;
    if (!dump_.empty()) {
      std::string path = (std::filesystem::path(dump_) / (name + ".npy")).string();
      if (std::string error = relaxrt::write_npy_file(path, t); !error.empty()) {
        throw std::runtime_error(error);
      }
      ++dumped_;
    }
    if (compare_.empty()) continue;
    std::string path = (std::filesystem::path(compare_) / (name + ".npy")).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;  // a binding the other run did not have (fused there)
    relaxrt::Value reference = load_(path);
    relaxrt::Comparison cmp = relaxrt::compare_arrays(t, *reference.tensor, atol_, rtol_);
    ++compared_;
    if (!cmp.equal) {
      std::string what = site.binding.empty() ? "the value returned by @" + site.function : "binding '" + site.binding + "' of @" + site.function;
      what += " (computed by " + callee_of(address) + ")";
      mismatch_ = std::make_unique<IntermediateMismatch>("the first value that differs from " + compare_ + ": " + what + ": " + cmp.message + " (" + path + ")", site);
      throw *mismatch_;
    }
  }
}

}  // namespace relaxrun
