// numpy-style printing of a tensor: numpy's float formats, line wrapping and summarization.
#include "runtime/format_array.h"

#include "runtime/compare_arrays.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

namespace relaxrt {

namespace {

constexpr size_t kLineWidth = 75;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int kPrecision = 8;

double element(const Tensor& t, int64_t i) { return element_as_double(t, i); }

// Shortest digits that read back as the same value of the tensor's float type.
std::string shortest(double v, bool single, std::chars_format format, int precision_cap) {
  char buf[128];
  auto put = [&](auto value, std::optional<int> precision) {
    std::to_chars_result r = precision ? std::to_chars(buf, buf + sizeof buf, value, format, *precision) : std::to_chars(buf, buf + sizeof buf, value, format);
    return std::string(buf, r.ptr);
  };
  std::string text = single ? put(static_cast<float>(v), std::nullopt) : put(v, std::nullopt);
  std::string mantissa = text.substr(0, text.find('e'));
  size_t dot = mantissa.find('.');
  if (dot != std::string::npos && static_cast<int>(mantissa.size() - dot - 1) > precision_cap) {
    text = single ? put(static_cast<float>(v), precision_cap) : put(v, precision_cap);
    std::string exp = text.find('e') == std::string::npos ? "" : text.substr(text.find('e'));
    mantissa = text.substr(0, text.find('e'));
    while (mantissa.back() == '0') mantissa.pop_back();
    text = mantissa + exp;
  }
  return text;
}

// The value's exact digits rounded to `precision` fraction digits, in scientific notation.
std::string exact_digits(double v, bool single, int precision) {
  char buf[128];
  std::to_chars_result r = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific, precision)
                                  : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, precision);
  return std::string(buf, r.ptr);
}

struct FloatFormat {
  bool scientific = false;
  size_t pad_left = 0, pad_right = 0, exp_size = 0, frac_digits = 0;
  bool single = true;

  std::string operator()(double v) const {
    size_t width = scientific ? pad_left + 1 + pad_right : pad_left + 1 + pad_right;
    if (!std::isfinite(v)) {
      std::string s = std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
      return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
    }
    std::string int_part, frac_part, exp_part;
    if (scientific) {
      std::string s = shortest(v, single, std::chars_format::scientific, kPrecision);
      size_t dot = s.find('.');
      size_t shown = dot == std::string::npos ? 0 : s.find('e') - dot - 1;
      // A value with fewer digits than the widest is written out to that many of its exact
      // digits, as numpy does (Dragon4's min_digits: 1e-5f beside 1.2345678 is 9.9999997e-06).
      if (frac_digits > shown) s = exact_digits(v, single, static_cast<int>(frac_digits));
      std::string m = s.substr(0, s.find('e'));
      std::string e = s.substr(s.find('e') + 1);
      int_part = m.substr(0, m.find('.'));
      frac_part = m.find('.') == std::string::npos ? "" : m.substr(m.find('.') + 1);
      frac_part.append(frac_digits > frac_part.size() ? frac_digits - frac_part.size() : 0, '0');
      char sign = e[0] == '-' ? '-' : '+';
      std::string digits = e.substr(e[0] == '-' || e[0] == '+' ? 1 : 0);
      digits.insert(0, exp_size > digits.size() ? exp_size - digits.size() : 0, '0');
      exp_part = std::string("e") + sign + digits;
      return std::string(pad_left > int_part.size() ? pad_left - int_part.size() : 0, ' ') + int_part + "." + frac_part + exp_part;
    }
    std::string s = shortest(v, single, std::chars_format::fixed, kPrecision);
    int_part = s.substr(0, s.find('.'));
    frac_part = s.find('.') == std::string::npos ? "" : s.substr(s.find('.') + 1);
    return std::string(pad_left > int_part.size() ? pad_left - int_part.size() : 0, ' ') + int_part + "." + frac_part +
           std::string(pad_right > frac_part.size() ? pad_right - frac_part.size() : 0, ' ');
  }
};

FloatFormat make_float_format(const std::vector<double>& values, bool single) {
  FloatFormat f;
  f.single = single;
  double max_val = 0, min_val = INFINITY;
  bool any = false;
  for (double v : values) {
    if (!std::isfinite(v) || v == 0) continue;
    any = true;
    max_val = std::max(max_val, std::fabs(v));
    min_val = std::min(min_val, std::fabs(v));
  }
  f.scientific = any && (max_val >= 1e8 || min_val < 0.0001 || max_val / min_val > 1000.0);
  bool all_nonfinite = true;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    all_nonfinite = false;
    if (f.scientific) {
      std::string s = shortest(v, single, std::chars_format::scientific, kPrecision);
      std::string m = s.substr(0, s.find('e'));
      std::string e = s.substr(s.find('e') + 1);
      size_t dot = m.find('.');
      f.pad_left = std::max(f.pad_left, dot == std::string::npos ? m.size() : dot);
      f.frac_digits = std::max(f.frac_digits, dot == std::string::npos ? 0 : m.size() - dot - 1);
      std::string digits = e.substr(e[0] == '-' || e[0] == '+' ? 1 : 0);
      f.exp_size = std::max(f.exp_size, std::max<size_t>(2, digits.size()));
    } else {
      std::string s = shortest(v, single, std::chars_format::fixed, kPrecision);
      size_t dot = s.find('.');
      f.pad_left = std::max(f.pad_left, dot == std::string::npos ? s.size() : dot);
      f.pad_right = std::max(f.pad_right, dot == std::string::npos ? 0 : s.size() - dot - 1);
    }
  }
  if (f.scientific) f.pad_right = f.exp_size + 2 + f.frac_digits;
  if (all_nonfinite) f.pad_left = 3;  // wide enough for "nan"/"inf"
  for (double v : values) {
    if (std::isnan(v) || std::isinf(v)) {
      size_t need = std::isinf(v) && v < 0 ? 4 : 3;
      if (f.pad_left + 1 + f.pad_right < need) f.pad_left = need - 1 - f.pad_right;
    }
  }
  return f;
}

