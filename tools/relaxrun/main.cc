// relaxrun: runs a module compiled by relaxc (.rx) on .npy/.npz inputs and prints or writes the
// result. Exit codes: 0 success, 1 a bad input/module or a failed run or comparison, 2 bad usage.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>

#include "benchmark.h"
#include "intermediates.h"
#include "profile.h"
#include "synthetic_inputs.h"
#include "report.h"
#include "relaxrt/relaxrt.h"
#include "runtime/api/api_state.h"
#include "runtime/array_files.h"
#include "runtime/sha256.h"
#include "runtime/bind_arguments.h"
#include "runtime/byte_io.h"
#include "runtime/compare_arrays.h"
#include "runtime/cpu_features.h"
#include "runtime/file_io.h"
#include "runtime/format_array.h"
#include "runtime/mapped_file.h"
#include "runtime/match_signature.h"
#include "runtime/thread_pool.h"
#include "runtime/vm.h"
#include "version.h"

namespace {

struct Options {
  std::string module, expect_sha256, function = "main", params, output, labels, expected, dump_intermediates, compare_intermediates;
  std::vector<std::string> inputs, libs, dims;
  int print_top = 0, benchmark = 0, profile = 0, warmup = 3, threads = 0;
  double atol = 1e-5, rtol = 1e-5;
  bool info = false, allow_unused_params = false;
  std::string format;  // empty: --benchmark's text, --profile's table
};

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Timing with no input files: every argument made from the signature (synthetic_inputs.h).
bool synthesizes_inputs(const Options& opt) { return (opt.benchmark > 0 || opt.profile > 0) && opt.inputs.empty() && opt.params.empty(); }

std::string read_input_file(const std::string& path) {
  std::string bytes;
  if (std::string error = relaxrt::read_whole_file(path, bytes); !error.empty()) throw Failure(error);
  return bytes;
}

// An input (or the --expected reference) used in place from the mapped file.
relaxrt::Value map_npy(const std::string& path) { return relaxrt::map_npy_file(path); }

std::vector<std::string> read_labels(const std::string& path) {
  std::vector<std::string> labels;
  std::istringstream lines(read_input_file(path));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) labels.push_back(line);
  }
  return labels;
}

// Written from the result's own memory as it is (runtime/array_files.h), atomically.
void write_output(const std::string& path, const relaxrt::Value& result) {
  bool npz = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npz") == 0;
  std::string error;
  if (result.kind == relaxrt::Value::Kind::Tensor && !npz) {
    error = relaxrt::write_npy_file(path, *result.tensor);
  } else if (result.kind == relaxrt::Value::Kind::Tuple && npz) {
    std::vector<std::pair<std::string, const relaxrt::Tensor*>> arrays;
    for (size_t i = 0; i < result.tuple->size(); ++i) {
      const relaxrt::Value& field = (*result.tuple)[i];
      if (field.kind != relaxrt::Value::Kind::Tensor) throw Failure(path + ": result field " + std::to_string(i) + " is " + relaxrt::describe(field) + ", not a tensor");
      arrays.emplace_back("arr_" + std::to_string(i), field.tensor.get());
    }
    error = relaxrt::write_npz_file(path, arrays);
  } else if (result.kind == relaxrt::Value::Kind::Tensor) {
    error = relaxrt::write_npz_file(path, {{"arr_0", result.tensor.get()}});
  } else {
    throw Failure(path + ": the result is " + relaxrt::describe(result) + "; write a tuple of tensors to a .npz file");
  }
  if (!error.empty()) throw Failure(error);
}

void print_value(std::ostream& out, const relaxrt::Value& value) {
  if (value.kind == relaxrt::Value::Kind::Tensor) {
    out << relaxrt::format_array(*value.tensor) << "\n";
  } else if (value.kind == relaxrt::Value::Kind::Tuple) {
    for (size_t i = 0; i < value.tuple->size(); ++i) {
      out << "[" << i << "] ";
      print_value(out, (*value.tuple)[i]);
    }
  } else if (value.kind == relaxrt::Value::Kind::Shape) {
    out << relaxrt::shape_text(*value.shape) << "\n";
  } else if (value.kind == relaxrt::Value::Kind::Int) {
    out << value.i << "\n";
  } else {
    out << relaxrt::describe(value) << "\n";
  }
}

