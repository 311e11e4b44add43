// Links one relocatable object into a shared object, in-process with lld (no external linker).
// Undefined symbols (the C math library, aligned_alloc) are left for the dynamic loader, which
// resolves them against relaxrun when it loads the library.
#pragma once

#include <string>
#include <vector>

namespace relaxc::codegen {

// Returns the bytes of the shared object; throws std::runtime_error with lld's messages.
std::string link_shared_object(const std::string& object_bytes);
// The objects linked into one library.
std::string link_shared_object(const std::vector<std::string>& objects);

}  // namespace relaxc::codegen
