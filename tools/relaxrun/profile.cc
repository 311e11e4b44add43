#include "profile.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "runtime/profiler.h"

namespace relaxrun {

namespace {

using relaxrt::FunctionRef;
using relaxrt::Profiler;

// What one row of the table adds up: a kernel's or runtime function's call site, or every call
// of one builtin.
struct Row {
  std::string name, kind, arguments;
  const relaxrt::SourceSpan* loc = nullptr;
  int64_t calls = 0, total_ns = 0;
  uint64_t bytes = 0;
  std::optional<int64_t> flops;  // per call
};

const char* kind_name(FunctionRef::Kind kind) {
  switch (kind) {
    case FunctionRef::Kind::VM: return "function";
    case FunctionRef::Kind::Kernel: return "kernel";
    case FunctionRef::Kind::Builtin: return "builtin";
    case FunctionRef::Kind::Runtime: return "runtime";
  }
  return "function";
}

// VM function calls are not rows: the calls they make are.
std::vector<Row> table_rows(const Profiler& profiler) {
  std::vector<Row> rows;
  std::map<std::string, size_t> builtin_row;
  for (const Profiler::Site& site : profiler.sites()) {
    if (site.kind == FunctionRef::Kind::VM) continue;
    if (site.kind == FunctionRef::Kind::Builtin) {
      auto [it, added] = builtin_row.try_emplace(site.name, rows.size());
      if (added) rows.push_back(Row{site.name, "builtin", "", nullptr, 0, 0, 0, std::nullopt});
      rows[it->second].calls += site.calls;
      rows[it->second].total_ns += site.total_ns;
      continue;
    }
    rows.push_back(Row{site.name, kind_name(site.kind), site.shapes, site.loc, site.calls, site.total_ns, site.bytes, site.flops});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.total_ns > b.total_ns; });
  return rows;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// Per call, in units per second: work / mean time.
double rate(double amount, const Row& row) { return row.total_ns > 0 ? amount * static_cast<double>(row.calls) / static_cast<double>(row.total_ns) : 0; }

struct Summary {
  int64_t calls = 0;
  double call_ns = 0;  // measured per call
  double rows_ns = 0;  // what the rows add up to, per call
};

void print_table(std::ostream& out, const ProfileOptions& options, const relaxrt::Executable& exe, const std::vector<Row>& rows, const Summary& s) {
  out << "@" << options.function << ": " << s.calls << " calls after " << options.warmup << " warm-up, " << format("%.2f", s.call_ns / 1e3)
      << " us per call; the rows add up to " << format("%.2f", s.rows_ns / 1e3) << " us (" << format("%.1f", 100 * s.rows_ns / s.call_ns)
      << "%); lines of " << exe.source_name << "\n";
  int width = 4;
  for (const Row& row : rows) width = std::max(width, static_cast<int>(row.name.size()));
  char line[1024];
  std::snprintf(line, sizeof line, "%7s %10s %6s %9s %8s %7s  %-*s %5s  %s\n", "share", "total us", "calls", "mean us", "GFLOP/s", "GB/s", width, "name",
                "line", "arguments");
  out << line;
  for (const Row& row : rows) {
    double mean_ns = static_cast<double>(row.total_ns) / static_cast<double>(row.calls);
    std::string gflops = row.flops && *row.flops > 0 ? format("%.1f", rate(static_cast<double>(*row.flops), row)) : "-";
    std::string gbytes = row.bytes > 0 ? format("%.1f", rate(static_cast<double>(row.bytes), row)) : "-";
    std::string where = row.loc && row.loc->line > 0 ? std::to_string(row.loc->line) : "-";
    double share = static_cast<double>(row.total_ns) / (s.call_ns * static_cast<double>(s.calls));
    std::snprintf(line, sizeof line, "%6.1f%% %10.2f %6lld %9.2f %8s %7s  %-*s %5s  %s", 100 * share, static_cast<double>(row.total_ns) / 1e3,
                  static_cast<long long>(row.calls), mean_ns / 1e3, gflops.c_str(), gbytes.c_str(), width, row.name.c_str(), where.c_str(),
                  row.arguments.c_str());
    std::string text = line;
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

void print_json(std::ostream& out, const ProfileOptions& options, const relaxrt::Executable& exe, const std::vector<Row>& rows, const Summary& s) {
  out << "{\"function\": " << json_string(options.function) << ", \"source\": " << json_string(exe.source_name) << ", \"calls\": " << s.calls
      << ", \"warmup\": " << options.warmup << ", \"call_us\": " << format("%.3f", s.call_ns / 1e3) << ", \"rows_us\": " << format("%.3f", s.rows_ns / 1e3)
      << ", \"rows\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    out << (i ? ", " : "") << "{\"name\": " << json_string(row.name) << ", \"kind\": " << json_string(row.kind) << ", \"calls\": " << row.calls
        << ", \"total_us\": " << format("%.3f", static_cast<double>(row.total_ns) / 1e3)
        << ", \"mean_us\": " << format("%.3f", static_cast<double>(row.total_ns) / 1e3 / static_cast<double>(row.calls))
        << ", \"share\": " << format("%.4f", static_cast<double>(row.total_ns) / (s.call_ns * static_cast<double>(s.calls)));
    if (row.loc && row.loc->line > 0) out << ", \"line\": " << row.loc->line << ", \"source_line\": " << json_string(row.loc->line_text);
    if (!row.arguments.empty()) out << ", \"arguments\": " << json_string(row.arguments) << ", \"bytes\": " << row.bytes;
    if (row.bytes > 0) out << ", \"gbytes_per_s\": " << format("%.3f", rate(static_cast<double>(row.bytes), row));
    if (row.flops) out << ", \"flops\": " << *row.flops << ", \"gflops_per_s\": " << format("%.3f", rate(static_cast<double>(*row.flops), row));
    out << "}";
  }
  out << "]}\n";
}

// Trace-event format: one complete ("X") event per call, times in microseconds.
void print_chrome_trace(std::ostream& out, const ProfileOptions& options, const Profiler& profiler, const std::vector<std::pair<int64_t, int64_t>>& invokes) {
  out << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [";
  bool first = true;
  auto event = [&](const std::string& name, const char* category, int64_t start_ns, int64_t duration_ns, const std::string& args) {
    out << (first ? "\n" : ",\n") << "{\"name\": " << json_string(name) << ", \"cat\": \"" << category << "\", \"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": "
        << format("%.3f", static_cast<double>(start_ns) / 1e3) << ", \"dur\": " << format("%.3f", static_cast<double>(duration_ns) / 1e3)
        << ", \"args\": {" << args << "}}";
    first = false;
  };
  for (const auto& [start, duration] : invokes) event("@" + options.function, "call", start, duration, "");
  for (const Profiler::Event& e : profiler.events()) {
    const Profiler::Site& site = profiler.sites()[static_cast<size_t>(e.site)];
    std::string args = "\"arguments\": " + json_string(site.shapes);
    if (site.loc && site.loc->line > 0) args += ", \"line\": " + std::to_string(site.loc->line);
    event(site.kind == FunctionRef::Kind::VM ? "@" + site.name : site.name, kind_name(site.kind), e.start_ns, e.duration_ns, args);
  }
  out << "\n]}\n";
}

}  // namespace

void run_profile(std::ostream& out, const ProfileOptions& options, const relaxrt::Executable& exe, relaxrt::VirtualMachine& vm,
                 const std::function<void()>& call) {
  for (int i = 0; i < options.warmup; ++i) call();
  Profiler profiler(exe);
  std::vector<std::pair<int64_t, int64_t>> invokes;
  vm.set_profiler(&profiler);
  for (int i = 0; i < options.calls; ++i) {
    int64_t start = profiler.now_ns(), overhead = profiler.overhead_ns();
    call();
    invokes.emplace_back(start, profiler.now_ns() - start - (profiler.overhead_ns() - overhead));
  }
  vm.set_profiler(nullptr);
  if (options.format == "chrome") return print_chrome_trace(out, options, profiler, invokes);
  std::vector<Row> rows = table_rows(profiler);
  Summary s;
  s.calls = options.calls;
  for (const auto& invoke : invokes) s.call_ns += static_cast<double>(invoke.second) / static_cast<double>(s.calls);
  for (const Row& row : rows) s.rows_ns += static_cast<double>(row.total_ns) / static_cast<double>(s.calls);
  if (options.format == "json") return print_json(out, options, exe, rows, s);
  print_table(out, options, exe, rows, s);
}

}  // namespace relaxrun