void extend_line(std::string& s, std::string& line, const std::string& word, size_t width, const std::string& prefix) {
  bool wrap = line.size() + word.size() > width && line.size() > prefix.size();
  if (wrap) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    s += line + "\n";
    line = prefix;
  }
  line += word;
}

}  // namespace

std::string format_array(const Tensor& t) {
  int64_t size = t.element_count();
  bool summarize = size > kThreshold;
  const std::vector<int64_t>& shape = t.shape;
  size_t ndim = shape.size();
  std::vector<int64_t> strides(ndim, 1);
  for (size_t d = ndim; d-- > 1;) strides[d - 1] = strides[d] * shape[d];

  // The elements that will be shown decide the format, as in numpy.
  std::vector<double> shown;
  std::function<void(size_t, int64_t)> collect = [&](size_t axis, int64_t offset) {
    if (axis == ndim) {
      shown.push_back(element(t, offset));
      return;
    }
    for (int64_t i = 0; i < shape[axis]; ++i) {
      if (summarize && 2 * kEdgeItems < shape[axis] && i == kEdgeItems) i = shape[axis] - kEdgeItems;
      collect(axis + 1, offset + i * strides[axis]);
    }
  };
  collect(0, 0);

  std::string type = t.type.name;
  bool is_float = type.rfind("float", 0) == 0 || type == "bfloat16";  // bfloat16 prints as its float32 value would
  FloatFormat float_format = make_float_format(is_float ? shown : std::vector<double>{}, type != "float64");
  size_t int_width = 0;
  auto int_text = [&](double v) {
    if (type == "bool") return std::string(v != 0 ? "True" : "False");
    return std::to_string(static_cast<long long>(v));
  };
  if (!is_float) {
    for (double v : shown) int_width = std::max(int_width, int_text(v).size());
  }
  auto format = [&](double v) {
    if (is_float) return float_format(v);
    std::string s = int_text(v);
    return std::string(int_width - s.size(), ' ') + s;
  };
  if (ndim == 0) return format(element(t, 0));

  std::function<std::string(size_t, int64_t, const std::string&, size_t)> recurse =
      [&](size_t axis, int64_t offset, const std::string& hanging, size_t width) -> std::string {
    if (axis == ndim) return format(element(t, offset));
    std::string next_hanging = hanging + " ";
    size_t next_width = width - 1;
    int64_t n = shape[axis];
    bool show_summary = summarize && 2 * kEdgeItems < n;
    int64_t leading = show_summary ? kEdgeItems : 0;
    int64_t trailing = show_summary ? kEdgeItems : n;
    std::string s;
    if (axis + 1 == ndim) {
      size_t elem_width = width - 1;
      std::string line = hanging;
      for (int64_t i = 0; i < leading; ++i) {
        extend_line(s, line, recurse(axis + 1, offset + i * strides[axis], next_hanging, next_width), elem_width, hanging);
        line += " ";
      }
      if (show_summary) {
        extend_line(s, line, "...", elem_width, hanging);
        line += " ";
      }
      for (int64_t i = trailing; i > 1; --i) {
        extend_line(s, line, recurse(axis + 1, offset + (n - i) * strides[axis], next_hanging, next_width), elem_width, hanging);
        line += " ";
      }
      if (n > 0) extend_line(s, line, recurse(axis + 1, offset + (n - 1) * strides[axis], next_hanging, next_width), elem_width, hanging);
      s += line;
    } else {
      std::string line_sep(ndim - axis - 1, '\n');
      for (int64_t i = 0; i < leading; ++i) s += hanging + recurse(axis + 1, offset + i * strides[axis], next_hanging, next_width) + line_sep;
      if (show_summary) s += hanging + "..." + line_sep;
      for (int64_t i = trailing; i > 1; --i) s += hanging + recurse(axis + 1, offset + (n - i) * strides[axis], next_hanging, next_width) + line_sep;
      if (n > 0) s += hanging + recurse(axis + 1, offset + (n - 1) * strides[axis], next_hanging, next_width);
    }
    return "[" + s.substr(std::min(hanging.size(), s.size())) + "]";
  };
  return recurse(0, 0, " ", kLineWidth);
}

}  // namespace relaxrt
