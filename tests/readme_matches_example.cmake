# The C++ example in README.md must be examples/readme/readme.cpp (minus its first comment line),
# which the build compiles: the README cannot show code that does not build.
file(READ "${CAIRN_SOURCE_DIR}/README.md" readme)
file(READ "${CAIRN_SOURCE_DIR}/examples/readme/readme.cpp" example)
string(REGEX REPLACE "^//[^\n]*\n" "" example "${example}")
string(FIND "${readme}" "```cpp\n${example}```" position)
if(position EQUAL -1)
  message(FATAL_ERROR "README.md's C++ example differs from examples/readme/readme.cpp; copy one into the other")
endif()