relaxrt::Executable read_executable(const Options& opt, const std::shared_ptr<const relaxrt::MappedFile>& file) {
  try {
    return relaxrt::deserialize_executable(file->bytes(), file);
  } catch (const relaxrt::FormatError& e) {
    throw Failure(opt.module + ": " + e.what());
  }
}

// The module opened through the C API (relaxrt.h): native code loaded after checking that this
// host can run it, plugins loaded, every function resolved.
using ModuleHandle = std::unique_ptr<RxrtModule, decltype(&relaxrt_close)>;
using ResultHandle = std::unique_ptr<RxrtValue, decltype(&relaxrt_value_free)>;

ModuleHandle open_module(const Options& opt) {
  std::vector<const char*> plugins;
  for (const std::string& lib : opt.libs) plugins.push_back(lib.c_str());
  RxrtOpenOptions options{plugins.data(), static_cast<int32_t>(plugins.size()), opt.expect_sha256.empty() ? nullptr : opt.expect_sha256.c_str()};
  RxrtModule* module = nullptr;
  if (relaxrt_open_file(opt.module.c_str(), &options, &module) != RXRT_OK) throw Failure(relaxrt_last_error());
  return ModuleHandle(module, relaxrt_close);
}

const relaxrt::VMFunction& find_function(const Options& opt, const RxrtModule& module) {
  int32_t index = 0;
  if (relaxrt_find_function(&module, opt.function.c_str(), &index) != RXRT_OK) throw Failure(relaxrt_last_error());
  return module.exe.functions[static_cast<size_t>(index)];
}

