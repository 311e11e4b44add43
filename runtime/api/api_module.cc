// The C API's modules: opening a .rx (from a file or from bytes), its functions and their
// signatures, the thread count and the per-thread last error.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "runtime/api/api_state.h"
#include "runtime/byte_io.h"
#include "runtime/cpu_features.h"
#include "runtime/mapped_file.h"
#include "runtime/sha256.h"
#include "runtime/thread_pool.h"

using relaxrt::api::ApiError;
using relaxrt::api::guarded;

namespace relaxrt::api {

namespace {
thread_local std::string last_error;
}  // namespace

RxrtStatus fail(RxrtStatus status, const std::string& message) {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear();  // no memory for the message: the status still says what happened
  }
  return status;
}

void clear_error() { last_error.clear(); }

const char* last_error_text() { return last_error.c_str(); }

namespace {

void require(bool condition, const char* message) {
  if (!condition) throw ApiError(RXRT_ERROR_INVALID, message);
}

std::vector<ParamView> param_views(const VMFunction& fn) {
  std::vector<ParamView> views;
  for (const ParamSpec& p : fn.params) {
    ParamView view;
    if (p.type.kind == TypeSpec::Kind::Tensor && !p.type.dtype.empty()) {
      if (std::optional<ElementType> type = parse_element_type(p.type.dtype)) view.dtype = {type->code, type->bits, 1};
    }
    for (const DimSpec& d : p.type.dims) {
      view.shape.push_back(d.kind == DimSpec::Kind::Constant ? d.value : -1);
      view.dims.push_back(d.text.c_str());
    }
    views.push_back(std::move(view));
  }
  return views;
}

// Refuses bytes whose digest is not `expected`, before anything in them is read.
void check_sha256(const std::string& name, std::string_view bytes, std::string expected) {
  bool hex = expected.size() == 64 && std::all_of(expected.begin(), expected.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (!hex) throw ApiError(RXRT_ERROR_INVALID, "expect_sha256 '" + expected + "' is not 64 hexadecimal digits");
  std::transform(expected.begin(), expected.end(), expected.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  std::string actual = sha256_hex(bytes);
  if (actual != expected) {
    throw ApiError(RXRT_ERROR_UNTRUSTED, name + ": its SHA-256 is " + actual + ", not the expected " + expected + "; it is not loaded");
  }
}

// Reads the executable in `storage`, loads its plugins and native code and resolves every
// function it calls.
std::unique_ptr<RxrtModule> load_module(std::string name, std::string_view bytes, std::shared_ptr<const void> storage, const RxrtOpenOptions* options) {
  auto module = std::make_unique<RxrtModule>();
  module->name = std::move(name);
  if (options && options->expect_sha256) check_sha256(module->name, bytes, options->expect_sha256);
  try {
    module->exe = deserialize_executable(bytes, std::move(storage));
  } catch (const FormatError& e) {
    throw ApiError(RXRT_ERROR_FORMAT, module->name + ": " + e.what());
  }
  if (options) {
    require(options->num_plugins >= 0 && (options->num_plugins == 0 || options->plugins), "relaxrt_open: options->plugins is NULL or num_plugins negative");
    for (int32_t i = 0; i < options->num_plugins; ++i) {
      require(options->plugins[i] != nullptr, "relaxrt_open: a plugin path is NULL");
      try {
        module->registry.load_plugin(options->plugins[i]);
      } catch (const std::runtime_error& e) {
        throw ApiError(RXRT_ERROR_IO, e.what());
      }
    }
  }
  const Executable& exe = module->exe;
  module->library = std::make_unique<NativeLibrary>();
  if (!exe.native_code.empty()) {
    if (std::string problem = check_host_can_run(exe.target_triple, exe.target_cpu, exe.target_features); !problem.empty()) {
      throw ApiError(RXRT_ERROR_HOST, module->name + ": " + problem);
    }
    try {
      module->library = std::make_unique<NativeLibrary>(exe.native_code);
    } catch (const std::runtime_error& e) {
      throw ApiError(RXRT_ERROR_FORMAT, module->name + ": its native code does not load: " + e.what());
    }
  }
  try {
    module->vm = std::make_unique<VirtualMachine>(exe, *module->library, module->registry);
  } catch (const RuntimeError& e) {
    throw ApiError(RXRT_ERROR_NOT_FOUND, module->name + ": " + e.what());
  }
  for (const VMFunction& fn : exe.functions) module->params.push_back(param_views(fn));
  return module;
}

const VMFunction& function_at(const RxrtModule* module, int32_t function) {
  require(module != nullptr, "the module is NULL");
  if (function < 0 || static_cast<size_t>(function) >= module->exe.functions.size()) {
    throw ApiError(RXRT_ERROR_INVALID, module->name + ": there is no function " + std::to_string(function) + " (the module has " +
                                           std::to_string(module->exe.functions.size()) + ")");
  }
  return module->exe.functions[static_cast<size_t>(function)];
}

}  // namespace
}  // namespace relaxrt::api

using namespace relaxrt;

extern "C" {

const char* relaxrt_last_error(void) { return api::last_error_text(); }

const char* relaxrt_version(void) { return "relaxrt " RELAXRT_VERSION; }

RxrtStatus relaxrt_open_file(const char* path, const RxrtOpenOptions* options, RxrtModule** module) {
  return guarded([&] {
    api::require(path != nullptr && module != nullptr, "relaxrt_open_file: path and module must not be NULL");
    *module = nullptr;
    std::shared_ptr<const MappedFile> file;
    try {
      file = MappedFile::open(path);
    } catch (const std::runtime_error& e) {
      throw ApiError(RXRT_ERROR_IO, e.what());
    }
    *module = api::load_module(path, file->bytes(), file, options).release();
  });
}

RxrtStatus relaxrt_open_memory(const void* data, size_t size, const char* name, const RxrtOpenOptions* options, RxrtModule** module) {
  return guarded([&] {
    api::require(module != nullptr, "relaxrt_open_memory: module must not be NULL");
    *module = nullptr;
    api::require(data != nullptr || size == 0, "relaxrt_open_memory: data is NULL");
    // Constants are read in place and kernels expect them 64-byte aligned, as in a mapped file.
    void* copy = std::aligned_alloc(kRxAlignment, (size + kRxAlignment - 1) / kRxAlignment * kRxAlignment + kRxAlignment);
    if (!copy) throw std::bad_alloc();
    std::shared_ptr<void> storage(copy, std::free);
    if (size) std::memcpy(copy, data, size);
    std::string_view bytes(static_cast<const char*>(copy), size);
    *module = api::load_module(name ? name : "<memory>", bytes, storage, options).release();
  });
}

void relaxrt_close(RxrtModule* module) { delete module; }

int32_t relaxrt_function_count(const RxrtModule* module) { return module ? static_cast<int32_t>(module->exe.functions.size()) : 0; }

RxrtStatus relaxrt_function_info(const RxrtModule* module, int32_t function, RxrtFunctionInfo* info) {
  return guarded([&] {
    api::require(info != nullptr, "relaxrt_function_info: info is NULL");
    const VMFunction& fn = api::function_at(module, function);
    info->name = fn.name.c_str();
    info->num_params = static_cast<int32_t>(fn.params.size());
    info->return_type = fn.ret.text.c_str();
    info->is_prim_func = fn.prim_func_entry ? 1 : 0;
  });
}

RxrtStatus relaxrt_param_info(const RxrtModule* module, int32_t function, int32_t param, RxrtParamInfo* info) {
  return guarded([&] {
    api::require(info != nullptr, "relaxrt_param_info: info is NULL");
    const VMFunction& fn = api::function_at(module, function);
    if (param < 0 || static_cast<size_t>(param) >= fn.params.size()) {
      throw ApiError(RXRT_ERROR_INVALID, "@" + fn.name + " has no parameter " + std::to_string(param) + " (it has " + std::to_string(fn.params.size()) + ")");
    }
    const ParamSpec& p = fn.params[static_cast<size_t>(param)];
    const api::ParamView& view = module->params[static_cast<size_t>(function)][static_cast<size_t>(param)];
    info->name = p.name.c_str();
    info->type = p.type.text.c_str();
    info->is_tensor = p.type.kind == TypeSpec::Kind::Tensor ? 1 : 0;
    info->dtype = view.dtype;
    info->ndim = p.type.kind == TypeSpec::Kind::Tensor ? p.type.ndim : 0;
    bool has_shape = p.type.has_shape && !view.shape.empty();
    info->shape = has_shape ? view.shape.data() : nullptr;
    info->dims = has_shape ? view.dims.data() : nullptr;
  });
}

RxrtStatus relaxrt_find_function(const RxrtModule* module, const char* name, int32_t* function) {
  return guarded([&] {
    api::require(module != nullptr && name != nullptr && function != nullptr, "relaxrt_find_function: module, name and function must not be NULL");
    const std::vector<VMFunction>& functions = module->exe.functions;
    for (size_t i = 0; i < functions.size(); ++i) {
      if (functions[i].name == name) {
        *function = static_cast<int32_t>(i);
        return;
      }
    }
    std::string list;
    for (const VMFunction& f : functions) list += (list.empty() ? "@" : ", @") + f.name;
    throw ApiError(RXRT_ERROR_NOT_FOUND, module->name + ": there is no function @" + name + " (functions: " + list + ")");
  });
}

RxrtStatus relaxrt_set_threads(int32_t threads) {
  return guarded([&] {
    if (threads < 1) throw ApiError(RXRT_ERROR_INVALID, "relaxrt_set_threads: " + std::to_string(threads) + " threads; give at least 1");
    set_thread_count(threads);
  });
}

int32_t relaxrt_threads(void) { return static_cast<int32_t>(thread_count()); }

}  // extern "C"
