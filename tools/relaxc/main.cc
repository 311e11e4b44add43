// relaxc: compiles a .tvms module. Exit codes: 0 success, 1 any error (in the input, its
// options or a file), 2 a command line CLI11 cannot parse (its usage message), 3 an internal
// error.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "compiler/check/check_module.h"
#include "compiler/codegen/build_executable.h"
#include "compiler/driver/compile.h"
#include "compiler/ir/relax_uses.h"
#include "compiler/passes/pipeline.h"
#include "compiler/passes/relax/bind_params.h"
#include "compiler/support/large_stack.h"
#include "pass_instruments.h"
#include "runtime/file_io.h"
#include "runtime/npz.h"
#include "schedule_options.h"
#include "tune.h"
#include "version.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string input, output, emit = "rx", triple, cpu = "native", opt = "2", bind_path, bind_function = "main", after = "check";
  std::string spelling = "chapter", schedule_path, tuning_db_path;
  bool print_schedule = false, verbose = false, show_meta = false, allow_unused_params = false;
  double tune_seconds = 0;
  int jobs = 0;  // 0: every core
  std::vector<std::string> tune_sizes;
  relaxc::PassInstrumentOptions instruments;
};

// An error of relaxc's own (an option, a file), printed as one line; exit 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A bug of relaxc's met while reading the input, after the diagnostics so far; exit 3.
struct InternalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void define_options(CLI::App& app, Options& o) {
  app.add_option("input", o.input, "the .tvms file to compile")->required();
  app.add_option("-o,--output", o.output, "where to write the result (default: stdout for --emit=tvms)");
  app.add_option("--emit", o.emit,
                 "what to produce: rx (the executable, default), tvms (canonical TVMScript), llvm (optimised LLVM IR), "
                 "asm, obj, bytecode (VM code listing), check (diagnostics only)")
      ->check(CLI::IsMember({"tvms", "check", "rx", "llvm", "asm", "obj", "bytecode"}));
  app.add_option("--target", o.triple, "LLVM target triple for the native code (default: the host)");
  app.add_option("--mcpu", o.cpu, "CPU to generate code for (default: native, the host CPU)");
  app.add_option("-O", o.opt, "optimisation level 0-3 (default 2)")->check(CLI::IsMember({"0", "1", "2", "3"}));
  app.add_option("-j,--jobs", o.jobs, "threads compiling the kernels to native code (default: every core)")->check(CLI::Range(1, 4096));
  app.add_option("--bind-params", o.bind_path, "bind the arrays of this .npz to the parameters of the same names (BindParams)");
  app.add_option("--bind-params-function", o.bind_function, "the Relax function --bind-params binds (default: main)");
  app.add_flag("--allow-unused-params", o.allow_unused_params, "warn, instead of failing, about --bind-params keys that match no parameter");
  app.add_option("--after", o.after,
                 "with --emit=tvms, the stage to print after: check (default), legalize (operators lowered to TensorIR), "
                 "fuse or schedule (the default schedule applied, at -O2 and above)")
      ->check(CLI::IsMember(relaxc::pipeline_stages()));
  app.add_flag("--show-meta", o.show_meta, "with --emit=tvms, print the values of metadata constants, as TVM's show_meta=True does");
  app.add_option("--spelling", o.spelling,
                 "with --emit=tvms, the TVMScript spelling to print: chapter (default: T.block, out_sinfo=, as TVM printed until "
                 "2026) or current (T.sblock, out_ty=, \"tirx.\" keys, as a current TVM prints and reads)")
      ->check(CLI::IsMember({"chapter", "current"}));
  app.add_option("--print-before", o.instruments.print_before, "print the module to stderr before pass PASS runs (repeatable; --list-passes)");
  app.add_option("--print-after", o.instruments.print_after, "print the module to stderr after pass PASS runs (repeatable)");
  app.add_flag("--print-after-all", o.instruments.print_after_all, "print the module to stderr after every pass that runs");
  app.add_flag("--time-passes", o.instruments.time_passes, "print to stderr the time of parsing, of each pass and of code generation");
  app.add_option("--tune", o.tune_seconds,
                 "measure schedule candidates of the kernels on this machine for about SECONDS in all and record the fastest "
                 "in --tuning-db")
      ->check(CLI::PositiveNumber);
  app.add_option("--tuning-db", o.tuning_db_path, "a JSON file of tuned schedules: read to schedule the kernels it knows, updated by --tune");
  app.add_option("--tune-size", o.tune_sizes, "NAME=N: the value of a symbolic size to tune at (repeatable), such as batch=4443");
  app.add_option("--schedule", o.schedule_path,
                 "a file of TVM schedule statements (sch.split(...), ...) to apply to the module's prim_funcs (or, when it names them, "
                 "to the kernels after legalize and fuse); the default schedule then leaves them as scheduled");
  app.add_flag("--print-schedule", o.print_schedule,
               "print, per kernel, what the default schedule does: a rule's primitives as a file --schedule reads back to the same module");
  app.add_flag("-v,--verbose", o.verbose, "log each stage to stderr");
  app.set_version_flag("--version", std::string("relaxc ") + RELAXC_VERSION);
  app.add_flag_callback(
         "--list-operators",
         [] {
           for (const std::string& name : relaxc::operator_names()) std::cout << "R." << name << '\n';
           throw CLI::Success();
         },
         "print the Relax operators relaxc compiles, one per line, and exit")
      ->trigger_on_parse();
  app.add_flag_callback(
         "--list-passes",
         [] {
           for (const relaxc::PassInfo& pass : relaxc::pipeline_passes()) std::cout << pass.name << ": " << pass.description << '\n';
           throw CLI::Success();
         },
         "print the pipeline's passes in order, with what each does, and exit")
      ->trigger_on_parse();
}