// --info reads the file without loading its code, so that it describes a module for another CPU.
int print_info(const Options& opt) {
  std::shared_ptr<const relaxrt::MappedFile> file = relaxrt::MappedFile::open(opt.module);
  if (!opt.expect_sha256.empty()) {
    std::string actual = relaxrt::sha256_hex(file->bytes());
    std::string expected = opt.expect_sha256;
    std::transform(expected.begin(), expected.end(), expected.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    if (actual != expected) throw Failure(opt.module + ": its SHA-256 is " + actual + ", not the expected " + expected + "; it is not loaded");
  }
  relaxrt::Executable exe = read_executable(opt, file);
  relaxrt::FunctionRegistry registry;
  for (const std::string& lib : opt.libs) registry.load_plugin(lib);
  relaxrun::print_info(std::cout, opt.module, exe, registry);
  return 0;
}

// The arguments: --input files and --params entries, or made from the signature for timing.
relaxrt::BoundArguments bind_inputs(const Options& opt, const relaxrt::VMFunction& fn) {
  relaxrt::BoundArguments args;
  if (synthesizes_inputs(opt)) {
    try {
      args.values = relaxrun::synthetic_arguments(fn, relaxrun::parse_dims(opt.dims));
    } catch (const std::runtime_error& e) {
      throw Failure(std::string("making the arguments of @") + opt.function + " from its signature: " + e.what());
    }
    for (size_t i = 0; i < args.values.size(); ++i) args.check_order.push_back(i);
    return args;
  }
  std::vector<relaxrt::InputFile> inputs;
  for (const std::string& spec : opt.inputs) {
    relaxrt::InputFile input;
    size_t eq = spec.find('=');
    // `x=img.npy` names the parameter; a path that merely contains '=' after a '/' does not.
    if (eq != std::string::npos && spec.find('/') > eq) {
      input.param = spec.substr(0, eq);
      input.path = spec.substr(eq + 1);
    } else {
      input.path = spec;
    }
    input.value = map_npy(input.path);
    inputs.push_back(std::move(input));
  }
  std::vector<relaxrt::NamedValue> params;
  if (!opt.params.empty()) params = relaxrt::map_npz_file(opt.params);
  try {
    return relaxrt::bind_arguments(fn, std::move(inputs), opt.params, std::move(params), opt.allow_unused_params);
  } catch (const relaxrt::BindError& e) {
    throw Failure(e.what());
  }
}

// One call through relaxrt_call, watched by --dump-intermediates/--compare-intermediates when
// asked; nullptr when it stopped with a reported error (a differing intermediate, an argument).
ResultHandle call_once(const Options& opt, RxrtModule& module, const relaxrt::BoundArguments& args, int64_t& compared) {
  std::unique_ptr<relaxrun::Intermediates> intermediates;
  if (!opt.dump_intermediates.empty() || !opt.compare_intermediates.empty()) {
    intermediates = std::make_unique<relaxrun::Intermediates>(module.exe, opt.dump_intermediates, opt.compare_intermediates, opt.atol, opt.rtol, map_npy);
    module.vm->set_observer(intermediates.get());
  }
  std::vector<DLTensor> tensors;
  for (const relaxrt::Value& v : args.given) tensors.push_back(v.tensor->dl);
  // Every input is a read-only mapping of a file, unchanged for the life of the process.
  std::vector<uint32_t> flags(tensors.size(), RXRT_ARG_CONSTANT);
  RxrtValue* result = nullptr;
  RxrtStatus status = relaxrt_call(&module, opt.function.c_str(), tensors.data(), static_cast<int32_t>(tensors.size()), flags.data(), &result);
  module.vm->set_observer(nullptr);
  if (status == RXRT_OK) {
    if (intermediates && !opt.compare_intermediates.empty()) compared = intermediates->compared();
    return ResultHandle(result, relaxrt_value_free);
  }
  if (const relaxrun::IntermediateMismatch* e = intermediates ? intermediates->mismatch() : nullptr) {
    std::cerr << "relaxrun: error: " << e->what() << "\n";
    relaxrun::print_note(std::cerr, module.exe.source_name, e->site().loc, e->site().binding.empty() ? "the value is computed here" : "binding '" + e->site().binding + "' is computed here");
    return ResultHandle(nullptr, relaxrt_value_free);
  }
  throw Failure(relaxrt_last_error());
}

// The result printed or written, then --compare-intermediates', --expected's and --print-top's
// lines; the exit status.
int report_result(const Options& opt, const relaxrt::Value& result, const std::vector<std::string>& labels, int64_t compared) {
  if (opt.print_top > 0) {
    if (result.kind != relaxrt::Value::Kind::Tensor) throw Failure("--print-top ranks a tensor, but the result is " + relaxrt::describe(result));
    if (std::string problem = relaxrun::print_top_problem(*result.tensor, labels); !problem.empty()) throw Failure(problem);
  }
  if (!opt.output.empty()) {
    write_output(opt.output, result);
  } else {
    print_value(std::cout, result);
  }
  bool ok = true;
  if (compared >= 0) {
    std::cout << "SUCCESS: " << compared << " intermediate values within atol=" << opt.atol << " rtol=" << opt.rtol << " of " << opt.compare_intermediates << "\n";
  }
  if (!opt.expected.empty()) {
    if (result.kind != relaxrt::Value::Kind::Tensor) throw Failure("--expected compares a tensor, but the result is " + relaxrt::describe(result));
    relaxrt::Value reference = map_npy(opt.expected);
    relaxrt::Comparison cmp = relaxrt::compare_arrays(*result.tensor, *reference.tensor, opt.atol, opt.rtol);
    if (cmp.equal) {
      std::cout << "SUCCESS: " << cmp.message << " of " << opt.expected << "\n";
    } else {
      std::cout << "FAILURE: " << cmp.message << " (" << opt.expected << ")\n";
      ok = false;
    }
  }
  if (opt.print_top > 0 && !relaxrun::print_top(std::cout, std::cerr, *result.tensor, opt.print_top, labels)) return 1;
  return ok ? 0 : 1;
}

int run(const Options& opt) {
  if (opt.threads > 0) relaxrt_set_threads(opt.threads);
  // Read before anything runs, so that a missing file is not found after a long run.
  std::vector<std::string> labels = opt.labels.empty() ? std::vector<std::string>{} : read_labels(opt.labels);
  if (opt.info) return print_info(opt);
  ModuleHandle module = open_module(opt);
  relaxrt::VirtualMachine& vm = *module->vm;
  const relaxrt::VMFunction& fn = find_function(opt, *module);
  relaxrt::BoundArguments args = bind_inputs(opt, fn);
  ResultHandle result(nullptr, relaxrt_value_free);
  int64_t compared = -1;
  try {
    // Checked here, in the order bind_arguments gives, so that a mismatch is reported against
    // the input a user passed rather than against the weights.
    relaxrt::ShapeHeap heap = relaxrt::make_heap(fn);
    relaxrt::match_arguments(fn, args.values, args.check_order, heap);
    if (opt.profile > 0) {
      relaxrun::ProfileOptions profile{opt.profile, opt.warmup, opt.format.empty() ? "table" : opt.format, opt.function};
      relaxrun::run_profile(std::cout, profile, module->exe, vm, [&] { vm.invoke(opt.function, args.values); });
      relaxrt::release_threads();
      return 0;
    }
    if (opt.benchmark > 0) {
      relaxrun::BenchmarkOptions bench{opt.benchmark, opt.warmup, opt.format == "json", 0};
      const relaxrt::Value& first = args.values.front();
      if (first.kind == relaxrt::Value::Kind::Tensor && first.tensor->shape.size() >= 2) bench.items = first.tensor->shape[0];
      relaxrun::run_benchmark(std::cout, bench, [&] { vm.invoke(opt.function, args.values); });
      return 0;
    }
  } catch (const relaxrt::ArgumentError& e) {
    std::cerr << "relaxrun: error: " << e.what() << "\n";
    const relaxrt::ParamSpec& param = fn.params.at(e.param());
    relaxrun::print_note(std::cerr, module->exe.source_name, param.loc, "parameter '" + param.name + "' is declared here as " + param.type.text);
    return 1;
  } catch (const relaxrt::RuntimeError& e) {
    throw Failure(std::string("running @") + opt.function + ": " + e.what());
  }
  result = call_once(opt, *module, args, compared);
  if (!result) return 1;
  // Workers spinning on other cores make every later munmap (unmapping the inputs, exiting)
  // wait for them to flush their TLBs, which costs milliseconds in a virtual machine.
  relaxrt::release_threads();
  return report_result(opt, result->value, labels, compared);
}

// Option combinations that would do nothing or contradict each other, refused before anything
// is read or run.
std::string usage_problem(const CLI::App& app, const Options& opt) {
  if (opt.profile > 0 && opt.benchmark > 0) return "--profile and --benchmark both time calls; give one of them";
  if (!opt.labels.empty() && opt.print_top == 0) return "--labels names the classes --print-top prints, and --print-top is not given";
  for (const char* tolerance : {"--atol", "--rtol"}) {
    if (app.count(tolerance) && opt.expected.empty() && opt.compare_intermediates.empty()) {
      return std::string(tolerance) + " is a tolerance of --expected or --compare-intermediates, and neither is given";
    }
  }
  bool intermediates = !opt.dump_intermediates.empty() || !opt.compare_intermediates.empty();
  if (intermediates && (opt.benchmark > 0 || opt.profile > 0)) return "--dump-intermediates and --compare-intermediates look at one call; they do not combine with --benchmark or --profile";
  if (app.count("--warmup") && opt.benchmark == 0 && opt.profile == 0) return "--warmup counts calls before --benchmark or --profile times, and neither is given";
  if (opt.allow_unused_params && opt.params.empty()) return "--allow-unused-params applies to the keys of --params, which is not given";
  if (!opt.dims.empty() && !synthesizes_inputs(opt)) {
    return "--dim gives the sizes of arguments made from the signature, which --benchmark and --profile do only without --input and --params";
  }
  if (!opt.format.empty() && opt.profile == 0 && opt.benchmark == 0) return "--format " + opt.format + " applies to --benchmark or --profile, and neither is given";
  if ((opt.format == "table" || opt.format == "chrome") && opt.profile == 0) return "--format " + opt.format + " is an output of --profile, not of --benchmark (which prints text or json)";
  if (opt.format == "text" && opt.profile > 0) return "--format text is an output of --benchmark; --profile prints table, json or chrome";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relaxrun: run a module compiled by relaxc (.rx) on .npy/.npz inputs.\n"
               "Loading a .rx runs the native code it carries (its checksum catches damage, not tampering): run only\n"
               "files you would run as programs, or pin the one you trust with --expect-sha256."};
  Options opt;
  app.add_option("module", opt.module, "the .rx file made by relaxc")->required();
  app.add_option("--expect-sha256", opt.expect_sha256, "refuse the module unless its SHA-256 is HEX (64 hexadecimal digits), before loading anything in it")
      ->type_name("HEX")
      ->check([](const std::string& hex) {
        bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
        return ok ? std::string() : "expected 64 hexadecimal digits, got '" + hex + "'";
      });
  app.add_option("--function", opt.function, "the Relax function to run (default: main)");
  app.add_option("--input", opt.inputs, "an input tensor (.npy) for the next parameter, or NAME=FILE.npy for a named one; repeatable");
  app.add_option("--params", opt.params, "a .npz archive whose keys fill the remaining parameters by name");
  app.add_flag("--allow-unused-params", opt.allow_unused_params, "ignore --params keys that match no parameter");
  app.add_option("-o,--output", opt.output, "write the result to this .npy (or .npz) file instead of printing it");
  app.add_option("--print-top", opt.print_top, "print the K largest entries of each result row")->check(CLI::PositiveNumber);
  app.add_option("--labels", opt.labels, "class names, one per line, for --print-top");
  app.add_option("--expected", opt.expected, "compare the result with this .npy file; exit 1 on a mismatch");
  app.add_option("--atol", opt.atol, "absolute tolerance for --expected and --compare-intermediates (default 1e-5)")->check(CLI::NonNegativeNumber);
  app.add_option("--rtol", opt.rtol, "relative tolerance for --expected and --compare-intermediates (default 1e-5)")->check(CLI::NonNegativeNumber);
  app.add_option("--dump-intermediates", opt.dump_intermediates,
                 "write the value of every binding a kernel or runtime function computes as DIR/FUNCTION.BINDING.npy");
  app.add_option("--compare-intermediates", opt.compare_intermediates,
                 "compare every binding's value with DIR/FUNCTION.BINDING.npy (from --dump-intermediates of another run) and stop at "
                 "the first beyond --atol/--rtol, naming it and its line");
  app.add_option("--lib", opt.libs, "a plugin library whose functions R.call_dps_packed can call by name; repeatable");
  app.add_option("--threads", opt.threads, "threads for parallel loops (default: every core)")->check(CLI::PositiveNumber);
  app.add_option("--dim", opt.dims, "NAME=N: a symbolic size of the arguments --benchmark or --profile make from the signature when no --input is given (repeatable)");
  app.add_option("--benchmark", opt.benchmark,
                 "time N calls (after --warmup calls) and print min, median (p50), p90, p99, mean and max per call; without --input "
                 "and --params, on arguments made from the signature")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", opt.warmup, "calls before timing starts, for --benchmark and --profile (default 3)")->check(CLI::NonNegativeNumber);
  app.add_flag("--profile{10}", opt.profile,
               "time every kernel and builtin call over N calls (--profile=N, default 10; after --warmup calls) and print a row per kernel")
      ->check(CLI::PositiveNumber);
  app.add_option("--format", opt.format, "--benchmark output: text (default) or json; --profile output: table (default), json or chrome (a trace-event file)")
      ->check(CLI::IsMember({"text", "table", "json", "chrome"}));
  app.add_flag("--info", opt.info, "list the module's functions, signatures and the runtime functions it needs");
  app.set_version_flag("--version", std::string("relaxrun ") + RELAXC_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (std::string problem = usage_problem(app, opt); !problem.empty()) {
    std::cerr << "relaxrun: error: " << problem << "\n";
    return 1;
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "relaxrun: error: " << e.what() << "\n";
    return 1;
  }
}
