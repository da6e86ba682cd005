# CMake package of libplasma-client: find_package(PlasmaClient) gives the
# imported target plasma::client. It reads the installed plasma-client.pc,
# which names the Debian-packaged libraries the static archives need.
include(CMakeFindDependencyMacro)
find_dependency(PkgConfig)
get_filename_component(_plasma_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(ENV{PKG_CONFIG_PATH} "${_plasma_prefix}/lib/pkgconfig:$ENV{PKG_CONFIG_PATH}")
pkg_check_modules(PLASMA_CLIENT REQUIRED IMPORTED_TARGET GLOBAL plasma-client)
if(NOT TARGET plasma::client)
    add_library(plasma::client ALIAS PkgConfig::PLASMA_CLIENT)
endif()
set(PlasmaClient_FOUND TRUE)
