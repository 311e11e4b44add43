#include "tune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "compiler/codegen/build_executable.h"
#include "compiler/passes/pipeline.h"
#include "compiler/passes/tir/default_schedule.h"
#include "compiler/passes/tir/tile_reductions.h"
#include "runtime/cpu_features.h"
#include "runtime/include/relaxrt/kernel_abi.h"
#include "runtime/native_library.h"
#include "runtime/value.h"

namespace relaxc {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMinGain = 0.03;

// Tile shapes whose accumulators, the row's broadcast and the column vectors fit in the 32
// vector registers; the default (8 x 2) first, so it is measured even when time runs short. For
// a kernel a rule schedules: its accumulators (rows_per_tile; 0 is the rule's own choice from
// the target, measured first), and whether it is parallel.
std::vector<ScheduleKnobs> candidates(bool by_rule, const schedule::Target& target) {
  if (by_rule) {
    std::vector<ScheduleKnobs> out = {ScheduleKnobs{0, 1, true}};
    for (bool parallel : {true, false}) {
      for (int64_t rows : {0, 1, 2, 4, 6, 8, 12, 16}) {
        if (rows < target.vector_registers && !(rows == 0 && parallel)) out.push_back(ScheduleKnobs{rows, 1, parallel});
      }
    }
    return out;
  }
  const ScheduleKnobs default_choice = default_knobs(target);
  std::vector<ScheduleKnobs> out = {default_choice};
  for (bool parallel : {true, false}) {
    for (int64_t rows : {4, 6, 8, 12}) {
      for (int64_t vectors = 1; vectors <= 4; ++vectors) {
        ScheduleKnobs k{rows, vectors, parallel};
        // The accumulators, a vector of the column operand per vector of columns, and a broadcast.
        if (rows * vectors + vectors + 1 <= target.vector_registers && !(k == default_choice)) out.push_back(k);
      }
    }
  }
  return out;
}

std::string describe(const ScheduleKnobs& k, bool by_rule) {
  if (by_rule) return "accumulators=" + (k.rows_per_tile > 0 ? std::to_string(k.rows_per_tile) : std::string("default")) + (k.parallel ? " parallel" : " serial");
  return "rows_per_tile=" + std::to_string(k.rows_per_tile) + " vectors_per_row=" + std::to_string(k.vectors_per_row) +
         (k.parallel ? " parallel" : " serial");
}

// The kernel's arguments at concrete sizes, filled with the same random values every time.
struct Arguments {
  std::vector<std::shared_ptr<relaxrt::Tensor>> tensors;
  std::vector<RxValue> values;
  std::vector<int32_t> kinds;
};

// Null (and `why` set) when some size is neither a constant nor given.
std::optional<Arguments> make_arguments(const tir::PrimFunc& kernel, const std::map<std::string, int64_t>& given,
                                        std::map<std::string, int64_t>& used, std::string& why) {
  Arguments args;
  std::mt19937 random(2437);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (const tir::Param& p : kernel.params) {
    if (!p.buffer) {
      why = "it takes the scalar argument '" + p.var->name + "'";
      return std::nullopt;
    }
    std::vector<int64_t> shape;
    for (const tir::Expr& dim : p.buffer->shape) {
      if (const auto* value = dim->as<tir::IntImm>()) {
        shape.push_back(value->value);
      } else if (const auto* var = dim->as<tir::VarRef>(); var && given.count(var->var->name)) {
        shape.push_back(given.at(var->var->name));
        used[var->var->name] = given.at(var->var->name);
      } else {
        why = "the size " + (var ? "'" + var->var->name + "'" : std::string("of a dimension")) + " is symbolic (give it with --tune-size " +
              (var ? var->var->name : std::string("NAME")) + "=N)";
        return std::nullopt;
      }
    }
    std::optional<relaxrt::ElementType> type = relaxrt::parse_element_type(dtype_name(p.buffer->dtype));
    if (!type) {
      why = std::string("its buffer '") + p.buffer->name + "' has the dtype " + dtype_name(p.buffer->dtype);
      return std::nullopt;
    }
    auto tensor = relaxrt::Tensor::allocate(*type, shape);
    std::memset(tensor->data, 0, tensor->byte_size());
    if (p.buffer->dtype == DataType::Float32) {
      float* data = static_cast<float*>(tensor->data);
      for (int64_t i = 0; i < tensor->element_count(); ++i) data[i] = uniform(random);
    }
    args.tensors.push_back(tensor);
  }
  for (const auto& t : args.tensors) {
    RxValue v;
    v.tensor = &t->dl;
    args.values.push_back(v);
    args.kinds.push_back(RX_ARG_TENSOR);
  }
  return args;
}

struct Measurement {
  double median_us = 0;
  std::vector<float> output;  // the last argument's values (DPS: the kernel's result)
};

Measurement measure(RxFunction fn, Arguments& args, const std::string& kernel) {
  auto call = [&] {
    RxError error{};
    if (fn(args.values.data(), args.kinds.data(), static_cast<int32_t>(args.values.size()), &error) != 0) {
      throw std::runtime_error("tuning " + kernel + ": the kernel failed: " + (error.message ? error.message : "no message"));
    }
  };
  call();
  call();
  std::vector<double> us;
  Clock::time_point start = Clock::now();
  while (us.size() < 5 || (us.size() < 200 && Clock::now() - start < std::chrono::milliseconds(200))) {
    Clock::time_point t = Clock::now();
    call();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
  }
  std::sort(us.begin(), us.end());
  Measurement m;
  m.median_us = us[us.size() / 2];
  const relaxrt::Tensor& out = *args.tensors.back();
  if (out.type.code == kDLFloat && out.type.bits == 32) {
    const float* data = static_cast<const float*>(out.data);
    m.output.assign(data, data + out.element_count());
  }
  return m;
}

// Equal up to the order of additions: the candidates sum the same products in other orders.
bool same_results(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(std::fabs(a[i] - b[i]) <= 1e-4f + 1e-4f * std::fabs(b[i]))) return false;
  }
  return true;
}

}  // namespace

