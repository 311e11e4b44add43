// Classifies a FashionMNIST image with a module compiled by relaxc, from C++ through the C API,
// with its handles held by std::unique_ptr so that every path releases them.
//
//   relaxc examples/mlp.tvms -o mlp.rx
//   cmake -S examples/embed -B embed-build && cmake --build embed-build   (find_package(relaxrt))
//   embed-build/classify_cpp mlp.rx examples/img2437.npy examples/mlp_params.npz examples/fashion_mnist_labels.txt
#include <relaxrt/relaxrt.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Module = std::unique_ptr<RxrtModule, decltype(&relaxrt_close)>;
using Arrays = std::unique_ptr<RxrtArrays, decltype(&relaxrt_arrays_free)>;
using Result = std::unique_ptr<RxrtValue, decltype(&relaxrt_value_free)>;

// Throws the API's message for a failed call.
void check(RxrtStatus status, const std::string& what) {
  if (status != RXRT_OK) throw std::runtime_error(what + ": " + relaxrt_last_error());
}

Module open_module(const char* path) {
  RxrtModule* module = nullptr;
  check(relaxrt_open_file(path, nullptr, &module), "opening the module");
  return Module(module, relaxrt_close);
}

Arrays load_arrays(const char* path) {
  RxrtArrays* arrays = nullptr;
  check(relaxrt_arrays_load(path, &arrays), "reading the arrays");
  return Arrays(arrays, relaxrt_arrays_free);
}

std::string label_of(const char* path, long index) {
  std::ifstream in(path ? path : "");
  std::string line;
  for (long i = 0; std::getline(in, line); ++i) {
    if (i == index) return line;
  }
  return "?";
}

int classify(int argc, char** argv) {
  Module module = open_module(argv[1]);
  Arrays image = load_arrays(argv[2]), params = load_arrays(argv[3]);
  int32_t fn = 0;
  check(relaxrt_find_function(module.get(), "main", &fn), "finding @main");
  RxrtFunctionInfo info;
  check(relaxrt_function_info(module.get(), fn, &info), "reading @main's signature");
  // The image for the first parameter, then the weights by parameter name.
  std::vector<DLTensor> args{*relaxrt_arrays_tensor(image.get(), 0)};
  std::vector<uint32_t> flags{0};
  std::cout << "@" << info.name << "(x";
  for (int32_t p = 1; p < info.num_params; ++p) {
    RxrtParamInfo param;
    check(relaxrt_param_info(module.get(), fn, p, &param), "reading a parameter");
    int32_t found = relaxrt_arrays_find(params.get(), param.name);
    if (found < 0) throw std::runtime_error(std::string("the archive has no array '") + param.name + "'");
    args.push_back(*relaxrt_arrays_tensor(params.get(), found));
    flags.push_back(RXRT_ARG_CONSTANT);
    std::cout << ", " << param.name;
  }
  std::cout << ") -> " << info.return_type << "\n";
  RxrtValue* raw = nullptr;
  check(relaxrt_call(module.get(), "main", args.data(), static_cast<int32_t>(args.size()), flags.data(), &raw), "running @main");
  Result result(raw, relaxrt_value_free);
  const DLTensor* logits = relaxrt_value_tensor(result.get());
  if (!logits || logits->dtype.code != kDLFloat || logits->dtype.bits != 32 || logits->ndim != 2) {
    throw std::runtime_error("expected @main to return float32 logits of shape (1, classes)");
  }
  const float* scores = static_cast<const float*>(logits->data);
  long classes = static_cast<long>(logits->shape[1]);
  long best = std::max_element(scores, scores + classes) - scores;
  std::cout << "logits:";
  std::cout.precision(7);
  for (long c = 0; c < classes; ++c) std::cout << " " << scores[c];
  std::cout << "\nclass " << best << ": " << label_of(argc > 4 ? argv[4] : nullptr, best) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: classify_cpp MODULE.rx IMAGE.npy PARAMS.npz [LABELS.txt]\n";
    return 2;
  }
  try {
    return classify(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "classify_cpp: " << e.what() << "\n";
    return 1;
  }
}
