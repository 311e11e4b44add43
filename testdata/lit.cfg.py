# lit configuration: every .tvms file under testdata/ is a test (data files live in Inputs/).
import os
import lit.formats

config.name = "relaxc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".tvms", ".test"]
config.excludes = ["Inputs", "seed", "README.md", "CMakeLists.txt", "fixed_point.py", "differential.py", "nn_reference.py", "shared_scratch.tvms", "corrupt.py", "make_arrays.py", "prepare_fashion_mnist.py", "check_mlp_batch.py", "check_cnn_batch.py", "check_profile.py", "check_db.py", "generate.py", "round_trip.py", "readme_blocks.py"]
config.test_source_root = os.path.dirname(__file__)

site = os.environ.get("RELAXC_LIT_SITE") or lit_config.params.get("site_config")
if site:
    lit_config.load_config(config, site)
config.environment["PATH"] = os.pathsep.join([config.relaxc_tools_dir, config.llvm_bin_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%inputs", os.path.join(config.testdata_dir, "Inputs")))
config.substitutions.append(("%examples", config.examples_dir))
config.substitutions.append(("%plugins", config.plugin_dir))
config.substitutions.append(("%tools", config.relaxc_tools_dir))
# The sanitizer build's librelaxrt.so needs its programs built with the sanitizers too
# (tests/api/run_api_tests.sh does that); the README's plain cc line cannot be run against it.
if getattr(config, "sanitize", False):
    config.available_features.add("sanitize")