// Options that would do nothing or contradict each other, refused before anything is read.
void check_usage(const CLI::App& app, const Options& o) {
  bool tvms = o.emit == "tvms" && !o.print_schedule;
  for (const char* flag : {"--spelling", "--after", "--show-meta"}) {
    if (app.count(flag) && !tvms) throw Failure(std::string(flag) + " chooses what --emit=tvms prints; it does nothing with --emit=" + o.emit);
  }
  if (!o.print_schedule && o.output.empty() && (o.emit == "rx" || o.emit == "obj")) throw Failure("--emit=" + o.emit + " writes binary output; name the file with -o");
  if (o.tune_seconds > 0 && o.tuning_db_path.empty()) throw Failure("--tune records what it measures in a tuning database: name it with --tuning-db FILE");
  if (!o.tune_sizes.empty() && o.tune_seconds <= 0) throw Failure("--tune-size gives sizes to --tune, which is not given");
  if (std::string unknown = relaxc::unknown_pass_names(o.instruments); !unknown.empty()) throw Failure(unknown);
  std::error_code ec;
  if (!o.output.empty() && o.output != "-" && std::filesystem::equivalent(o.input, o.output, ec)) {
    throw Failure("-o " + o.output + " is the input file; relaxc does not overwrite its source");
  }
}

std::string read_file(const std::string& path) {
  std::string text;
  if (std::string error = relaxrt::read_whole_file(path, text); !error.empty()) throw Failure(error);
  return text;
}

// The checked module, with --bind-params applied; nullopt when diagnostics were printed.
std::optional<relaxc::Module> load_module(const Options& o, relaxc::SourceFile& file, relaxc::Diagnostics& diags) {
  spdlog::info("parsing and checking {} ({} bytes)", o.input, file.text().size());
  std::optional<relaxc::Module> module;
  try {
    module = relaxc::load_and_check(file, diags);
  } catch (const std::exception& e) {
    diags.render(std::cerr);
    throw InternalError(e.what());
  }
  if (module && !o.bind_path.empty()) {
    std::vector<relaxrt::NamedArray> arrays;
    std::string error, bytes;
    if (std::string read_error = relaxrt::read_whole_file(o.bind_path, bytes); !read_error.empty()) error = read_error;
    else if (!relaxrt::parse_npz(bytes, arrays, error)) error = o.bind_path + ": " + error;
    if (!error.empty()) {
      diags.render(std::cerr);
      throw Failure(error);
    }
    spdlog::info("binding {} arrays of {} to @{}", arrays.size(), o.bind_path, o.bind_function);
    relaxc::BindParamsOptions options{o.bind_function, o.bind_path, o.allow_unused_params};
    module = relaxc::bind_params(*module, arrays, options, diags);
  }
  diags.render(std::cerr);
  return module;
}

