#include "runtime/zip_archive.h"

#include <zlib.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "runtime/crc32.h"

namespace relaxrt {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr uint16_t kZip64Extra = 0x0001;

// Little-endian fields at checked offsets.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool has(uint64_t at, uint64_t size) const { return at <= bytes_.size() && size <= bytes_.size() - at; }
  uint64_t get(uint64_t at, int size) const {
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes_[at + static_cast<uint64_t>(i)]);
    return v;
  }

 private:
  std::string_view bytes_;
};

void put(std::string& out, uint64_t v, int size) {
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool inflate_raw(const char* data, uint64_t size, std::string& out) {
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) return false;
  uint64_t done_in = 0, done_out = 0;
  int status = Z_OK;
  // zlib counts in uInt; feed large members in pieces.
  constexpr uint64_t kStep = std::numeric_limits<uInt>::max() / 2;
  while (status == Z_OK) {
    uint64_t in = std::min(kStep, size - done_in), room = std::min(kStep, out.size() - done_out);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data + done_in));
    s.avail_in = static_cast<uInt>(in);
    s.next_out = reinterpret_cast<Bytef*>(out.data() + done_out);
    s.avail_out = static_cast<uInt>(room);
    if (in == 0 && room == 0) break;
    status = inflate(&s, Z_NO_FLUSH);
    done_in += in - s.avail_in;
    done_out += room - s.avail_out;
    if (status == Z_BUF_ERROR && (in == 0 || room == 0)) break;
  }
  inflateEnd(&s);
  return status == Z_STREAM_END && done_out == out.size();
}

uint32_t crc_of(std::string_view data) { return crc32_of(data); }

}  // namespace

bool read_zip(std::string_view bytes, std::vector<ZipMember>& members, std::string& error) {
  Reader r(bytes);
  // The end-of-directory record: the last one, within the 64 KiB a comment may take.
  uint64_t end = UINT64_MAX;
  for (uint64_t at = bytes.size() >= 22 ? bytes.size() - 22 : UINT64_MAX; at != UINT64_MAX; --at) {
    if (r.get(at, 4) == kEndOfDirectory && at + 22 + r.get(at + 20, 2) == bytes.size()) {
      end = at;
      break;
    }
    if (bytes.size() - at > 22 + 0xffff || at == 0) break;
  }
  if (end == UINT64_MAX) {
    error = "expected a zip archive ending in its end-of-directory record, found none (a truncated file?)";
    return false;
  }
  uint64_t count = r.get(end + 10, 2), dir_size = r.get(end + 12, 4), dir_offset = r.get(end + 16, 4);
  if (r.get(end + 4, 2) != 0 || r.get(end + 6, 2) != 0) {
    error = "archives spanning several disks are not supported";
    return false;
  }
  if (count == 0xffff || dir_size == 0xffffffff || dir_offset == 0xffffffff) {
    uint64_t locator = end >= 20 ? end - 20 : UINT64_MAX;
    if (locator == UINT64_MAX || r.get(locator, 4) != kZip64Locator) {
      error = "a ZIP64 archive without its ZIP64 end-of-directory locator";
      return false;
    }
    uint64_t record = r.get(locator + 8, 8);
    if (!r.has(record, 56) || r.get(record, 4) != kZip64End) {
      error = "the ZIP64 end-of-directory record is missing or damaged";
      return false;
    }
    count = r.get(record + 32, 8);
    dir_size = r.get(record + 40, 8);
    dir_offset = r.get(record + 48, 8);
  }
  if (!r.has(dir_offset, dir_size) || count > dir_size / 46 + 1) {
    error = "the central directory lies outside the archive";
    return false;
  }
  uint64_t at = dir_offset;
  for (uint64_t i = 0; i < count; ++i) {
    std::string where = "member " + std::to_string(i);
    if (!r.has(at, 46) || at + 46 > dir_offset + dir_size || r.get(at, 4) != kCentralHeader) {
      error = "the central directory entry of " + where + " is damaged";
      return false;
    }
    uint64_t flags = r.get(at + 8, 2), method = r.get(at + 10, 2), crc = r.get(at + 16, 4);
    uint64_t packed = r.get(at + 20, 4), size = r.get(at + 24, 4);
    uint64_t name_length = r.get(at + 28, 2), extra_length = r.get(at + 30, 2), comment_length = r.get(at + 32, 2);
    uint64_t local = r.get(at + 42, 4);
    if (!r.has(at + 46, name_length + extra_length + comment_length)) {
      error = "the central directory entry of " + where + " is damaged";
      return false;
    }
    ZipMember member;
    member.name = std::string(bytes.substr(at + 46, name_length));
    where = "member '" + member.name + "'";
    // ZIP64: the 64-bit values of the fields set to all ones, in this order.
    for (uint64_t e = at + 46 + name_length; e + 4 <= at + 46 + name_length + extra_length;) {
      uint64_t id = r.get(e, 2), length = r.get(e + 2, 2), field = e + 4;
      if (field + length > at + 46 + name_length + extra_length) break;
      if (id == kZip64Extra) {
        for (uint64_t* value : {&size, &packed, &local}) {
          if (*value != 0xffffffff) continue;
          if (field + 8 > e + 4 + length) {
            error = "the ZIP64 sizes of " + where + " are damaged";
            return false;
          }
          *value = r.get(field, 8);
          field += 8;
        }
      }
      e += 4 + length;
    }
    at += 46 + name_length + extra_length + comment_length;
    if (flags & 1) {
      error = where + " is encrypted";
      return false;
    }
    if (method != 0 && method != 8) {
      error = where + " uses compression method " + std::to_string(method) + "; expected stored (0) or deflate (8)";
      return false;
    }
    if (!r.has(local, 30) || r.get(local, 4) != kLocalHeader) {
      error = "the local header of " + where + " is missing";
      return false;
    }
    uint64_t data = local + 30 + r.get(local + 26, 2) + r.get(local + 28, 2);
    if (!r.has(data, packed) || (method == 0 && packed != size) || size > packed * 1100 + (1 << 20)) {
      error = where + " claims sizes the archive cannot hold (" + std::to_string(packed) + " bytes packed, " + std::to_string(size) + " unpacked)";
      return false;
    }
    if (method == 0) {
      member.content = bytes.substr(data, size);
    } else {
      auto inflated = std::make_shared<std::string>(size, '\0');
      if (!inflate_raw(bytes.data() + data, packed, *inflated)) {
        error = where + " is damaged: its deflated data does not decompress to " + std::to_string(size) + " bytes";
        return false;
      }
      member.inflated = inflated;
      member.content = *inflated;
    }
    if (crc_of(member.content) != crc) {
      error = where + " is damaged: its CRC-32 does not match";
      return false;
    }
    members.push_back(std::move(member));
  }
  return true;
}

