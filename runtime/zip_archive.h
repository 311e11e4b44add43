// The zip container of .npz files, read and written with zlib alone: numpy writes members
// stored (np.savez) or deflated (np.savez_compressed), with ZIP64 fields for large arrays.
// A library such as libzip would also pull in libcrypto and libbz2, whose loading alone costs
// relaxrun more start-up time (about 4 ms) than the whole of its work on the chapter's model.
#pragma once

#include <memory>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relaxrt {

struct ZipMember {
  std::string name;
  // A stored member's bytes are a view into the archive; a deflated one's into `inflated`.
  std::string_view content;
  std::shared_ptr<const std::string> inflated;
};

// Every member, in central-directory order. Checks every offset and size against the archive,
// each member's CRC-32, and refuses encrypted members, other compression methods and archives
// spanning disks. On failure returns false with a one-line `error`.
bool read_zip(std::string_view bytes, std::vector<ZipMember>& members, std::string& error);

// Members (name, bytes) stored uncompressed; throws std::runtime_error for 4 GiB or more.
std::string write_zip(const std::vector<std::pair<std::string, std::string>>& members);

// The same archive as pieces to write one after another, so that large members are written
// from where they lie rather than copied into one string: a member is the concatenation of its
// parts; `owned` holds the headers the pieces point into.
struct ZipOutputMember {
  std::string name;
  std::vector<std::string_view> parts;
};
struct ZipPieces {
  std::deque<std::string> owned;  // a deque: pieces point into its strings, which never move
  std::vector<std::string_view> pieces;
};
ZipPieces zip_pieces(const std::vector<ZipOutputMember>& members);

}  // namespace relaxrt
