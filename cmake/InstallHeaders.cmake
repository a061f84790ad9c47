# SPDX-License-Identifier: Apache-2.0
# Run by `cmake --install` (cmake/MailverifyInstall.cmake): copies the public headers under
# <prefix>/<includedir>/mailverify/, rewriting the in-tree includes by layer
# (#include "engine/run.hpp") to their installed names (#include "mailverify/engine/run.hpp").
# Inputs: MV_SRC, MV_INCLUDEDIR, MV_LAYER_HEADERS (relative to MV_SRC), MV_FACADE_HEADERS
# (relative to MV_SRC/include/mailverify).
if(IS_ABSOLUTE "${MV_INCLUDEDIR}")
  set(dest_root "$ENV{DESTDIR}${MV_INCLUDEDIR}/mailverify")
else()
  set(dest_root "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${MV_INCLUDEDIR}/mailverify")
endif()

function(mv_install_header from to)
  file(READ "${from}" text)
  string(REGEX REPLACE "#include \"(core|engine|protocols|tls)/" "#include \"mailverify/\\1/" text
                       "${text}")
  set(target "${dest_root}/${to}")
  message(STATUS "Installing: ${target}")
  get_filename_component(dir "${target}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${target}" "${text}")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${target}")
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()

foreach(h IN LISTS MV_LAYER_HEADERS)
  mv_install_header("${MV_SRC}/${h}" "${h}")
endforeach()
foreach(h IN LISTS MV_FACADE_HEADERS)
  mv_install_header("${MV_SRC}/include/mailverify/${h}" "${h}")
endforeach()
