# Exit-game tests: the contract rules, gas, the call envelope, persistence
# and a long randomized run checking the contract's solvency block by block.
set(EG_TEST_LIBS plasma_exitgame plasma_merkle plasma_core)
plasma_add_test(test_exitgame_exits unit/test_exitgame_exits.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_gas unit/test_exitgame_gas.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_call unit/test_exitgame_call.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_store unit/test_exitgame_store.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_random unit/test_exitgame_random.c LIBS ${EG_TEST_LIBS} TIMEOUT 600)
plasma_add_test(test_exitgame_ife_flows unit/test_exitgame_ife_flows.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_ife_store unit/test_exitgame_ife_store.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_ife unit/test_exitgame_ife.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_ife_attacks unit/test_exitgame_ife_attacks.c LIBS ${EG_TEST_LIBS})
plasma_add_test(test_exitgame_ife_random unit/test_exitgame_ife_random.c LIBS ${EG_TEST_LIBS})