void tune(const Module& checked, const TuneOptions& options, TuningDb& db, std::ostream& log) {
  codegen::TargetInfo target = codegen::target_info(options.target);
  if (std::string why = relaxrt::check_host_can_run(target.triple, target.cpu, target.features); !why.empty()) {
    why = why.substr(0, why.find(';'));  // the runtime's advice is about running, not tuning
    throw std::runtime_error("--tune times the candidates on this machine, so it tunes only for a target this machine runs: " + why +
                             " (tune without --target, with -mcpu=native)");
  }
  const std::string& cpu = target.cpu;
  // The module before scheduling: the stage whose kernels the workloads describe, as
  // run_pipeline asks recorded_knobs about them.
  PipelineOptions fused;
  fused.last_stage = "fuse";
  Module module = run_pipeline(checked, fused);
  schedule::Target schedule_target = codegen::schedule_target(options.target);
  std::vector<tir::PrimFuncPtr> kernels;
  for (const tir::PrimFuncPtr& k : module.prim_funcs) {
    if (has_outer_product_tiles(*k, schedule_target) || scheduled_by_rule(*k, schedule_target)) kernels.push_back(k);
  }
  if (kernels.empty()) {
    log << "relaxc: --tune: no kernel of this module has parameters to tune (reductions against a k-major weight and kernels a rule schedules do)\n";
    return;
  }
  Clock::time_point start = Clock::now();
  for (size_t n = 0; n < kernels.size(); ++n) {
    const tir::PrimFunc& kernel = *kernels[n];
    const bool by_rule = scheduled_by_rule(kernel, schedule_target);
    const std::vector<ScheduleKnobs> tried_knobs = candidates(by_rule, schedule_target);
    std::map<std::string, int64_t> sizes;
    std::string why;
    std::optional<Arguments> args = make_arguments(kernel, options.sizes, sizes, why);
    if (!args) {
      log << "relaxc: --tune: not tuning " << kernel.name << ": " << why << "\n";
      continue;
    }
    // Each kernel gets an equal share of what is left.
    auto budget = std::chrono::duration<double>(options.seconds) * static_cast<double>(n + 1) / static_cast<double>(kernels.size());
    Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(budget);
    Module alone;
    alone.prim_funcs = {kernels[n]};
    std::optional<Measurement> baseline;
    ScheduleKnobs best = tried_knobs.front();
    double best_us = 0;
    size_t tried = 0, discarded = 0;
    // The default's and the best candidate's code stay loaded, to be timed again at the end.
    std::unique_ptr<relaxrt::NativeLibrary> default_code, best_code;
    for (const ScheduleKnobs& knobs : tried_knobs) {
      if (baseline && Clock::now() >= deadline) break;
      ScheduleChoices choice = {{kernel.name, knobs}};
      Module scheduled = default_schedule(alone, schedule_target, choice);
      auto code = std::make_unique<relaxrt::NativeLibrary>(codegen::build_kernel_library(scheduled, options.target));
      RxFunction fn = code->kernel(kernel.name);
      if (!fn) throw std::runtime_error("tuning " + kernel.name + ": the kernel is missing from the code built for it");
      Measurement m = measure(fn, *args, kernel.name);
      ++tried;
      if (!baseline) {
        baseline = m;
        best_us = m.median_us;
        default_code = std::move(code);
        continue;
      }
      if (!same_results(m.output, baseline->output)) {
        ++discarded;
        log << "relaxc: --tune: " << kernel.name << " with " << describe(knobs, by_rule) << " computed other results than the default schedule; not used\n";
        continue;
      }
      if (m.median_us < best_us) {
        best_us = m.median_us;
        best = knobs;
        best_code = std::move(code);
      }
    }
    // The machine drifts while candidates are timed one after another: time the default and the
    // winner once more, and keep the winner only if it is still clearly faster (timings of the
    // same code differ by a few percent here).
    double default_us = baseline->median_us;
    if (best_code) {
      default_us = std::min(default_us, measure(default_code->kernel(kernel.name), *args, kernel.name).median_us);
      best_us = std::min(best_us, measure(best_code->kernel(kernel.name), *args, kernel.name).median_us);
      if (best_us > default_us * (1 - kMinGain)) {
        best = tried_knobs.front();
        best_us = default_us;
      }
    }
    TuningRecord record;
    record.workload = workload_key(kernel, cpu);
    record.kernel = kernel.name;
    record.cpu = cpu;
    record.sizes = sizes;
    record.knobs = best;
    record.median_us = best_us;
    record.default_us = default_us;
    db.put(record);
    std::string at;
    for (const auto& [name, value] : sizes) at += (at.empty() ? " at " : ", ") + name + "=" + std::to_string(value);
    char line[256];
    std::snprintf(line, sizeof line, ": %.1f us, default %.1f us (%.2fx); %zu of %zu candidates measured, %zu discarded\n", best_us,
                  default_us, default_us / best_us, tried, tried_knobs.size(), discarded);
    log << "relaxc: --tune: " << kernel.name << at << ": " << describe(best, by_rule) << line;
  }
}

std::string parse_tune_sizes(const std::vector<std::string>& items, std::map<std::string, int64_t>& sizes) {
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    char* end = nullptr;
    long long value = eq == std::string::npos ? 0 : std::strtoll(item.c_str() + eq + 1, &end, 10);
    if (eq == std::string::npos || eq == 0 || end == item.c_str() + eq + 1 || *end != '\0' || value <= 0) {
      return "--tune-size expects NAME=N with N a positive integer, such as batch=4443, but got '" + item + "'";
    }
    sizes[item.substr(0, eq)] = value;
  }
  return "";
}

KnobsLookup recorded_knobs(const TuningDb& db, const std::string& cpu, int& found) {
  return [&db, cpu, &found](const tir::PrimFunc& kernel) -> std::optional<ScheduleKnobs> {
    const TuningRecord* r = db.find(workload_key(kernel, cpu));
    if (!r) return std::nullopt;
    ++found;
    return r->knobs;
  };
}

}  // namespace relaxc
