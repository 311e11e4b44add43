// relaxc: compiles a .tvms module. Exit codes: 0 success, 1 errors in the input, 2 bad usage
// or an unreadable/unwritable file.
#include <CLI/CLI.hpp>
#include <map>
#include <set>
#include <iostream>
#include <spdlog/spdlog.h>

#include "compiler/check/check_module.h"
#include "compiler/codegen/build_executable.h"
#include "compiler/driver/compile.h"
#include "compiler/passes/pipeline.h"
#include "compiler/passes/relax/bind_params.h"
#include "compiler/support/large_stack.h"
#include "schedule_options.h"
#include "tune.h"
#include "runtime/npz.h"
#include "runtime/file_io.h"
#include "version.h"

namespace {

int relaxc_main(int argc, char** argv) {
  CLI::App app{"relaxc: compile a TVMScript (.tvms) module of Relax and TensorIR functions"};
  std::string spelling = "chapter";
  std::string schedule_path;
  bool print_schedule = false;
  std::string input, output, emit = "rx", triple, cpu = "native", opt = "2", bind_path, bind_function = "main", after = "check";
  bool verbose = false, show_meta = false, allow_unused_params = false;
  double tune_seconds = 0;
  std::string tuning_db_path;
  std::vector<std::string> tune_sizes;
  app.add_option("input", input, "the .tvms file to compile")->required();
  app.add_option("-o,--output", output, "where to write the result (default: stdout for --emit=tvms)");
  app.add_option("--emit", emit,
                 "what to produce: rx (the executable, default), tvms (canonical TVMScript), llvm (optimised LLVM IR), "
                 "asm, obj, bytecode (VM code listing), check (diagnostics only)")
      ->check(CLI::IsMember({"tvms", "check", "rx", "llvm", "asm", "obj", "bytecode"}));
  app.add_option("--target", triple, "LLVM target triple for the native code (default: the host)");
  app.add_option("--mcpu", cpu, "CPU to generate code for (default: native, the host CPU)");
  app.add_option("-O", opt, "optimisation level 0-3 (default 2)")->check(CLI::IsMember({"0", "1", "2", "3"}));
  app.add_option("--bind-params", bind_path, "bind the arrays of this .npz to the parameters of the same names (BindParams)");
  app.add_option("--bind-params-function", bind_function, "the Relax function --bind-params binds (default: main)");
  app.add_flag("--allow-unused-params", allow_unused_params, "warn, instead of failing, about --bind-params keys that match no parameter");
  app.add_option("--after", after,
                 "with --emit=tvms, the stage to print after: check (default), legalize (operators lowered to TensorIR) "
                 "or schedule (the default schedule applied, at -O2 and above)")
      ->check(CLI::IsMember(relaxc::pipeline_stages()));
  app.add_flag("--show-meta", show_meta, "with --emit=tvms, print the values of metadata constants, as TVM's show_meta=True does");
  app.add_option("--spelling", spelling,
                 "with --emit=tvms, the TVMScript spelling to print: chapter (default: T.block, out_sinfo=, as TVM printed until "
                 "2026) or current (T.sblock, out_ty=, \"tirx.\" keys, as a current TVM prints and reads)")
      ->check(CLI::IsMember({"chapter", "current"}));
  app.add_option("--tune", tune_seconds,
                 "measure schedule candidates of the kernels on this machine for about SECONDS in all and record the fastest "
                 "in --tuning-db")
      ->check(CLI::PositiveNumber);
  app.add_option("--tuning-db", tuning_db_path, "a JSON file of tuned schedules: read to schedule the kernels it knows, updated by --tune");
  app.add_option("--tune-size", tune_sizes, "NAME=N: the value of a symbolic size to tune at (repeatable), such as batch=4443");
  app.add_option("--schedule", schedule_path,
                 "a file of TVM schedule statements (sch.split(...), ...) to apply to the module's prim_funcs (or, when it names them, "
                 "to the kernels after legalize and fuse); the default schedule then leaves them as scheduled");
  app.add_flag("--print-schedule", print_schedule,
               "print, per kernel, what the default schedule does: a rule's primitives as a file --schedule reads back to the same module");
  app.add_flag("-v,--verbose", verbose, "log each stage to stderr");
  app.set_version_flag("--version", std::string("relaxc ") + RELAXC_VERSION);
  app.add_flag_callback(
         "--list-operators",
         [] {
           for (const std::string& name : relaxc::operator_names()) std::cout << "R." << name << '\n';
           throw CLI::Success();
         },
         "print the Relax operators relaxc compiles, one per line, and exit")
      ->trigger_on_parse();
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
  if (app.count("--spelling") && emit != "tvms") {
    std::cerr << "relaxc: error: --spelling chooses how --emit=tvms prints the module; it does nothing with --emit=" << emit << '\n';
    return 2;
  }
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::warn);
  spdlog::set_pattern("relaxc: %v");

