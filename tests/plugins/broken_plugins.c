/* Plugins that go wrong in each way relaxrun must report, one per BROKEN_* definition. */
#include <relaxrt/plugin.h>

#if !defined(BROKEN_EMPTY) && !defined(BROKEN_NO_ENTRY)
static int32_t nothing(const RxValue* args, const int32_t* kinds, int32_t n, RxError* error) {
  (void)args, (void)kinds, (void)n, (void)error;
  return 0;
}
#endif

#if defined(BROKEN_EMPTY)
RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
  (void)registry, (void)add;
  return 0; /* registers nothing */
}
#elif defined(BROKEN_CLASH)
RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
  add(registry, "env.linear", nothing, 0); /* taken by the built-in, and no replace */
  return 0;
}
#elif defined(BROKEN_FAILS)
RX_PLUGIN_EXPORT int32_t relaxrt_plugin_register(RxRegistry* registry, RxRegisterFunction add) {
  add(registry, "broken.op", nothing, 0);
  return 7;
}
#else
/* BROKEN_NO_ENTRY: a shared library, but not a plugin. */
RX_PLUGIN_EXPORT int32_t some_other_function(void) { return 42; }
#endif
