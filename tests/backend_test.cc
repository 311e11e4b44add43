#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "compiler/codegen/build_executable.h"
#include "runtime/bind_arguments.h"
#include "runtime/byte_io.h"
#include "runtime/executable.h"
#include "runtime/match_signature.h"
#include "runtime/native_library.h"
#include "runtime/npz.h"
#include "runtime/vm.h"
#include "test_util.h"

namespace {

std::string compile_source(const std::string& text, int opt_level = 2) {
  Compiled c(text);
  REQUIRE(c.module);
  relaxc::codegen::TargetOptions options;
  options.opt_level = opt_level;
  return relaxc::codegen::build_stage(*c.module, c.file, options, relaxc::codegen::Stage::Rx, "test");
}

std::string compile_rx(const std::string& path, int opt_level = 2) { return compile_source(read_testdata(path), opt_level); }

std::vector<relaxrt::Value> mlp_arguments() {
  std::vector<relaxrt::Value> args;
  relaxrt::HostArray image;
  std::string error;
  REQUIRE(relaxrt::parse_npy(read_testdata("Inputs/img2437.npy"), image, error));
  auto owner = std::make_shared<const relaxrt::HostArray>(image);
  args.push_back(relaxrt::to_value(*owner, owner));
  std::vector<relaxrt::NamedArray> params;
  REQUIRE(relaxrt::parse_npz(read_testdata("../examples/mlp_params.npz"), params, error));
  for (const char* key : {"w0", "b0", "w1", "b1"}) {
    for (const auto& p : params) {
      if (p.name != key) continue;
      auto keep = std::make_shared<const relaxrt::HostArray>(p.array);
      args.push_back(relaxrt::to_value(*keep, keep));
    }
  }
  return args;
}

float first_logit(const relaxrt::Value& v) {
  float out;
  std::memcpy(&out, v.tensor->data, 4);
  return out;
}

// A compiled module loaded as relaxrun loads it, ready to invoke.
struct Loaded {
  std::string bytes;
  relaxrt::Executable exe;
  relaxrt::NativeLibrary library;
  relaxrt::FunctionRegistry registry;
  relaxrt::VirtualMachine vm;
  explicit Loaded(std::string rx)
      : bytes(std::move(rx)), exe(relaxrt::deserialize_executable(bytes, nullptr)), library(exe.native_code), vm(exe, library, registry) {}
};

}  // namespace

TEST_CASE("MyModule compiles to a .rx that runs in process", "[backend]") {
  Loaded loaded(compile_rx("seed/my_module.tvms"));
  relaxrt::Value out = loaded.vm.invoke("main", mlp_arguments());
  REQUIRE(out.kind == relaxrt::Value::Kind::Tensor);
  CHECK(out.tensor->shape == std::vector<int64_t>{1, 10});
  CHECK(first_logit(out) == Approx(36.977055).margin(1e-4));
}

TEST_CASE("kernels check what they are given at entry", "[backend]") {
  std::string bytes = compile_rx("seed/my_module.tvms", 1);  // -O1 keeps relu0 unfused
  relaxrt::Executable exe = relaxrt::deserialize_executable(bytes, nullptr);
  relaxrt::NativeLibrary library(exe.native_code);
  RxFunction relu = library.kernel("relu0");
  REQUIRE(relu);
  auto x = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {1, 5});
  auto y = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {1, 5});
  RxValue args[2];
  int32_t kinds[2] = {RX_ARG_TENSOR, RX_ARG_TENSOR};
  args[0].tensor = &x->dl;
  args[1].tensor = &y->dl;
  RxError error{};
  auto message = [&] { return std::string(error.message ? error.message : ""); };
  CHECK(relu(args, kinds, 2, &error) == 0);

  CHECK(relu(args, kinds, 1, &error) == 1);
  CHECK(message() == "relu0: wrong number of arguments");
  CHECK((error.has_values && error.expected == 2 && error.actual == 1));

  kinds[1] = RX_ARG_INT;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' must be a tensor");
  kinds[1] = RX_ARG_TENSOR;

  args[1].tensor = nullptr;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' is a null tensor");

  auto wrong = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {1, 6});
  args[1].tensor = &wrong->dl;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' (buffer Y) dimension 1 mismatch (n, bound by argument 0 'x' dimension 1)");
  CHECK((error.expected == 5 && error.actual == 6));

  auto two_rows = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {2, 5});
  args[1].tensor = &two_rows->dl;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' (buffer Y) dimension 0 mismatch");
  CHECK((error.expected == 1 && error.actual == 2));

  auto ints = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("int32"), {1, 5});
  args[1].tensor = &ints->dl;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' (buffer Y) must hold float32");

  auto flat = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {5});
  args[1].tensor = &flat->dl;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' (buffer Y) has the wrong rank");

  // A strided view (every other column of a (1, 10) array) is refused, not misread.
  auto wide = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {1, 10});
  int64_t strides[2] = {10, 2};
  DLTensor view = wide->dl;
  view.shape = y->shape.data();
  view.strides = strides;
  args[1].tensor = &view;
  CHECK(relu(args, kinds, 2, &error) == 1);
  CHECK(message() == "relu0: argument 1 'y' (buffer Y) must be a compact row-major tensor");
  int64_t compact[2] = {5, 1};
  view.strides = compact;
  CHECK(relu(args, kinds, 2, &error) == 0);
}

