# edgec_add_model(<name> MODEL <file> DEVICE <target>
#                 [QUANTIZE <mode>] [CALIBRATION <dir>] [OPTIONS <edgec compile flags>...])
#
# Compiles MODEL (ONNX, or a graph-dialect .mlir from edgec-torch) for the
# edgec target DEVICE when the build needs it, and again when the model, its
# calibration data or edgec itself change. <name> becomes a library target
# to link: it brings lib<name>.a and the directory holding <name>.h.
# Also set in the caller's scope:
#   <name>_ARTIFACT_DIR     the artifact (manifest.json, report.txt, runtime/)
#   <name>_RUNTIME_SOURCES  microcontroller targets: the runtime stub's C files
#                           firmware builds with (startup, memcpy/memset, ...)
#   <name>_LINKER_SCRIPT    microcontroller targets: the board's linker script
# The artifact is deterministic: the same model and flags give the same bytes.
# docs/guides/cmake.md has an example.
function(edgec_add_model name)
  cmake_parse_arguments(ARG "" "MODEL;DEVICE;QUANTIZE;CALIBRATION" "OPTIONS" ${ARGN})
  if(NOT ARG_MODEL OR NOT ARG_DEVICE)
    message(FATAL_ERROR "edgec_add_model(${name}): MODEL and DEVICE are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "edgec_add_model(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "edgec_add_model(${name}): ${model} does not exist")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/edgec/${name}")
  set(flags --target "${ARG_DEVICE}" --name "${name}")
  set(depends "${model}" "${EDGEC_EXECUTABLE}")
  if(ARG_QUANTIZE)
    list(APPEND flags --quantize "${ARG_QUANTIZE}")
  endif()
  if(ARG_CALIBRATION)
    get_filename_component(calibration "${ARG_CALIBRATION}" ABSOLUTE)
    list(APPEND flags --calibration "${calibration}")
    file(GLOB_RECURSE samples CONFIGURE_DEPENDS "${calibration}/*")
    list(APPEND depends ${samples})
  endif()

  # What the artifact holds besides the library and header, per family.
  set(runtime "")
  set(linker_script "")
  if(ARG_DEVICE MATCHES "^cortex-m")
    set(runtime "${out}/runtime/cortex-m/startup.c" "${out}/runtime/cortex-m/aeabi.c"
                "${out}/runtime/common/mem.c" "${out}/runtime/common/half.c")
    if(ARG_DEVICE STREQUAL "cortex-m55")
      set(linker_script "${out}/runtime/cortex-m/mps3-an547.ld")
    else()
      set(linker_script "${out}/runtime/cortex-m/mps2.ld")
    endif()
  elseif(ARG_DEVICE MATCHES "^rv32")
    set(runtime "${out}/runtime/riscv32/startup.c" "${out}/runtime/common/mem.c" "${out}/runtime/common/half.c")
    set(linker_script "${out}/runtime/riscv32/virt.ld")
  endif()

  set(outputs "${out}/lib${name}.a" "${out}/${name}.h" "${out}/manifest.json" "${out}/report.txt")
  # edgec replaces an artifact directory as a whole; a directory that is not
  # one (or is half-written) it refuses, so start from none.
  add_custom_command(
    OUTPUT ${outputs} ${runtime} ${linker_script}
    COMMAND "${CMAKE_COMMAND}" -E rm -rf "${out}"
    COMMAND "${EDGEC_EXECUTABLE}" compile "${model}" ${flags} ${ARG_OPTIONS} -o "${out}"
    DEPENDS ${depends}
    COMMENT "edgec: ${ARG_MODEL} for ${ARG_DEVICE}"
    VERBATIM)
  add_custom_target(${name}_artifact DEPENDS ${outputs})
  # An interface library: CMake checks an imported one's include directory
  # at configure time, before edgec has written it.
  add_library(${name} INTERFACE)
  target_include_directories(${name} INTERFACE "${out}")
  target_link_libraries(${name} INTERFACE "${out}/lib${name}.a")
  add_dependencies(${name} ${name}_artifact)
  set_source_files_properties(${runtime} ${linker_script} PROPERTIES GENERATED TRUE)
  set(${name}_ARTIFACT_DIR "${out}" PARENT_SCOPE)
  set(${name}_RUNTIME_SOURCES ${runtime} PARENT_SCOPE)
  set(${name}_LINKER_SCRIPT "${linker_script}" PARENT_SCOPE)
endfunction()
