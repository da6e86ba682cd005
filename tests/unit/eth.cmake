# Unit tests of the Ethereum library (eth/): the ABI codec, transactions and
# fees against vectors from ethers, and the JSON-RPC client against a
# scripted loopback server.
plasma_add_test(test_eth_abi unit/test_eth_abi.c LIBS plasma_eth)
plasma_add_test(test_eth_tx unit/test_eth_tx.c LIBS plasma_eth)
plasma_add_test(test_eth_rpc unit/test_eth_rpc.c LIBS plasma_eth plasma_http TIMEOUT 60)