// A damaged file must never crash relaxrun: every truncation fails the size check, and every
// single-byte change is caught by the checksum — or, when the checksum is recomputed to match
// (a bug or a hostile file), by validation of the sections and instructions, or by the VM's
// checks at run time. The native code itself is trusted once the checksum matches, so bytes
// in that section are not altered here.
TEST_CASE("damaged .rx files are rejected or run safely", "[backend][fuzz]") {
  std::string bytes = compile_rx("seed/my_module.tvms");
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    CHECK_THROWS_AS(relaxrt::deserialize_executable(bytes.substr(0, cut), nullptr), relaxrt::FormatError);
  }
  relaxrt::Executable clean = relaxrt::deserialize_executable(bytes, nullptr);
  size_t native_begin = static_cast<size_t>(clean.native_code.data() - bytes.data());
  size_t native_end = native_begin + clean.native_code.size();
  relaxrt::NativeLibrary library(clean.native_code);
  relaxrt::FunctionRegistry registry;
  std::vector<relaxrt::Value> args = mlp_arguments();
  size_t parsed = 0, ran = 0;
  for (size_t at = 0; at + 8 < bytes.size(); ++at) {
    if (at >= native_begin && at < native_end) continue;
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x21);
    CHECK_THROWS_AS(relaxrt::deserialize_executable(damaged, nullptr), relaxrt::FormatError);
    uint32_t crc = relaxrt::rx_checksum(std::string_view(damaged).substr(0, damaged.size() - 8));
    std::memcpy(&damaged[damaged.size() - 8], &crc, 4);
    try {
      relaxrt::Executable exe = relaxrt::deserialize_executable(damaged, nullptr);
      ++parsed;
      relaxrt::VirtualMachine vm(exe, library, registry);
      vm.invoke("main", args);
      ++ran;
    } catch (const std::runtime_error&) {
      // FormatError, RuntimeError or ArgumentError: a clean refusal.
    }
  }
  CHECK(parsed > 0);
  CHECK(ran > 0);
}

#include "runtime/cpu_features.h"

TEST_CASE("code is refused when the host lacks a CPU feature it uses", "[backend]") {
  // Whatever this machine is, the answer must agree with libgcc's reading of the CPU (which
  // the runtime no longer uses: it reads CPUID itself).
  struct Probe {
    const char* name;
    bool present;
  };
#define RX_PROBE(name) \
  { name, __builtin_cpu_supports(name) != 0 }
  const Probe probes[] = {RX_PROBE("sse3"),       RX_PROBE("pclmul"),     RX_PROBE("ssse3"),     RX_PROBE("fma"),        RX_PROBE("sse4.1"),
                          RX_PROBE("sse4.2"),     RX_PROBE("popcnt"),     RX_PROBE("avx"),       RX_PROBE("f16c"),       RX_PROBE("bmi"),
                          RX_PROBE("avx2"),       RX_PROBE("bmi2"),       RX_PROBE("avx512f"),   RX_PROBE("avx512dq"),   RX_PROBE("avx512ifma"),
                          RX_PROBE("avx512cd"),   RX_PROBE("avx512bw"),   RX_PROBE("avx512vl"),  RX_PROBE("avx512vbmi"), RX_PROBE("vpclmulqdq"),
                          RX_PROBE("avx512vnni"), RX_PROBE("avx512bf16"), RX_PROBE("avx512fp16")};
#undef RX_PROBE
  for (const Probe& probe : probes) {
    INFO(probe.name);
    std::string problem = relaxrt::check_host_can_run("x86_64-pc-linux-gnu", "somecpu", {"64bit", probe.name});
    CHECK(problem.empty() == probe.present);
    CHECK(relaxrt::host_has_feature(probe.name) == probe.present);
    if (!probe.present) {
      CHECK(problem.find(std::string("uses ") + probe.name + ", which this CPU lacks") != std::string::npos);
    }
  }
  CHECK(relaxrt::check_host_can_run("x86_64-pc-linux-gnu", "generic", {}).empty());
  CHECK(relaxrt::check_host_can_run("aarch64-unknown-linux-gnu", "generic", {}).find("this machine is x86_64") != std::string::npos);
}

