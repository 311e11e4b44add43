// The functions R.call_dps_packed, R.call_packed and TensorIR's T.call_packed can reach by name
// at run time: the built-in env.* and tvm.contrib.sort.* functions, and whatever plugins
// register. Each entry remembers where it came from, for
// `relaxrun --info` and for messages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "relaxrt/plugin.h"

struct RxRegistry;

namespace relaxrt {

class FunctionRegistry {
 public:
  FunctionRegistry();
  ~FunctionRegistry();
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  struct Entry {
    RxFunction function = nullptr;
    std::string origin;  // "built-in (OpenBLAS)", or the plugin's path
  };

  // False when the name is taken and `replace` is false.
  bool add(const std::string& name, RxFunction function, const std::string& origin, bool replace);
  const Entry* find(const std::string& name) const;

  // Loads a plugin and lets it register its functions; throws std::runtime_error naming the
  // library when it cannot be loaded, exports no entry point, fails, or registers nothing.
  void load_plugin(const std::string& path);

 private:
  std::map<std::string, Entry> entries_;
  std::vector<void*> plugins_;  // dlopen handles, closed last
};

// env.linear and env.relu over OpenBLAS (env_functions.cc).
void register_env_functions(FunctionRegistry& registry);
// tvm.contrib.sort.sort and tvm.contrib.sort.argsort (sort_functions.cc).
void register_sort_functions(FunctionRegistry& registry);

}  // namespace relaxrt
