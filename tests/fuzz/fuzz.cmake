# Fuzz targets of the decoders (tests/fuzz/fuzz_<target>.c).
#
# With any compiler, each target's committed corpus is replayed as an
# ordinary test, fuzz_replay_<target>. With PLASMA_BUILD_FUZZERS=ON and clang,
# the libFuzzer binaries fuzz_<target> are built as well, against a copy of
# plasma_core instrumented for coverage; tests/fuzz/run-fuzz.sh runs them.
# The call target's decoder (exitgame/src/call.c) needs only plasma_core: the
# fuzzer compiles that one file in, instrumented, instead of the exit game.
set(PLASMA_FUZZ_TARGETS rlp signedtx call)
set(PLASMA_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(PLASMA_FUZZ_call_LIBS plasma_exitgame)
set(PLASMA_FUZZ_call_SOURCES ${PROJECT_SOURCE_DIR}/exitgame/src/call.c)
set(PLASMA_FUZZ_call_INCLUDES ${PROJECT_SOURCE_DIR}/exitgame/include ${PROJECT_SOURCE_DIR}/exitgame/src
                             ${PROJECT_SOURCE_DIR}/merkle/include)

foreach(t IN LISTS PLASMA_FUZZ_TARGETS)
    add_executable(fuzz_replay_${t} fuzz/fuzz_${t}.c fuzz/replay.c)
    target_link_libraries(fuzz_replay_${t} PRIVATE plasma_core ${PLASMA_FUZZ_${t}_LIBS})
    add_test(NAME fuzz_replay_${t} COMMAND fuzz_replay_${t} ${PLASMA_FUZZ_DIR}/corpus/${t})
    set_tests_properties(fuzz_replay_${t} PROPERTIES TIMEOUT 300)
endforeach()

# Writes the call target's seeds (run by hand: see tests/fuzz/README.md).
add_executable(make-call-corpus fuzz/make-call-corpus.c)
target_link_libraries(make-call-corpus PRIVATE plasma_exitgame)

# plasma_core's sources compiled again with libFuzzer's coverage
# instrumentation, so that the fuzzers are guided by the decoders' branches.
function(plasma_add_instrumented_core name flags)
    get_target_property(srcs plasma_core SOURCES)
    get_target_property(dir plasma_core SOURCE_DIR)
    set(abs_srcs "")
    foreach(s IN LISTS srcs)
        if(IS_ABSOLUTE "${s}")
            list(APPEND abs_srcs "${s}")
        else()
            list(APPEND abs_srcs "${dir}/${s}")
        endif()
    endforeach()
    get_target_property(incs plasma_core INTERFACE_INCLUDE_DIRECTORIES)
    get_target_property(libs plasma_core INTERFACE_LINK_LIBRARIES)
    add_library(${name} STATIC ${abs_srcs})
    target_include_directories(${name} PUBLIC ${incs})
    target_link_libraries(${name} PUBLIC ${libs})
    target_compile_options(${name} PRIVATE ${flags} -fsanitize=fuzzer-no-link)
endfunction()

if(PLASMA_BUILD_FUZZERS)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(WARNING "PLASMA_BUILD_FUZZERS needs clang (CC=clang): libFuzzer binaries not built; "
                        "the corpora still replay as tests")
    else()
        set(sanitize -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
        plasma_add_instrumented_core(plasma_core_fuzz "${sanitize}")
        foreach(t IN LISTS PLASMA_FUZZ_TARGETS)
            add_executable(fuzz_${t} fuzz/fuzz_${t}.c ${PLASMA_FUZZ_${t}_SOURCES})
            target_include_directories(fuzz_${t} PRIVATE ${PLASMA_FUZZ_${t}_INCLUDES})
            target_compile_options(fuzz_${t} PRIVATE ${sanitize} -fsanitize=fuzzer)
            target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer,address,undefined)
            target_link_libraries(fuzz_${t} PRIVATE plasma_core_fuzz)
        endforeach()
    endif()
endif()