#include <unistd.h>

#include "compiler/passes/relax/bind_params.h"
#include "runtime/file_io.h"
#include "runtime/mapped_file.h"

TEST_CASE("bound weights are 64-byte aligned in the .rx and used in place from the mapping", "[backend]") {
  Compiled c(read_testdata("seed/my_module_mixture.tvms"));
  REQUIRE(c.module);
  std::vector<relaxrt::NamedArray> params;
  std::string error;
  REQUIRE(relaxrt::parse_npz(read_testdata("../examples/mlp_params.npz"), params, error));
  std::optional<relaxc::Module> bound = relaxc::bind_params(*c.module, params, {"main", "mlp_params.npz", false}, c.diags);
  REQUIRE(bound);
  REQUIRE(bound->constants.size() == 4);
  std::string bytes = relaxc::codegen::build_stage(*bound, c.file, {}, relaxc::codegen::Stage::Rx, "test");
  std::string path = "/tmp/relaxc_bound_" + std::to_string(::getpid()) + ".rx";
  REQUIRE(relaxrt::write_file_atomically(path, bytes).empty());
  std::shared_ptr<const relaxrt::MappedFile> file = relaxrt::MappedFile::open(path);
  std::remove(path.c_str());
  relaxrt::Executable exe = relaxrt::deserialize_executable(file->bytes(), file);
  size_t tensors = 0;
  for (const relaxrt::ConstantEntry& entry : exe.constants) {
    if (entry.kind != relaxrt::ConstantEntry::Kind::Tensor) continue;
    ++tensors;
    const char* data = exe.constant_data.data() + entry.data_offset;
    CHECK(reinterpret_cast<uintptr_t>(data) % 64 == 0);
    CHECK(data >= file->bytes().data());
    CHECK(data + entry.data_size <= file->bytes().data() + file->bytes().size());
  }
  CHECK(tensors == 4);
  relaxrt::NativeLibrary library(exe.native_code);
  relaxrt::FunctionRegistry registry;
  relaxrt::VirtualMachine vm(exe, library, registry);
  std::vector<relaxrt::Value> args = mlp_arguments();
  args.resize(1);  // x only: the weights are in the file
  CHECK(first_logit(vm.invoke("main", args)) == Approx(36.977055).margin(1e-4));
}

TEST_CASE("repeated calls reuse their tensors, never one a caller still holds", "[backend]") {
  Loaded loaded(compile_rx("seed/my_module.tvms"));
  relaxrt::VirtualMachine& vm = loaded.vm;
  std::vector<relaxrt::Value> args = mlp_arguments();
  const void* first_data = nullptr;
  {
    relaxrt::Value first = vm.invoke("main", args);
    first_data = first.tensor->data;
  }
  relaxrt::Value second = vm.invoke("main", args);
  CHECK(second.tensor->data == first_data);  // the first result was dropped: its storage is reused
  relaxrt::Value third = vm.invoke("main", args);
  CHECK(third.tensor->data != second.tensor->data);  // `second` is still held: fresh storage
  CHECK(first_logit(second) == Approx(36.977055).margin(1e-4));
  CHECK(first_logit(third) == Approx(36.977055).margin(1e-4));
}

