#include "runtime/function_registry.h"

#include <dlfcn.h>

#include <stdexcept>

// What a plugin's registration calls see: the registry and the plugin being loaded.
struct RxRegistry {
  relaxrt::FunctionRegistry* registry;
  std::string origin;
  int registered = 0;
  std::string refused;  // names refused because they were taken
};

namespace relaxrt {

namespace {

int32_t register_from_plugin(RxRegistry* context, const char* name, RxFunction function, int32_t replace) {
  if (!context || !name || !function) return 1;
  if (!context->registry->add(name, function, context->origin, replace != 0)) {
    context->refused += std::string(context->refused.empty() ? "" : ", ") + name;
    return 1;
  }
  ++context->registered;
  return 0;
}

}  // namespace

FunctionRegistry::FunctionRegistry() {
  register_env_functions(*this);
  register_sort_functions(*this);
}

FunctionRegistry::~FunctionRegistry() {
  entries_.clear();
  for (void* handle : plugins_) dlclose(handle);
}

bool FunctionRegistry::add(const std::string& name, RxFunction function, const std::string& origin, bool replace) {
  auto it = entries_.find(name);
  if (it != entries_.end() && !replace) return false;
  entries_[name] = Entry{function, origin};
  return true;
}

const FunctionRegistry::Entry* FunctionRegistry::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

void FunctionRegistry::load_plugin(const std::string& path) {
  // dlopen searches the library path for a bare name; a path with a slash is used as given.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* error = dlerror();
    throw std::runtime_error(path + ": cannot load the plugin: " + (error ? error : "unknown error"));
  }
  plugins_.push_back(handle);
  auto entry = reinterpret_cast<RxPluginRegister>(dlsym(handle, RX_PLUGIN_ENTRY_NAME));
  if (!entry) {
    throw std::runtime_error(path + ": not a relaxrun plugin: it exports no " RX_PLUGIN_ENTRY_NAME " function (see runtime/include/relaxrt/plugin.h)");
  }
  RxRegistry context{this, path, 0, ""};
  int32_t status = entry(&context, register_from_plugin);
  if (!context.refused.empty()) {
    throw std::runtime_error(path + ": the plugin registers " + context.refused +
                             ", which already exist; pass replace=1 to override them");
  }
  if (status != 0) throw std::runtime_error(path + ": the plugin's " RX_PLUGIN_ENTRY_NAME " failed (it returned " + std::to_string(status) + ")");
  if (context.registered == 0) throw std::runtime_error(path + ": the plugin registered no functions");
}

}  // namespace relaxrt
