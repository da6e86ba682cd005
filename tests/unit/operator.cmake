# Unit tests of the operator (operator/): its in-memory index and the ledger.
set(OP_UNIT_DIR ${CMAKE_CURRENT_LIST_DIR})
plasma_add_test(test_operator_hmap ${OP_UNIT_DIR}/test_operator_hmap.c LIBS plasma_operator TIMEOUT 60)
target_include_directories(test_operator_hmap PRIVATE ${OP_UNIT_DIR}/../../operator/src)
plasma_add_test(test_operator_ledger ${OP_UNIT_DIR}/test_operator_ledger.c LIBS plasma_operator TIMEOUT 120)
target_include_directories(test_operator_ledger PRIVATE ${OP_UNIT_DIR}/../../operator/src)
plasma_add_test(test_operator_reorg ${OP_UNIT_DIR}/test_operator_reorg.c LIBS plasma_operator TIMEOUT 60)
plasma_add_test(test_operator_config ${OP_UNIT_DIR}/test_operator_config.c LIBS plasma_operator plasma_exitgame TIMEOUT 30)
plasma_add_test(test_operator_sync ${OP_UNIT_DIR}/test_operator_sync.c LIBS plasma_operator plasma_rootchain TIMEOUT 60)
target_include_directories(test_operator_sync PRIVATE ${OP_UNIT_DIR}/../../operator/src)
plasma_add_test(test_operator_sync_chain ${OP_UNIT_DIR}/test_operator_sync_chain.c LIBS plasma_operator TIMEOUT 60)
target_include_directories(test_operator_sync_chain PRIVATE ${OP_UNIT_DIR}/../../operator/src)

# Integration tests: the real plasma-operator on 127.0.0.1, HTTP only.
set(OP_IT_DIR ${OP_UNIT_DIR}/../integration/operator)
function(plasma_operator_itest name)
    plasma_add_test(${name} ${OP_IT_DIR}/${name}.c ${ARGN})
    target_include_directories(${name} PRIVATE ${OP_IT_DIR})
    target_compile_definitions(${name} PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>")
    add_dependencies(${name} plasma-operator)
endfunction()
plasma_operator_itest(test_operator_api LIBS plasma_core TIMEOUT 120)
# With funds: deposits, exits and roots go through the embedded root chain,
# reached with the root-chain client library (HTTP only).
if(TARGET plasma_rootchain)
    plasma_operator_itest(test_operator_chain LIBS plasma_rootchain plasma_merkle TIMEOUT 180)
    plasma_operator_itest(test_operator_durability LIBS plasma_rootchain plasma_merkle TIMEOUT 180)
    plasma_operator_itest(test_operator_ife LIBS plasma_rootchain plasma_merkle plasma_client TIMEOUT 120)
    # The HTTP API under abuse from 127.0.0.2 and up; about a minute.
    plasma_operator_itest(test_operator_abuse LIBS plasma_rootchain plasma_merkle Threads::Threads TIMEOUT 240)
    plasma_operator_itest(test_operator_blocks LIBS plasma_rootchain TIMEOUT 60)
    if(TARGET plasma-rootchain)
        target_compile_definitions(test_operator_chain PRIVATE
                                   PLASMA_ROOTCHAIN_BIN="$<TARGET_FILE:plasma-rootchain>")
        add_dependencies(test_operator_chain plasma-rootchain)
    endif()
endif()

# Allocation failure injected at every allocation of a ledger run and an
# exit-game run (the linker's --wrap around the allocator), and secrets
# wiped before their memory is freed.
plasma_add_test(test_alloc_failure ${OP_UNIT_DIR}/test_alloc_failure.c LIBS plasma_operator plasma_exitgame TIMEOUT 600)
target_link_options(test_alloc_failure PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
                    -Wl,--wrap=free -Wl,--wrap=strdup)
