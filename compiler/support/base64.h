// Base64 (RFC 4648, with padding) for the tensor data of printed metadata.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relaxc {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace relaxc
