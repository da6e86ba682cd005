# Unit tests of the Merkle tree (merkle/): the protocol vectors, and property
# tests against a reference tree that materialises all 65,536 leaves.
plasma_add_test(test_merkle unit/test_merkle.c LIBS plasma_merkle)
plasma_add_test(test_merkle_props unit/test_merkle_props.c LIBS plasma_merkle Threads::Threads)
