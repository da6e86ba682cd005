# Tests of the root-chain node (rootchain/): its JSON API over a loopback
# server, the node's lifecycle, and the plasma-rootchain daemon itself.
set(RC_UNIT_DIR ${CMAKE_CURRENT_LIST_DIR})
plasma_add_test(test_rootchain_api ${RC_UNIT_DIR}/test_rootchain_api.c LIBS plasma_rootchain TIMEOUT 60)
plasma_add_test(test_rootchain_node ${RC_UNIT_DIR}/test_rootchain_node.c LIBS plasma_rootchain TIMEOUT 60)
plasma_add_test(test_rootchain_ife ${RC_UNIT_DIR}/test_rootchain_ife.c LIBS plasma_rootchain TIMEOUT 60)

# Integration tests: the real plasma-rootchain on 127.0.0.1 with a temporary
# data directory.
set(RC_IT_DIR ${RC_UNIT_DIR}/../integration/rootchain)
function(plasma_rootchain_itest name)
    plasma_add_test(${name} ${RC_IT_DIR}/${name}.c ${ARGN})
    target_include_directories(${name} PRIVATE ${RC_IT_DIR} ${RC_UNIT_DIR})
    target_compile_definitions(${name} PRIVATE PLASMA_ROOTCHAIN_BIN="$<TARGET_FILE:plasma-rootchain>")
    add_dependencies(${name} plasma-rootchain)
endfunction()
plasma_rootchain_itest(test_rootchain_cli LIBS plasma_rootchain TIMEOUT 60)
plasma_rootchain_itest(test_rootchain_crash LIBS plasma_rootchain TIMEOUT 120)
plasma_rootchain_itest(test_rootchain_abuse LIBS plasma_rootchain TIMEOUT 180)