TEST_CASE("a reshaped result shares storage and keeps it from being recycled while held", "[backend]") {
  Loaded loaded(compile_source(R"(
@I.ir_module
class Module:
    @R.function
    def main(x: R.Tensor((2, 6), "float32")):
        with R.dataflow():
            y = R.add(x, x)
            z = R.reshape(y, R.shape([3, 4]))
            R.output(z)
        return z
)"));
  auto input = relaxrt::Tensor::allocate(*relaxrt::parse_element_type("float32"), {2, 6});
  for (int i = 0; i < 12; ++i) static_cast<float*>(input->data)[i] = static_cast<float>(i);
  std::vector<relaxrt::Value> args = {relaxrt::Value::of(input)};
  auto element = [](const relaxrt::Value& v, int i) { return static_cast<const float*>(v.tensor->data)[i]; };
  const void* first_data = nullptr;
  {
    relaxrt::Value first = loaded.vm.invoke("main", args);
    REQUIRE(first.tensor->shape == std::vector<int64_t>{3, 4});
    first_data = first.tensor->data;
  }
  relaxrt::Value second = loaded.vm.invoke("main", args);
  CHECK(second.tensor->data == first_data);  // the view was dropped, so y's storage is reused
  static_cast<float*>(input->data)[11] = 100;
  relaxrt::Value third = loaded.vm.invoke("main", args);
  CHECK(third.tensor->data != second.tensor->data);  // `second` views y's old storage: fresh storage
  CHECK(element(second, 11) == 22);
  CHECK(element(third, 11) == 200);
  CHECK(element(third, 5) == 10);
}

TEST_CASE("weight transforms are kept for frozen weights and recomputed for others", "[backend]") {
  Loaded loaded(compile_source(R"(
@I.ir_module
class Module:
    @R.function
    def main(x: R.Tensor(("m", 3), "float32"), w: R.Tensor((16, 3), "float32")):
        m = T.int64()
        R.func_attr({"num_input": 1})
        with R.dataflow():
            y = R.nn.linear(x, w)
            R.output(y)
        return y
)"));
  relaxrt::ElementType f32 = *relaxrt::parse_element_type("float32");
  auto x = relaxrt::Tensor::allocate(f32, {2, 3});
  // 16 rows: whole vectors of columns, so pack_weights packs w.
  auto w = relaxrt::Tensor::allocate(f32, {16, 3});
  float* xs = static_cast<float*>(x->data);
  float* ws = static_cast<float*>(w->data);
  for (int i = 0; i < 6; ++i) xs[i] = static_cast<float>(i + 1);
  for (int i = 0; i < 48; ++i) ws[i] = static_cast<float>(i % 5) - 1.5f;
  auto check = [&](const relaxrt::Value& y) {
    REQUIRE(y.tensor->shape == std::vector<int64_t>{2, 16});
    const float* ys = static_cast<const float*>(y.tensor->data);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 16; ++j) {
        float expected = 0;
        for (int k = 0; k < 3; ++k) expected += xs[i * 3 + k] * ws[j * 3 + k];
        CHECK(ys[i * 16 + j] == Approx(expected));
      }
    }
  };
  std::vector<relaxrt::Value> args = {relaxrt::Value::of(x), relaxrt::Value::of(w)};
  SECTION("a weight that may change is transposed on every call") {
    check(loaded.vm.invoke("main", args));
    ws[5] = 100;
    check(loaded.vm.invoke("main", args));
    relaxrt::Value first = loaded.vm.invoke("w_kmajor", {relaxrt::Value::of(w)});
    relaxrt::Value second = loaded.vm.invoke("w_kmajor", {relaxrt::Value::of(w)});
    CHECK(first.tensor != second.tensor);
  }
  SECTION("a frozen weight is transposed once") {
    w->frozen = true;
    check(loaded.vm.invoke("main", args));
    check(loaded.vm.invoke("main", args));
    relaxrt::Value first = loaded.vm.invoke("w_kmajor", {relaxrt::Value::of(w)});
    relaxrt::Value second = loaded.vm.invoke("w_kmajor", {relaxrt::Value::of(w)});
    CHECK(first.tensor == second.tensor);
    CHECK(first.tensor->frozen);
    CHECK(static_cast<const float*>(first.tensor->data)[1 * 16 + 2] == ws[2 * 3 + 1]);  // w_t[k, j] = w[j, k]
  }
}

TEST_CASE("planned intermediates share storage across repeated calls without mixing results", "[backend]") {
  Loaded loaded(compile_rx("run/memory_plan.tvms", 1));
  relaxrt::ElementType f32 = *relaxrt::parse_element_type("float32");
  for (int call = 0; call < 3; ++call) {
    int64_t rows = call == 1 ? 5 : 2;  // a larger call grows the planned storage
    auto x = relaxrt::Tensor::allocate(f32, {rows, 3});
    float* xs = static_cast<float*>(x->data);
    for (int64_t i = 0; i < rows * 3; ++i) xs[i] = static_cast<float>(i - 2 - call);
    relaxrt::Value out = loaded.vm.invoke("main", {relaxrt::Value::of(x)});
    REQUIRE(out.tensor->shape == std::vector<int64_t>{rows * 3});
    const float* ys = static_cast<const float*>(out.tensor->data);
    for (int64_t i = 0; i < rows * 3; ++i) {
      float a = xs[i] + xs[i];
      float d = std::max(std::max(a, 0.0f) * a, 0.0f);
      CHECK(ys[i] == d + d);
    }
  }
}
