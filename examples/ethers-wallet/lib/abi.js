'use strict';
// The Plasma contract's interface as the protocol page (§9) and the project's
// docs (docs/inflight.md "Views", docs/contracts.md) describe it, in ethers'
// human-readable form; and the development token's (docs/contracts.md).

const FUNCTIONS = [
    'function deposit(address token, uint256 amount) payable',
    'function submitBlock(bytes32 root)',
    'function startStandardExit(uint256 utxoPos, bytes tx, bytes proof) payable',
    'function challengeStandardExit(uint256 exitId, bytes challengeTx, uint256 inputIndex)',
    'function startInFlightExit(bytes tx, bytes[] inputTxs, uint256[] inputUtxoPos, bytes[] inputProofs) payable',
    'function piggybackInFlightExitOnInput(bytes tx, uint256 inputIndex) payable',
    'function piggybackInFlightExitOnOutput(bytes tx, uint256 outputIndex) payable',
    'function challengeInFlightExitNotCanonical(bytes tx, uint256 inputIndex, bytes competingTx, uint256 competingInputIndex, uint256 competitorPos, bytes competitorProof)',
    'function respondToNonCanonicalChallenge(bytes tx, uint256 txPos, bytes proof)',
    'function challengeInFlightExitInputSpent(bytes tx, uint256 inputIndex, bytes spendingTx, uint256 spendingInputIndex)',
    'function challengeInFlightExitOutputSpent(bytes tx, uint256 outputUtxoPos, bytes proof, bytes spendingTx, uint256 spendingInputIndex)',
    'function deleteNonPiggybackedInFlightExit(uint256 ifeId)',
    'function processExits(address token, uint256 maxExits)',
    'function withdraw(address token)',
];

const VIEWS = [
    'function operator() view returns (address)',
    'function minExitPeriod() view returns (uint256)',
    'function exitBond() view returns (uint256)',
    'function ifeBond() view returns (uint256)',
    'function piggybackBond() view returns (uint256)',
    'function nextChildBlock() view returns (uint256)',
    'function nextDepositBlock() view returns (uint256)',
    'function blocks(uint256 blknum) view returns (bytes32 root, uint256 timestamp)',
    'function exits(uint256 exitId) view returns (address owner, address token, uint256 amount, uint256 exitableAt, bytes32 outputId, uint8 state, bool queued)',
    'function inFlightExits(uint256 ifeId) view returns (uint256 exitableAt, uint256 start, uint256 youngest, uint256 oldestCompetitor, address bondOwner, bool canonical, uint8 inputsPiggybacked, uint8 outputsPiggybacked, uint8 nInputs, uint8 nOutputs, uint8 pendingTokens, uint8 exitPath)',
    'function finalized(bytes32 outputId) view returns (uint256)',
    'function queueLength(address token) view returns (uint256)',
    'function queueHead(address token) view returns (uint256 exitableAt, uint256 exitId)',
    'function withdrawable(address owner, address token) view returns (uint256)',
    'function domainSeparator() view returns (bytes32)',
];

// docs/inflight.md, "Views": beyond §9's list.
const IFE_VIEWS = [
    'function inFlightExitInput(uint256 ifeId, uint256 index) view returns (bytes32 outputId, address owner, address token, uint256 amount)',
    'function inFlightExitOutput(uint256 ifeId, uint256 index) view returns (bytes32 outputId, address owner, address token, uint256 amount)',
];

const EVENTS = [
    'event DepositCreated(address indexed depositor, uint256 indexed blknum, address indexed token, uint256 amount)',
    'event BlockSubmitted(uint256 indexed blknum, bytes32 root, uint256 timestamp)',
    'event ExitStarted(address indexed owner, uint256 indexed exitId, address token, uint256 amount)',
    'event ExitChallenged(uint256 indexed exitId, address challenger)',
    'event ExitFinalized(uint256 indexed exitId)',
    'event InFlightExitStarted(address indexed initiator, uint256 indexed ifeId, bytes32 txhash)',
    'event InFlightExitInputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index)',
    'event InFlightExitOutputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index)',
    'event InFlightExitChallenged(address indexed challenger, uint256 indexed ifeId, uint256 position)',
    'event InFlightExitChallengeResponded(address indexed responder, uint256 indexed ifeId, uint256 txPos)',
    'event InFlightExitInputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index)',
    'event InFlightExitOutputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index)',
    'event InFlightExitInputWithdrawn(uint256 indexed ifeId, uint256 index)',
    'event InFlightExitOutputWithdrawn(uint256 indexed ifeId, uint256 index)',
    'event InFlightExitFinalized(uint256 indexed ifeId)',
    'event InFlightExitDeleted(uint256 indexed ifeId)',
    'event PaymentDeferred(address indexed owner, address indexed token, uint256 amount)',
    'event Withdrawal(address indexed owner, address indexed token, uint256 amount)',
];

// §9: one custom error per error code of the root chain, in CamelCase
// (docs/api.md lists the codes), plus the contract's own (docs/contracts.md).
// Declared so that ethers names a revert instead of printing its selector.
const ERROR_CODES = [
    'malformed_tx', 'amounts_do_not_add_up', 'bad_signature', 'overflow', 'not_operator', 'insufficient_funds',
    'bad_bond', 'bad_proof', 'not_owner', 'exit_exists', 'output_finalized', 'block_not_found', 'exit_not_found',
    'exit_not_active', 'bad_challenge', 'deposit_limit', 'bad_amount', 'bad_call', 'payment_failed', 'bad_inputs',
    'bad_input_tx', 'ife_exists', 'ife_not_found', 'first_phase_over', 'first_phase_not_over', 'bad_index',
    'already_piggybacked', 'not_piggybacked', 'bad_competitor', 'not_older', 'ife_processing', 'ife_piggybacked',
    'nothing_to_withdraw', 'out_of_gas', 'reentered', 'config',
];
const camel = (code) => code.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const ERRORS = ERROR_CODES.map((c) => `error ${camel(c)}()`);

const PLASMA_ABI = [...FUNCTIONS, ...VIEWS, ...IFE_VIEWS, ...EVENTS, ...ERRORS];

// docs/contracts.md: TestToken, a plain ERC-20 anyone may mint.
const TEST_TOKEN_ABI = [
    'constructor(string name, string symbol)',
    'function mint(address to, uint256 amount)',
    'function approve(address spender, uint256 amount) returns (bool)',
    'function transfer(address to, uint256 amount) returns (bool)',
    'function balanceOf(address owner) view returns (uint256)',
    'function allowance(address owner, address spender) view returns (uint256)',
];

module.exports = { PLASMA_ABI, FUNCTIONS, VIEWS, EVENTS, TEST_TOKEN_ABI };
