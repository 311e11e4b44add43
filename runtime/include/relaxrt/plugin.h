/* Plugins: shared libraries that give relaxrun named functions for R.call_dps_packed.
 *
 * A plugin exports one C function, relaxrt_plugin_register, which relaxrun calls once after
 * loading the library (relaxrun --lib libmine.so). It registers each function by name:
 *
 *   #include <relaxrt/plugin.h>
 *   static int32_t my_relu(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) { ... }
 *   RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
 *     return add(registry, "env.relu", my_relu, 1);
 *   }
 *
 * Registering a name that is already taken (a built-in such as env.relu, or an earlier
 * plugin's) fails unless `replace` is non-zero, as TVM's register_func(override=True). Functions
 * follow the calling convention of kernel_abi.h: inputs first, then the outputs they write. */
#ifndef RELAXRT_PLUGIN_H_
#define RELAXRT_PLUGIN_H_

#include "relaxrt/kernel_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct RxRegistry RxRegistry; /* opaque: relaxrun's function registry */

/* Returns 0 when registered, non-zero when the name is taken and `replace` is 0. */
typedef int32_t (*RxRegisterFunction)(RxRegistry* registry, const char* name, RxFunction function, int32_t replace);

/* The entry point a plugin exports; return 0 on success. */
typedef int32_t (*RxPluginRegister)(RxRegistry* registry, RxRegisterFunction add);
#define RX_PLUGIN_ENTRY_NAME "relaxrt_plugin_register"

#if defined(__GNUC__)
#define RX_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define RX_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* RELAXRT_PLUGIN_H_ */
