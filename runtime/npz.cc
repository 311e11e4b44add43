#include "runtime/npz.h"

#include <zip.h>

#include <memory>
#include <set>
#include <stdexcept>

namespace relaxrt {

namespace {

std::string zip_message(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

}  // namespace

bool parse_npz(const std::string& bytes, std::vector<NamedArray>& out, std::string& error) {
  if (bytes.size() < 4 || bytes.compare(0, 2, "PK") != 0) {
    error = "expected a .npz file (a zip archive), found " + std::string(bytes.empty() ? "an empty file" : "other data");
    return false;
  }
  zip_error_t zerror;
  zip_error_init(&zerror);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerror);
  if (!source) {
    error = "cannot read the archive: " + zip_message(&zerror);
    return false;
  }
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &zerror);
  if (!archive) {
    zip_source_free(source);
    error = "expected a valid zip archive, found a damaged one: " + zip_message(&zerror);
    return false;
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> guard(archive, zip_discard);
  zip_int64_t count = zip_get_num_entries(archive, 0);
  std::set<std::string> names;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE) || !(stat.valid & ZIP_STAT_NAME)) {
      error = "cannot read member " + std::to_string(i) + " of the archive";
      return false;
    }
    std::string name = stat.name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) {
      error = "expected members named *.npy, found '" + name + "'";
      return false;
    }
    if (stat.size > bytes.size() * 1100 + (1 << 20)) {  // deflate cannot expand more than ~1032x
      error = "member '" + name + "' claims an impossible size of " + std::to_string(stat.size) + " bytes";
      return false;
    }
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (!file) {
      error = "cannot open member '" + name + "': " + zip_strerror(archive);
      return false;
    }
    std::string content(stat.size, '\0');
    zip_int64_t got = zip_fread(file, content.data(), stat.size);
    std::string read_error = got < 0 ? zip_file_strerror(file) : "";
    zip_fclose(file);
    if (got < 0 || static_cast<zip_uint64_t>(got) != stat.size) {
      error = "member '" + name + "' is damaged" + (read_error.empty() ? "" : ": " + read_error);
      return false;
    }
    NamedArray named;
    named.name = name.substr(0, name.size() - 4);
    if (!names.insert(named.name).second) {
      error = "the archive holds '" + name + "' twice";
      return false;
    }
    std::string npy_error;
    if (!parse_npy(content, named.array, npy_error)) {
      error = "member '" + name + "': " + npy_error;
      return false;
    }
    out.push_back(std::move(named));
  }
  return true;
}

std::string serialize_npz(const std::vector<NamedArray>& arrays) {
  zip_error_t zerror;
  zip_error_init(&zerror);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &zerror);
  if (!target) throw std::runtime_error("cannot create an archive: " + zip_message(&zerror));
  zip_source_keep(target);
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> target_guard(target, zip_source_free);
  zip_t* archive = zip_open_from_source(target, ZIP_TRUNCATE, &zerror);
  if (!archive) throw std::runtime_error("cannot create an archive: " + zip_message(&zerror));
  std::vector<std::string> members;
  members.reserve(arrays.size());
  for (const NamedArray& named : arrays) {
    members.push_back(serialize_npy(named.array));
    zip_source_t* member = zip_source_buffer(archive, members.back().data(), members.back().size(), 0);
    zip_int64_t index = member ? zip_file_add(archive, (named.name + ".npy").c_str(), member, ZIP_FL_OVERWRITE) : -1;
    if (index < 0) {
      if (member) zip_source_free(member);
      std::string message = zip_strerror(archive);
      zip_discard(archive);
      throw std::runtime_error("cannot add '" + named.name + "' to the archive: " + message);
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 0);
  }
  if (zip_close(archive) != 0) {
    std::string message = zip_strerror(archive);
    zip_discard(archive);
    throw std::runtime_error("cannot write the archive: " + message);
  }
  zip_stat_t stat;
  if (zip_source_stat(target, &stat) != 0 || zip_source_open(target) != 0) throw std::runtime_error("cannot read back the archive");
  std::string bytes(stat.size, '\0');
  zip_int64_t got = zip_source_read(target, bytes.data(), stat.size);
  zip_source_close(target);
  if (got < 0 || static_cast<zip_uint64_t>(got) != stat.size) throw std::runtime_error("cannot read back the archive");
  return bytes;
}

}  // namespace relaxrt
