# Tests of the wallet library (client/): keystores, amounts, coin selection.
set(CLIENT_UNIT_DIR ${CMAKE_CURRENT_LIST_DIR})
set(CLIENT_FIXTURES ${CLIENT_UNIT_DIR}/../fixtures/keystore)
plasma_add_test(test_client_keystore ${CLIENT_UNIT_DIR}/test_client_keystore.c LIBS plasma_client TIMEOUT 60)
target_compile_definitions(test_client_keystore PRIVATE PLASMA_KEYSTORE_FIXTURES="${CLIENT_FIXTURES}")
plasma_add_test(test_client_amount ${CLIENT_UNIT_DIR}/test_client_amount.c LIBS plasma_client TIMEOUT 60)
plasma_add_test(test_client_payment ${CLIENT_UNIT_DIR}/test_client_payment.c LIBS plasma_client TIMEOUT 60)
# The wallet's records of the txs it sends: torn lines, malformed lines, modes.
plasma_add_test(test_client_records ${CLIENT_UNIT_DIR}/test_client_records.c LIBS plasma_client TIMEOUT 60)
# A fake operator beside an in-process root chain: forged exit data is refused.
plasma_add_test(test_client_exitdata ${CLIENT_UNIT_DIR}/test_client_exitdata.c LIBS plasma_client TIMEOUT 60)
# The watcher's view on its LevelDB, through a tiny cache.
plasma_add_test(test_client_watch_view ${CLIENT_UNIT_DIR}/test_client_watch_view.c LIBS plasma_client TIMEOUT 120)
target_include_directories(test_client_watch_view PRIVATE ${CLIENT_UNIT_DIR}/../../client/src)
# The watcher store's undo of writes a root-chain reorganisation removed.
plasma_add_test(test_client_watch_store ${CLIENT_UNIT_DIR}/test_client_watch_store.c LIBS plasma_client TIMEOUT 60)
target_include_directories(test_client_watch_store PRIVATE ${CLIENT_UNIT_DIR}/../../client/src)

# The operator's ledger and the watcher give the same verdicts (one set of rules).
plasma_add_test(test_rules_agree ${CLIENT_UNIT_DIR}/test_rules_agree.c LIBS plasma_client plasma_operator TIMEOUT 60)
target_include_directories(test_rules_agree PRIVATE ${CLIENT_UNIT_DIR} ${CLIENT_UNIT_DIR}/../../client/src)

# Integration: the real `plasma` CLI against the real plasma-operator --dev.
if(TARGET plasma-operator)
    set(CLIENT_IT_DIR ${CLIENT_UNIT_DIR}/../integration/client)
    plasma_add_test(test_client_cli ${CLIENT_IT_DIR}/test_client_cli.c LIBS plasma_client TIMEOUT 120)
    target_include_directories(test_client_cli PRIVATE ${CLIENT_IT_DIR} ${CLIENT_UNIT_DIR}/../integration/operator)
    target_compile_definitions(test_client_cli PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>"
                                                       PLASMA_CLI_BIN="$<TARGET_FILE:plasma>"
                                                       PLASMA_KEYSTORE_FIXTURES="${CLIENT_FIXTURES}")
    add_dependencies(test_client_cli plasma-operator plasma)
    plasma_add_test(test_client_watch ${CLIENT_IT_DIR}/test_client_watch.c LIBS plasma_client plasma_leveldb TIMEOUT 180)
    target_include_directories(test_client_watch PRIVATE ${CLIENT_IT_DIR} ${CLIENT_UNIT_DIR}/../integration/operator)
    target_compile_definitions(test_client_watch PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>"
                                                         PLASMA_CLI_BIN="$<TARGET_FILE:plasma>")
    add_dependencies(test_client_watch plasma-operator plasma)
    # In-flight exits: the CLI and the watcher on a plasma-rootchain daemon
    # beside an operator that can be stopped.
    plasma_add_test(test_client_ife ${CLIENT_IT_DIR}/test_client_ife.c LIBS plasma_client TIMEOUT 240)
    target_include_directories(test_client_ife PRIVATE ${CLIENT_IT_DIR} ${CLIENT_UNIT_DIR}/../integration/operator)
    target_compile_definitions(test_client_ife PRIVATE PLASMA_OPERATOR_BIN="$<TARGET_FILE:plasma-operator>"
                                                       PLASMA_ROOTCHAIN_BIN="$<TARGET_FILE:plasma-rootchain>"
                                                       PLASMA_CLI_BIN="$<TARGET_FILE:plasma>")
    add_dependencies(test_client_ife plasma-operator plasma-rootchain plasma)
endif()
