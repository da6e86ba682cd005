# The Solidity contract (contracts/): its build is reproducible, its tests
# pass on anvil, and it agrees with the simulated chain call for call. They
# run with node and the npm packages tools/setup.sh installs into
# contracts/node_modules, once per suite: not again in the sanitizer build,
# whose C code they do not exercise.
find_program(PLASMA_NODE node)
set(PLASMA_CONTRACTS_DIR ${PROJECT_SOURCE_DIR}/contracts)
if(NOT PLASMA_NODE OR NOT EXISTS ${PLASMA_CONTRACTS_DIR}/node_modules/.bin/anvil)
    message(FATAL_ERROR "the contract tests need node and contracts/node_modules: run tools/setup.sh, "
                        "or configure with -DPLASMA_CONTRACT_TESTS=OFF")
endif()

# plasma_contract_test(NAME TIMEOUT seconds COMMAND args...)
function(plasma_contract_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;ENV" ${ARGN})
    add_test(NAME ${name} COMMAND ${PLASMA_NODE} ${T_COMMAND} WORKING_DIRECTORY ${PLASMA_CONTRACTS_DIR})
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS contracts)
    if(T_ENV)
        set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
    endif()
endfunction()

plasma_contract_test(contracts_build TIMEOUT 300 COMMAND build.js --check)
foreach(suite standard inflight payments vectors)
    plasma_contract_test(contracts_${suite} TIMEOUT 300 COMMAND --test test/${suite}.test.js)
endforeach()
plasma_contract_test(contracts_differential TIMEOUT 900 COMMAND --test test/diff.test.js
                     ENV PLASMA_ROOTCHAIN=$<TARGET_FILE:plasma-rootchain>)
plasma_contract_test(contracts_gas TIMEOUT 300 COMMAND test/gas.js --check
                     ENV PLASMA_ROOTCHAIN=$<TARGET_FILE:plasma-rootchain>)
