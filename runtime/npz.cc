#include "runtime/npz.h"

#include <cstring>
#include <set>

#include "runtime/zip_archive.h"

namespace relaxrt {

bool view_npz(std::string_view bytes, const std::shared_ptr<const void>& archive_owner, std::vector<ArrayView>& out, std::string& error) {
  if (bytes.size() < 4 || bytes.compare(0, 2, "PK") != 0) {
    error = "expected a .npz file (a zip archive), found " + std::string(bytes.empty() ? "an empty file" : "other data");
    return false;
  }
  std::vector<ZipMember> members;
  if (!read_zip(bytes, members, error)) return false;
  std::set<std::string> names;
  for (ZipMember& member : members) {
    const std::string& name = member.name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) {
      error = "expected members named *.npy, found '" + name + "'";
      return false;
    }
    ArrayView view;
    view.name = name.substr(0, name.size() - 4);
    if (!names.insert(view.name).second) {
      error = "the archive holds '" + name + "' twice";
      return false;
    }
    std::string npy_error;
    if (!parse_npy_header(member.content, view.header, npy_error)) {
      error = "member '" + name + "': " + npy_error;
      return false;
    }
    view.data = member.content.data() + view.header.data_offset;
    view.owner = member.inflated ? std::shared_ptr<const void>(member.inflated) : archive_owner;
    out.push_back(std::move(view));
  }
  return true;
}

bool parse_npz(std::string_view bytes, std::vector<NamedArray>& out, std::string& error) {
  std::vector<ArrayView> views;
  if (!view_npz(bytes, nullptr, views, error)) return false;
  for (const ArrayView& view : views) {
    NamedArray named;
    named.name = view.name;
    named.array.dtype = view.header.dtype;
    named.array.shape = view.header.shape;
    named.array.data.resize(view.header.data_size);
    if (view.header.data_size) std::memcpy(named.array.data.data(), view.data, view.header.data_size);
    out.push_back(std::move(named));
  }
  return true;
}

std::string serialize_npz(const std::vector<NamedArray>& arrays) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const NamedArray& named : arrays) members.emplace_back(named.name + ".npy", serialize_npy(named.array));
  return write_zip(members);
}

}  // namespace relaxrt
