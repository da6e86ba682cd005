# Fuzz targets of the decoders (tests/fuzz/fuzz_<target>.c).
#
# With any compiler, each target's committed corpus is replayed as an
# ordinary test, fuzz_replay_<target>. With PLASMA_BUILD_FUZZERS=ON and clang,
# the libFuzzer binaries fuzz_<target> are built as well (the whole build is
# then instrumented, see the top CMakeLists.txt); tests/fuzz/run-fuzz.sh runs
# them.
#
# target     libraries it needs
set(PLASMA_FUZZ_TARGETS rlp signedtx call keystore wallet opbody rcbody records scenario)
set(PLASMA_FUZZ_LIBS_rlp plasma_core)
set(PLASMA_FUZZ_LIBS_signedtx plasma_core)
set(PLASMA_FUZZ_LIBS_call plasma_exitgame)
set(PLASMA_FUZZ_LIBS_keystore plasma_client)
set(PLASMA_FUZZ_LIBS_wallet plasma_client)
set(PLASMA_FUZZ_LIBS_opbody plasma_operator)
set(PLASMA_FUZZ_LIBS_rcbody plasma_rootchain)
set(PLASMA_FUZZ_LIBS_records plasma_operator plasma_exitgame)
set(PLASMA_FUZZ_LIBS_scenario plasma_sim)
set(PLASMA_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

function(plasma_fuzz_target_setup exe t)
    target_link_libraries(${exe} PRIVATE ${PLASMA_FUZZ_LIBS_${t}})
    target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/operator/src ${PROJECT_SOURCE_DIR}/exitgame/src
                                              ${PROJECT_SOURCE_DIR}/tools/sim)
endfunction()

foreach(t IN LISTS PLASMA_FUZZ_TARGETS)
    add_executable(fuzz_replay_${t} fuzz/fuzz_${t}.c fuzz/replay.c)
    plasma_fuzz_target_setup(fuzz_replay_${t} ${t})
    add_test(NAME fuzz_replay_${t} COMMAND fuzz_replay_${t} ${PLASMA_FUZZ_DIR}/corpus/${t})
    set_tests_properties(fuzz_replay_${t} PROPERTIES TIMEOUT 300)
endforeach()

# Writes the call target's valid seeds (run by hand: see tests/fuzz/README.md).
add_executable(make-call-corpus fuzz/make-call-corpus.c)
target_link_libraries(make-call-corpus PRIVATE plasma_exitgame)

if(PLASMA_BUILD_FUZZERS)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(WARNING "PLASMA_BUILD_FUZZERS needs clang (CC=clang): libFuzzer binaries not built; "
                        "the corpora still replay as tests")
    else()
        foreach(t IN LISTS PLASMA_FUZZ_TARGETS)
            add_executable(fuzz_${t} fuzz/fuzz_${t}.c)
            plasma_fuzz_target_setup(fuzz_${t} ${t})
            target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
            target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        endforeach()
    endif()
endif()
