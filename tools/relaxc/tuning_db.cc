#include "tuning_db.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "compiler/driver/compile.h"
#include "runtime/file_io.h"

namespace relaxc {

namespace {

constexpr const char* kFormat = "relaxc-tuning-db";
constexpr int kVersion = 1;
constexpr int64_t kMaxRows = 16, kMaxVectors = 8;

// nlohmann's messages start with "[json.exception.parse_error.101] ": the rest is for people.
std::string plain(const std::exception& e) {
  std::string text = e.what();
  if (!text.empty() && text[0] == '[') {
    size_t end = text.find("] ");
    if (end != std::string::npos) text = text.substr(end + 2);
  }
  return text;
}

TuningRecord read_record(const nlohmann::json& j, size_t index) {
  auto fail = [&](const std::string& what) { throw std::runtime_error("record " + std::to_string(index) + ": " + what); };
  if (!j.is_object()) fail("expected an object");
  auto text = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_string()) fail(std::string("'") + key + "' must be a string");
    return j[key].get<std::string>();
  };
  auto integer = [&](const char* key, int64_t lo, int64_t hi) {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() < lo || j[key].get<int64_t>() > hi) {
      fail(std::string("'") + key + "' must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return j[key].get<int64_t>();
  };
  auto number = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() < 0) fail(std::string("'") + key + "' must be a number of microseconds");
    return j[key].get<double>();
  };
  TuningRecord r;
  r.workload = text("workload");
  r.kernel = text("kernel");
  r.cpu = text("cpu");
  if (!j.contains("sizes") || !j["sizes"].is_object()) fail("'sizes' must be an object of integers");
  for (const auto& [name, value] : j["sizes"].items()) {
    if (!value.is_number_integer()) fail("size '" + name + "' must be an integer");
    r.sizes[name] = value.get<int64_t>();
  }
  r.knobs.rows_per_tile = integer("rows_per_tile", 1, kMaxRows);
  r.knobs.vectors_per_row = integer("vectors_per_row", 1, kMaxVectors);
  if (!j.contains("parallel") || !j["parallel"].is_boolean()) fail("'parallel' must be true or false");
  r.knobs.parallel = j["parallel"].get<bool>();
  r.median_us = number("median_us");
  r.default_us = number("default_us");
  return r;
}

}  // namespace

std::string TuningDb::load(const std::string& path) {
  records_.clear();
  // Tuning starts a new database; an existing file that cannot be read is an error.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && errno == ENOENT) return "";
  std::string text;
  if (std::string error = relaxrt::read_whole_file(path, text); !error.empty()) return error;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains("format") || j["format"] != kFormat) {
      return path + ": not a relaxc tuning database (expected an object with \"format\": \"" + kFormat + "\")";
    }
    if (!j.contains("version") || j["version"] != kVersion) {
      return path + ": tuning database version " + (j.contains("version") ? j["version"].dump() : std::string("missing")) +
             ", but this relaxc reads version " + std::to_string(kVersion);
    }
    if (!j.contains("records") || !j["records"].is_array()) return path + ": 'records' must be an array";
    for (size_t i = 0; i < j["records"].size(); ++i) put(read_record(j["records"][i], i));
  } catch (const nlohmann::json::exception& e) {
    records_.clear();
    return path + ": not valid JSON: " + plain(e);
  } catch (const std::runtime_error& e) {
    records_.clear();
    return path + ": " + e.what();
  }
  return "";
}

std::string TuningDb::save(const std::string& path) const {
  // In the order written here, so the file reads format first and each record workload first.
  nlohmann::ordered_json records = nlohmann::ordered_json::array();
  for (const TuningRecord& r : records_) {
    records.push_back({{"workload", r.workload},
                       {"kernel", r.kernel},
                       {"cpu", r.cpu},
                       {"sizes", nlohmann::ordered_json(r.sizes)},
                       {"rows_per_tile", r.knobs.rows_per_tile},
                       {"vectors_per_row", r.knobs.vectors_per_row},
                       {"parallel", r.knobs.parallel},
                       {"median_us", r.median_us},
                       {"default_us", r.default_us}});
  }
  nlohmann::ordered_json j = {{"format", kFormat}, {"version", kVersion}, {"records", records}};
  return relaxrt::write_file_atomically(path, j.dump(2) + "\n");
}

const TuningRecord* TuningDb::find(const std::string& workload) const {
  for (const TuningRecord& r : records_) {
    if (r.workload == workload) return &r;
  }
  return nullptr;
}

void TuningDb::put(const TuningRecord& record) {
  for (TuningRecord& r : records_) {
    if (r.workload == record.workload) {
      r = record;
      return;
    }
  }
  records_.push_back(record);
}

std::string workload_key(const tir::PrimFunc& kernel, const std::string& cpu) {
  Module alone;
  alone.prim_funcs.push_back(std::make_shared<tir::PrimFunc>(kernel));
  std::string text = emit_tvms(alone) + "\ncpu: " + cpu;
  uint64_t hash = 1469598103934665603ull;  // FNV-1a: stable across builds and machines
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace relaxc
