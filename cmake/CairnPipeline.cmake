# cairn_add_pipeline(NAME SOURCES...): a pipeline binary (its own CLI) linked with cairn.
function(cairn_add_pipeline name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE cairn::cairn)
  target_compile_features(${name} PRIVATE cxx_std_20)
endfunction()
