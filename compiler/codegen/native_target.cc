#include "compiler/codegen/native_target.h"

#include <unistd.h>

#include <thread>

#include <llvm/Support/CommandLine.h>

#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>
#include <llvm/TargetParser/Triple.h>
#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace relaxc::codegen {

// LLVM's loop strength reduction rewrites address arithmetic in loops; on the default
// schedule's tiles (already unrolled, a handful of row pointers) it finds nothing to gain and
// takes a third of code generation (measured on MyModule: 45 of 145 ms).
void disable_loop_strength_reduction() {
  auto& options = llvm::cl::getRegisteredOptions();
  auto it = options.find("disable-lsr");
  if (it != options.end()) {
    if (auto* flag = static_cast<llvm::cl::opt<bool>*>(it->second)) flag->setValue(true);
  }
}

NativeTarget make_native_target(const TargetOptions& options) {
  // LLVM's registries and options are global: set up once, before threads compile side by side.
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    disable_loop_strength_reduction();
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
  NativeTarget target;
  target.triple = options.triple.empty() ? llvm::sys::getDefaultTargetTriple() : options.triple;
  std::string error;
  const llvm::Target* llvm_target = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (!llvm_target) throw std::runtime_error("unknown target '" + target.triple + "': " + error);
  bool host = llvm::Triple(target.triple).getArch() == llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  target.cpu = options.cpu == "native" ? (host ? llvm::sys::getHostCPUName().str() : "generic") : options.cpu;
  llvm::SubtargetFeatures features;
  if (options.cpu == "native" && host) {
    // Disabled features are named too ("-avx512fp16"): the host CPU's name can imply features
    // this particular CPU (or the VM it is in) lacks, such as a "sapphirerapids" without
    // AVX512-FP16, and code using them would stop at an illegal instruction.
    for (const auto& [name, enabled] : llvm::sys::getHostCPUFeatures()) features.AddFeature(name.str(), enabled);
  }
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(llvm_target->createMCSubtargetInfo(target.triple, target.cpu, features.getString()));
  if (!subtarget || !subtarget->isCPUStringValid(target.cpu)) {
    throw std::runtime_error("unknown CPU '" + target.cpu + "' for target '" + target.triple + "' (try -mcpu=native)");
  }
  for (const llvm::SubtargetFeatureKV& feature : subtarget->getAllProcessorFeatures()) {
    if (subtarget->checkFeatures(std::string("+") + feature.Key)) target.features.push_back(feature.Key);
  }
  if (options.opt_level < 0 || options.opt_level > 3) throw std::runtime_error("optimisation level must be 0 to 3");
  target.opt_level = options.opt_level;
  // The machine-code level one below the IR level at -O2: the default schedule has already
  // shaped the hot loops (tiles in registers, explicit vectors), and on its unrolled code the
  // Default backend spends three times as long (strength reduction, instruction selection) for
  // no measurable speed; -O3 asks for everything.
  static const llvm::CodeGenOptLevel levels[] = {llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
                                                 llvm::CodeGenOptLevel::Less, llvm::CodeGenOptLevel::Aggressive};
  llvm::TargetOptions llvm_options;
  target.machine.reset(llvm_target->createTargetMachine(target.triple, target.cpu, features.getString(), llvm_options,
                                                        llvm::Reloc::PIC_, std::nullopt, levels[options.opt_level]));
  if (!target.machine) throw std::runtime_error("LLVM cannot generate code for '" + target.triple + "'");
  return target;
}

TargetInfo target_info(const TargetOptions& options) {
  NativeTarget target = make_native_target(options);
  return TargetInfo{target.triple, target.cpu, target.features};
}

namespace {

// The depth of the deepest loop in `fn`.
unsigned max_loop_depth(llvm::Function& fn) {
  llvm::DominatorTree dominators(fn);
  llvm::LoopInfo loops(dominators);
  unsigned depth = 0;
  for (llvm::BasicBlock& block : fn) depth = std::max(depth, loops.getLoopDepth(&block));
  return depth;
}

// LLVM's loop passes visit every loop of a nest and, in each, the blocks and induction
// variables of the loops around and inside it: their time grows with the cube of the nest's
// depth (250 levels: 1.8 s, 1000 levels: a minute). No schedule nests loops this deep, so such a
// function is left unoptimised, as at -O0, and compiles in time linear in its size.
void skip_optimising_deep_loop_nests(llvm::Module& module) {
  for (llvm::Function& fn : module) {
    if (fn.isDeclaration() || max_loop_depth(fn) <= kMaxOptimisedLoopDepth) continue;
    fn.removeFnAttr(llvm::Attribute::AlwaysInline);
    fn.addFnAttr(llvm::Attribute::NoInline);
    fn.addFnAttr(llvm::Attribute::OptimizeNone);
  }
}

}  // namespace

void optimize_module(llvm::Module& module, NativeTarget& target) {
  if (target.opt_level == 0) return;
  skip_optimising_deep_loop_nests(module);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The new pass manager honours optnone only through this instrumentation.
  llvm::PassInstrumentationCallbacks instrumentation;
  llvm::OptNoneInstrumentation optnone(/*DebugLogging=*/false);
  optnone.registerCallbacks(instrumentation);
  llvm::PassBuilder builder(target.machine.get(), llvm::PipelineTuningOptions(), std::nullopt, &instrumentation);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  static const llvm::OptimizationLevel levels[] = {llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1,
                                                   llvm::OptimizationLevel::O2, llvm::OptimizationLevel::O3};
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(levels[target.opt_level]);
  passes.run(module, mam);
}

void keep_llvm_errors_only(const llvm::DiagnosticInfo* info, void* errors) {
  if (info->getSeverity() != llvm::DS_Error) return;
  llvm::raw_string_ostream stream(*static_cast<std::string*>(errors));
  llvm::DiagnosticPrinterRawOStream printer(stream);
  info->print(printer);
  stream << "; ";
}

void throw_llvm_errors(const std::string& errors) {
  if (!errors.empty()) throw std::runtime_error("LLVM: " + errors.substr(0, errors.size() - 2));
}

std::string emit_machine_code(llvm::Module& module, NativeTarget& target, bool assembly) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  // A function left unoptimised for its loop depth (skip_optimising_deep_loop_nests) would
  // still meet the optimising register allocator, whose live-range updates grow the same way;
  // such a module is compiled at the back end's -O0, which allocates registers in one pass.
  llvm::CodeGenOptLevel level = target.machine->getOptLevel();
  bool deep = std::any_of(module.begin(), module.end(), [](const llvm::Function& fn) { return fn.hasOptNone(); });
  if (deep) target.machine->setOptLevel(llvm::CodeGenOptLevel::None);
  auto type = assembly ? llvm::CodeGenFileType::AssemblyFile : llvm::CodeGenFileType::ObjectFile;
  if (target.machine->addPassesToEmitFile(passes, stream, nullptr, type)) {
    throw std::runtime_error("LLVM cannot emit " + std::string(assembly ? "assembly" : "object code") + " for '" + target.triple + "'");
  }
  passes.run(module);
  target.machine->setOptLevel(level);
  return std::string(buffer.begin(), buffer.end());
}

}  // namespace relaxc::codegen

namespace relaxc::codegen {

schedule::Target schedule_target(const TargetOptions& options) {
  TargetInfo info = target_info(options);
  long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return schedule::Target::from_features(info.cpu, info.features, cores, l1 > 0 ? l1 : 0, l2 > 0 ? l2 : 0);
}

}  // namespace relaxc::codegen
