# Cross-compiling MIPS guest software with Debian's cross toolchains.
#
# disco_guest_program(NAME
#     SOURCES src...            (C or assembly, relative to the caller)
#     ENDIAN be|le              (big-endian: mips64-linux-gnuabi64-gcc, little: ...el...)
#     [OPT -O0|-O2]             (default -O2)
#     [FREESTANDING]            (no libc: -nostdlib -ffreestanding, MIPS IV by default)
#     [LINKER_SCRIPT file]      (freestanding programs placed at a fixed address)
#     [CFLAGS flags...] [LDFLAGS flags...] [DEPENDS files...])
# Produces ${CMAKE_BINARY_DIR}/guest/NAME and a target guest_NAME that the
# `all` target builds.
set(MIPS64_BE_CC mips64-linux-gnuabi64-gcc)
set(MIPS64_LE_CC mips64el-linux-gnuabi64-gcc)
set(DISCO_GUEST_DIR ${CMAKE_BINARY_DIR}/guest)
file(MAKE_DIRECTORY ${DISCO_GUEST_DIR})

function(disco_guest_program name)
  cmake_parse_arguments(G "FREESTANDING" "ENDIAN;OPT;LINKER_SCRIPT" "SOURCES;CFLAGS;LDFLAGS;DEPENDS" ${ARGN})
  if(G_ENDIAN STREQUAL "le")
    set(cc ${MIPS64_LE_CC})
  else()
    set(cc ${MIPS64_BE_CC})
  endif()
  if(NOT G_OPT)
    set(G_OPT -O2)
  endif()
  set(flags ${G_OPT} -g -Wall -mabi=64)
  if(G_FREESTANDING)
    list(APPEND flags -static -nostdlib -ffreestanding -fno-pic -mno-abicalls -fno-builtin
         -I${CMAKE_SOURCE_DIR}/guest/rt)
    if(G_LINKER_SCRIPT)
      list(APPEND flags -T ${CMAKE_CURRENT_SOURCE_DIR}/${G_LINKER_SCRIPT})
    endif()
  else()
    list(APPEND flags -static)
  endif()
  set(srcs "")
  foreach(s ${G_SOURCES})
    if(IS_ABSOLUTE ${s})
      list(APPEND srcs ${s})
    else()
      list(APPEND srcs ${CMAKE_CURRENT_SOURCE_DIR}/${s})
    endif()
  endforeach()
  set(out ${DISCO_GUEST_DIR}/${name})
  add_custom_command(OUTPUT ${out}
    COMMAND ${cc} ${flags} ${G_CFLAGS} -o ${out} ${srcs} ${G_LDFLAGS}
    DEPENDS ${srcs} ${G_DEPENDS}
    COMMENT "Cross-compiling guest ${name}"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()
