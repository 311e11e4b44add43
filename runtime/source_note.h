// The note under an error that points at the .tvms source: "file:line:col: note: message", the
// source line and a caret under the column, as the compiler prints them. Shared by relaxrun and
// the C API's argument errors.
#pragma once

#include <string>

#include "runtime/executable.h"

namespace relaxrt {

// Empty when the span has no line; each line of the note ends in "\n".
std::string source_note(const std::string& source, const SourceSpan& span, const std::string& message);

}  // namespace relaxrt