  std::string text;
  if (std::string error = relaxrt::read_whole_file(input, text); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return 2;
  }
  relaxc::SourceFile file(input, std::move(text));
  relaxc::Diagnostics diags(file);
  spdlog::info("parsing and checking {} ({} bytes)", input, file.text().size());
  std::optional<relaxc::Module> module;
  try {
    module = relaxc::load_and_check(file, diags);
  } catch (const std::exception& e) {
    diags.render(std::cerr);
    std::cerr << input << ": internal error: " << e.what() << '\n';
    return 3;
  }
  if (module && !bind_path.empty()) {
    std::string bytes, error;
    std::vector<relaxrt::NamedArray> arrays;
    if (std::string read_error = relaxrt::read_whole_file(bind_path, bytes); !read_error.empty()) {
      diags.render(std::cerr);
      std::cerr << "relaxc: error: " << read_error << '\n';
      return 2;
    }
    if (!relaxrt::parse_npz(bytes, arrays, error)) {
      diags.render(std::cerr);
      std::cerr << "relaxc: error: " << bind_path << ": " << error << '\n';
      return 1;
    }
    spdlog::info("binding {} arrays of {} to @{}", arrays.size(), bind_path, bind_function);
    relaxc::BindParamsOptions options{bind_function, bind_path, allow_unused_params};
    module = relaxc::bind_params(*module, arrays, options, diags);
  }
  diags.render(std::cerr);
  if (!module) return 1;
  relaxc::PipelineOptions pipeline;
  if (!schedule_path.empty() && !relaxc::prepare_schedule(schedule_path, file, *module, pipeline)) return 1;
  if (emit == "check") return 0;
  if (!print_schedule && emit != "tvms" && output.empty() && (emit == "rx" || emit == "obj")) {
    std::cerr << "relaxc: error: --emit=" << emit << " writes binary output; name the file with -o\n";
    return 2;
  }
  if (tune_seconds > 0 && tuning_db_path.empty()) {
    std::cerr << "relaxc: error: --tune records what it measures in a tuning database: name it with --tuning-db FILE\n";
    return 2;
  }
  if (!tune_sizes.empty() && tune_seconds <= 0) {
    std::cerr << "relaxc: error: --tune-size gives sizes to --tune, which is not given\n";
    return 2;
  }
  relaxc::codegen::TargetOptions target{triple, cpu, std::stoi(opt)};
  relaxc::TuneOptions tune_options{tune_seconds, {}, target};
  if (std::string error = relaxc::parse_tune_sizes(tune_sizes, tune_options.sizes); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return 2;
  }
  relaxc::TuningDb tuning_db;
  if (!tuning_db_path.empty()) {
    if (std::string error = tuning_db.load(tuning_db_path); !error.empty()) {
      std::cerr << "relaxc: error: " << error << '\n';
      return 2;
    }
  }
  if (tune_seconds > 0 && std::stoi(opt) < 2) {
    std::cerr << "relaxc: warning: --tune tunes the -O2 schedule; at -O" << opt << " nothing is tuned\n";
    tune_seconds = 0;
  }
  static const std::map<std::string, relaxc::codegen::Stage> stages = {
      {"llvm", relaxc::codegen::Stage::LLVM}, {"asm", relaxc::codegen::Stage::Asm}, {"obj", relaxc::codegen::Stage::Obj},
      {"bytecode", relaxc::codegen::Stage::Bytecode}, {"rx", relaxc::codegen::Stage::Rx}};
  std::string result;
  try {
    if (tune_seconds > 0) {
      relaxc::tune(*module, tune_options, tuning_db, std::cerr);
      if (std::string error = tuning_db.save(tuning_db_path); !error.empty()) {
        std::cerr << "relaxc: error: " << error << '\n';
        return 2;
      }
    }
    int tuned_kernels = 0;
    relaxc::KnobsLookup tuned;
    if (!tuning_db.records().empty()) tuned = relaxc::recorded_knobs(tuning_db, relaxc::codegen::target_info(target).cpu, tuned_kernels);
    pipeline.opt_level = std::stoi(opt);
    pipeline.tuned = tuned;
    pipeline.target = relaxc::codegen::schedule_target(target);
    relaxc::ScheduleReport report;
    if (print_schedule) {
      pipeline.report = &report;
      relaxc::run_pipeline(*module, pipeline);
      result = relaxc::schedule_file_text(report, *pipeline.target, input);
    } else if (emit == "tvms") {
      relaxc::Spelling style = spelling == "current" ? relaxc::Spelling::Current : relaxc::Spelling::Chapter;
      pipeline.last_stage = after;
      result = relaxc::emit_tvms(relaxc::run_pipeline(*module, pipeline), show_meta, style);
    } else {
      spdlog::info("generating {}", emit);
      result = relaxc::codegen::build_stage(*module, file, target, stages.at(emit), std::string("relaxc ") + RELAXC_VERSION, pipeline);
    }
    if (tuned) spdlog::info("{} of the kernels had tuned schedules in {}", tuned_kernels, tuning_db_path);
  } catch (const relaxc::ReportedError&) {
    return 1;
  } catch (const relaxc::CompileError& e) {
    diags.error(e.loc(), e.message());
    diags.render_one(std::cerr, diags.all().back());
    for (const relaxc::Diagnostic& more : e.more()) diags.render_one(std::cerr, more);
    return 1;
  } catch (const std::runtime_error& e) {
    std::cerr << "relaxc: error: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << input << ": internal error: " << e.what() << '\n';
    return 3;
  }
  if (output.empty() || output == "-") {
    std::cout << result;
    return 0;
  }
  if (std::string error = relaxrt::write_file_atomically(output, result); !error.empty()) {
    std::cerr << "relaxc: error: " << error << '\n';
    return 2;
  }
  return 0;
}

}  // namespace

// On a thread with a large stack: see compiler/support/large_stack.h.
int main(int argc, char** argv) {
  return relaxc::run_with_stack(relaxc::kToolStackBytes, [&] { return relaxc_main(argc, argv); });
}
