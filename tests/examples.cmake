# The ethers wallet of examples/ethers-wallet, written from the protocol page
# and the docs alone: its bytes and ids against the vectors, its contract
# interface against the compiled one, then a whole session on anvil against
# plasma-deploy and plasma-operator --rootchain eth. It runs with the node and
# the npm packages of the contract tests (contracts.cmake), ethers found
# through NODE_PATH, once per suite like them.
plasma_contract_test(ethers_wallet TIMEOUT 300
                     COMMAND --test ../examples/ethers-wallet/test/vectors.test.js
                             ../examples/ethers-wallet/test/abi.test.js
                             ../examples/ethers-wallet/test/interop.test.js
                     ENV NODE_PATH=${PLASMA_CONTRACTS_DIR}/node_modules
                         PLASMA_DEPLOY=$<TARGET_FILE:plasma-deploy>
                         PLASMA_OPERATOR=$<TARGET_FILE:plasma-operator>)