// The tuning database (read, and with --tune extended and saved) as the pipeline's knobs.
relaxc::TuningDb tuning_database(Options& o, const relaxc::Module& module, const relaxc::codegen::TargetOptions& target) {
  relaxc::TuneOptions tune_options{o.tune_seconds, {}, target};
  if (std::string error = relaxc::parse_tune_sizes(o.tune_sizes, tune_options.sizes); !error.empty()) throw Failure(error);
  relaxc::TuningDb db;
  if (!o.tuning_db_path.empty()) {
    if (std::string error = db.load(o.tuning_db_path); !error.empty()) throw Failure(error);
  }
  if (o.tune_seconds > 0 && target.opt_level < 2) {
    std::cerr << "relaxc: warning: --tune tunes the -O2 schedule; at -O" << o.opt << " nothing is tuned\n";
    o.tune_seconds = 0;
  }
  if (o.tune_seconds > 0) {
    relaxc::tune(module, tune_options, db, std::cerr);
    if (std::string error = db.save(o.tuning_db_path); !error.empty()) throw Failure(error);
  }
  return db;
}

// What --emit (or --print-schedule) asks for, as bytes.
std::string produce(const Options& o, const relaxc::Module& module, const relaxc::SourceFile& file, const relaxc::codegen::TargetOptions& target,
                    relaxc::PipelineOptions& pipeline) {
  static const std::map<std::string, relaxc::codegen::Stage> stages = {
      {"llvm", relaxc::codegen::Stage::LLVM}, {"asm", relaxc::codegen::Stage::Asm}, {"obj", relaxc::codegen::Stage::Obj},
      {"bytecode", relaxc::codegen::Stage::Bytecode}, {"rx", relaxc::codegen::Stage::Rx}};
  pipeline.opt_level = target.opt_level;
  pipeline.target = relaxc::codegen::schedule_target(target);
  if (o.print_schedule) {
    relaxc::ScheduleReport report;
    pipeline.report = &report;
    relaxc::Module scheduled = relaxc::run_pipeline(module, pipeline);
    // Public prim_funcs the module's functions no longer call (fused away), kept to run alone.
    std::set<std::string> called = relaxc::names_referenced(scheduled), run_alone_only;
    for (const relaxc::tir::PrimFuncPtr& f : scheduled.prim_funcs) {
      if (!called.count(f->name) && module.find_prim_func(f->name) && !module.functions.empty()) run_alone_only.insert(f->name);
    }
    return relaxc::schedule_file_text(report, *pipeline.target, o.input, run_alone_only);
  }
  if (o.emit == "tvms") {
    relaxc::Spelling style = o.spelling == "current" ? relaxc::Spelling::Current : relaxc::Spelling::Chapter;
    pipeline.last_stage = o.after;
    return relaxc::emit_tvms(relaxc::run_pipeline(module, pipeline), o.show_meta, style);
  }
  spdlog::info("generating {}", o.emit);
  return relaxc::codegen::build_stage(module, file, target, stages.at(o.emit), std::string("relaxc ") + RELAXC_VERSION, pipeline);
}

