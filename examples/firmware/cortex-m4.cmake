# CMake toolchain file: bare-metal Cortex-M4F (FPv4-SP, hard float) with
# Debian's clang 22 and ld.lld; no libc (edgec's runtime stub provides
# startup, memcpy and memset).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER clang-22)
set(CMAKE_C_COMPILER_TARGET thumbv7em-none-eabihf)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffreestanding -fno-builtin -Os")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -fuse-ld=lld -static")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