ZipPieces zip_pieces(const std::vector<ZipOutputMember>& members) {
  ZipPieces zip;
  std::string directory;
  uint64_t offset = 0;
  auto emit = [&](std::string bytes) {
    offset += bytes.size();
    zip.owned.push_back(std::move(bytes));
    zip.pieces.push_back(zip.owned.back());
  };
  for (const ZipOutputMember& member : members) {
    const std::string& name = member.name;
    uint64_t size = 0;
    uint32_t crc = 0;
    for (std::string_view part : member.parts) {
      size += part.size();
      crc = crc32_of(part, crc);
    }
    if (size >= 0xffffffffull || offset >= 0xffffffffull) throw std::runtime_error("'" + name + "' is too large for an archive of under 4 GiB");
    uint64_t local = offset;
    // The fields local and central headers share: version needed 2.0, no flags, stored, a
    // fixed date (1980-01-01), CRC, sizes, name length and no extra field.
    auto common = [&](std::string& to) {
      for (uint64_t field : {20, 0, 0, 0, 0x21}) put(to, field, 2);
      put(to, crc, 4);
      put(to, size, 4);
      put(to, size, 4);
      put(to, name.size(), 2);
      put(to, 0, 2);
    };
    std::string header;
    put(header, kLocalHeader, 4);
    common(header);
    emit(header + name);
    for (std::string_view part : member.parts) {
      zip.pieces.push_back(part);
      offset += part.size();
    }
    put(directory, kCentralHeader, 4);
    put(directory, 20, 2);  // version made by
    common(directory);
    for (uint64_t field : {0, 0, 0}) put(directory, field, 2);  // comment length, disk, internal attributes
    put(directory, 0, 4);  // external attributes
    put(directory, local, 4);
    directory += name;
  }
  if (members.size() >= 0xffff || offset >= 0xffffffffull) throw std::runtime_error("too many or too large members for an archive");
  uint64_t dir_offset = offset;
  std::string end = directory;
  put(end, kEndOfDirectory, 4);
  put(end, 0, 2);
  put(end, 0, 2);
  put(end, members.size(), 2);
  put(end, members.size(), 2);
  put(end, directory.size(), 4);
  put(end, dir_offset, 4);
  put(end, 0, 2);
  emit(std::move(end));
  return zip;
}

std::string write_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<ZipOutputMember> parts;
  for (const auto& [name, content] : members) parts.push_back({name, {content}});
  std::string out;
  for (std::string_view piece : zip_pieces(parts).pieces) out += piece;
  return out;
}

}  // namespace relaxrt