// After diagnostics: tune, run the pipeline and code generation, write the result.
int compile(Options& o, const relaxc::Module& checked, const relaxc::SourceFile& file, relaxc::Diagnostics& diags, relaxc::PassTimes& times) {
  relaxc::Module module = checked;
  relaxc::PipelineOptions pipeline;
  if (!o.schedule_path.empty() && !relaxc::prepare_schedule(o.schedule_path, file, module, pipeline)) return 1;
  if (o.emit == "check") return 0;
  relaxc::codegen::TargetOptions target{o.triple, o.cpu, std::stoi(o.opt), o.jobs};
  std::string result;
  try {
    relaxc::TuningDb db = tuning_database(o, module, target);
    int tuned_kernels = 0;
    if (!db.records().empty()) pipeline.tuned = relaxc::recorded_knobs(db, relaxc::codegen::target_info(target).cpu, tuned_kernels);
    relaxc::install_pass_instruments(o.instruments, pipeline, std::cerr, times);
    Clock::time_point start = Clock::now();
    size_t passes_before = times.seconds.size();
    result = produce(o, module, file, target, pipeline);
    double pass_seconds = 0;
    for (size_t i = passes_before; i < times.seconds.size(); ++i) pass_seconds += times.seconds[i].second;
    times.seconds.emplace_back(o.print_schedule || o.emit == "tvms" ? "print" : "codegen (" + o.emit + ")",
                               std::chrono::duration<double>(Clock::now() - start).count() - pass_seconds);
    if (pipeline.tuned) spdlog::info("{} of the kernels had tuned schedules in {}", tuned_kernels, o.tuning_db_path);
  } catch (const relaxc::ReportedError&) {
    return 1;
  } catch (const relaxc::CompileError& e) {
    diags.error(e.loc(), e.message());
    diags.render_one(std::cerr, diags.all().back());
    for (const relaxc::Diagnostic& more : e.more()) diags.render_one(std::cerr, more);
    return 1;
  }
  if (o.output.empty() || o.output == "-") {
    std::cout << result;
    return 0;
  }
  if (std::string error = relaxrt::write_file_atomically(o.output, result); !error.empty()) throw Failure(error);
  return 0;
}

int relaxc_main(int argc, char** argv) {
  CLI::App app{"relaxc: compile a TVMScript (.tvms) module of Relax and TensorIR functions"};
  Options o;
  define_options(app, o);
  // Compilers spell the CPU option -mcpu=NAME (one dash); CLI11 wants --mcpu.
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) {
    std::string arg = argv[i];
    if (arg == "-mcpu" || arg.rfind("-mcpu=", 0) == 0) arg = "-" + arg;
    args.push_back(arg);
  }
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // Logs go to stderr, so that --emit=tvms on stdout stays a module.
  spdlog::set_default_logger(spdlog::stderr_color_st("relaxc"));
  spdlog::set_level(o.verbose ? spdlog::level::info : spdlog::level::warn);
  spdlog::set_pattern("relaxc: %v");
  Clock::time_point start = Clock::now();
  relaxc::PassTimes times;
  int status = 0;
  try {
    check_usage(app, o);
    relaxc::SourceFile file(o.input, read_file(o.input));
    relaxc::Diagnostics diags(file);
    std::optional<relaxc::Module> module = load_module(o, file, diags);
    times.seconds.emplace_back("parse and check", std::chrono::duration<double>(Clock::now() - start).count());
    status = module ? compile(o, *module, file, diags, times) : 1;
  } catch (const Failure& e) {
    std::cerr << "relaxc: error: " << e.what() << '\n';
    return 1;
  } catch (const InternalError& e) {
    std::cerr << o.input << ": internal error: " << e.what() << '\n';
    return 3;
  } catch (const std::runtime_error& e) {
    std::cerr << "relaxc: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << o.input << ": internal error: " << e.what() << '\n';
    return 3;
  }
  if (o.instruments.time_passes) relaxc::print_pass_times(std::cerr, times, std::chrono::duration<double>(Clock::now() - start).count());
  return status;
}

}  // namespace

// On a thread with a large stack: see compiler/support/large_stack.h.
int main(int argc, char** argv) {
  return relaxc::run_with_stack(relaxc::kToolStackBytes, [&] { return relaxc_main(argc, argv); });
}
