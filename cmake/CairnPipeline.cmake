# cairn_add_pipeline(NAME SOURCES...): a pipeline binary (its own CLI) linked with cairn.
#
# The binary's sources get a precompiled cairn/cairn.hpp: parsing the standard library headers it
# needs is most of the cost of compiling a pipeline file, and the edit -> compile -> rerun loop is
# what a pipeline author lives in. Set CAIRN_PIPELINE_PCH=OFF to compile without it.
option(CAIRN_PIPELINE_PCH "Precompile cairn/cairn.hpp for pipeline binaries" ON)

function(cairn_add_pipeline name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE cairn::cairn)
  target_compile_features(${name} PRIVATE cxx_std_20)
  if(CAIRN_PIPELINE_PCH)
    target_precompile_headers(${name} PRIVATE <cairn/cairn.hpp>)
  endif()
endfunction()
