// SHA-256 (FIPS 180-4), for relaxrun --expect-sha256: a .rx carries native code that runs when
// it is loaded, so a deployment may pin the exact file it trusts.
#pragma once

#include <string>
#include <string_view>

namespace relaxrt {

// The digest of `bytes` as 64 lowercase hexadecimal digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace relaxrt
