# Finds the Debian-packaged dependencies. A missing one stops the configure
# step with the name of the package that provides it.
find_package(PkgConfig REQUIRED)

function(plasma_pkg target module debpkg)
    pkg_check_modules(${target} IMPORTED_TARGET ${module})
    if(NOT ${target}_FOUND)
        message(FATAL_ERROR "${module} not found: install the Debian package ${debpkg} "
                            "(tools/setup.sh does it)")
    endif()
endfunction()

plasma_pkg(SECP256K1 libsecp256k1 libsecp256k1-dev)
plasma_pkg(XXHASH libxxhash libxxhash-dev)
plasma_pkg(MHD libmicrohttpd libmicrohttpd-dev)
plasma_pkg(JANSSON jansson libjansson-dev)
plasma_pkg(CURL libcurl libcurl4-openssl-dev)
plasma_pkg(CRYPTO libcrypto libssl-dev)

include(CheckIncludeFile)
set(CMAKE_REQUIRED_QUIET ON)
check_include_file(secp256k1_recovery.h HAVE_SECP256K1_RECOVERY)
if(NOT HAVE_SECP256K1_RECOVERY)
    message(FATAL_ERROR "secp256k1_recovery.h not found: libsecp256k1-dev with the recovery module is required")
endif()

# Debian's LevelDB ships no pkg-config file.
find_path(LEVELDB_INCLUDE_DIR leveldb/c.h)
find_library(LEVELDB_LIBRARY leveldb)
if(NOT LEVELDB_INCLUDE_DIR OR NOT LEVELDB_LIBRARY)
    message(FATAL_ERROR "LevelDB not found: install the Debian package libleveldb-dev (tools/setup.sh does it)")
endif()
add_library(plasma_leveldb INTERFACE)
target_include_directories(plasma_leveldb INTERFACE ${LEVELDB_INCLUDE_DIR})
target_link_libraries(plasma_leveldb INTERFACE ${LEVELDB_LIBRARY})

if(PLASMA_BUILD_TESTS)
    plasma_pkg(CMOCKA cmocka libcmocka-dev)
endif()
