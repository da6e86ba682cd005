# Unit tests of the protocol primitives library (core/).
plasma_add_test(test_keccak unit/test_keccak.c LIBS plasma_core)
plasma_add_test(test_core_u256 unit/test_core_u256.c LIBS plasma_core)
plasma_add_test(test_core_rlp unit/test_core_rlp.c LIBS plasma_core)
plasma_add_test(test_core_sig unit/test_core_sig.c LIBS plasma_core)
plasma_add_test(test_core_tx unit/test_core_tx.c LIBS plasma_core)
plasma_add_test(test_core_types unit/test_core_types.c LIBS plasma_core)
# The error table of docs/api.md, and every error table of the docs, agree
# with core/src/err.c.
plasma_add_test(test_err_docs unit/test_err_docs.c LIBS plasma_core TIMEOUT 30)
target_compile_definitions(test_err_docs PRIVATE PLASMA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
