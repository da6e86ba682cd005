# Unit tests of the Ethereum library (eth/): the ABI codec, transactions and
# fees against vectors from ethers, and the JSON-RPC client against a
# scripted loopback server.
plasma_add_test(test_eth_abi unit/test_eth_abi.c LIBS plasma_eth)
plasma_add_test(test_eth_tx unit/test_eth_tx.c LIBS plasma_eth)
plasma_add_test(test_eth_rpc unit/test_eth_rpc.c LIBS plasma_eth plasma_http TIMEOUT 60)

# Integration tests against a real anvil (contracts/node_modules, installed by
# tools/setup.sh), each starting its own on a free loopback port. They take
# about 3 s together and are the only tests that run the sender and the
# follower against a node, so they run in the sanitizer pass too; giving
# them the label "once" would keep them out of it (tools/test.sh).
set(ETH_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/../integration/eth)
set(PLASMA_ANVIL_BIN ${PROJECT_SOURCE_DIR}/contracts/node_modules/.bin/anvil)
function(plasma_eth_itest name)
    plasma_add_test(${name} ${ETH_IT_DIR}/${name}.c ${ARGN})
    target_include_directories(${name} PRIVATE ${ETH_IT_DIR})
    target_compile_definitions(${name} PRIVATE PLASMA_ANVIL_BIN="${PLASMA_ANVIL_BIN}"
                                               PLASMA_ETH_PROBE_BIN="${ETH_IT_DIR}/probe/EthProbe.bin")
endfunction()
plasma_eth_itest(test_eth_anvil_tx LIBS plasma_eth plasma_http plasma_exitgame Threads::Threads TIMEOUT 120)
plasma_eth_itest(test_eth_anvil_follow LIBS plasma_eth plasma_http plasma_exitgame Threads::Threads TIMEOUT 120)

# The operator on anvil (plasma-operator --rootchain eth, the contract
# deployed by plasma-deploy): end to end with plasma-deploy and the start's
# checks and an in-flight exit (about 3 s, both passes: the sanitizer build runs the daemons
# instrumented), and its faults (anvil restarted, reorganisations, an
# endpoint that fails or stalls: about 20 s of waiting, once).
function(plasma_operator_eth_itest name)
    plasma_eth_itest(${name} ${ARGN})
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../integration/operator)
    target_compile_definitions(${name} PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>"
                                               PLASMA_DEPLOY_BIN="$<TARGET_FILE:plasma-deploy>"
                                               PLASMA_CONTRACTS_OUT="${PROJECT_SOURCE_DIR}/contracts/out")
    add_dependencies(${name} plasma-operator plasma-deploy)
endfunction()
foreach(name test_operator_eth test_operator_eth_faults)
    plasma_operator_eth_itest(${name} LIBS plasma_eth plasma_http plasma_rootchain plasma_merkle plasma_client
                              Threads::Threads TIMEOUT 180)
endforeach()
set_tests_properties(test_operator_eth_faults PROPERTIES LABELS once)

# The committed vectors and probe bytecode are what their generators make.
# No C code runs in these: once is enough.
find_program(PLASMA_NODE node)
add_test(NAME eth_vectors_current
         COMMAND sh -c "out=$(mktemp) && \"$0\" \"$1\" \"$out\" && cmp \"$out\" \"$2\"; rc=$?; rm -f \"$out\"; exit $rc"
                 ${PLASMA_NODE} ${PLASMA_VECTORS_DIR}/gen-abi-encoding.js ${PLASMA_VECTORS_DIR}/abi-encoding.json)
add_test(NAME eth_probe_bytecode COMMAND ${PLASMA_NODE} ${ETH_IT_DIR}/probe/build-probe.js --check)
set_tests_properties(eth_vectors_current eth_probe_bytecode PROPERTIES LABELS once TIMEOUT 60)

# The wallet CLI and the watcher on anvil (plasma --rootchain eth): the same
# daemons and the real `plasma` binary; about 10 s each, 30 s under the
# sanitizers on a loaded machine.
foreach(name test_client_eth test_watcher_eth)
    plasma_operator_eth_itest(${name} LIBS plasma_eth plasma_http plasma_rootchain plasma_merkle plasma_client
                              Threads::Threads TIMEOUT 240)
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../integration/client)
    target_compile_definitions(${name} PRIVATE PLASMA_CLI_BIN="$<TARGET_FILE:plasma>")
    add_dependencies(${name} plasma)
endforeach()
