// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ExitQueue} from "./lib/ExitQueue.sol";
import {Merkle} from "./lib/Merkle.sol";
import {PaymentTx} from "./lib/PaymentTx.sol";
import {Rlp} from "./lib/Rlp.sol";

/// @title The Plasma exit game of PROTOCOL §6, §6b and §9
/// @notice Deposits, child blocks, standard exits, in-flight exits (More Viable Plasma) and their
/// processing through one priority queue per token. The simulated root chain of exitgame/ runs the
/// same rules with the same check order and error codes (docs/inflight.md, docs/rootchain-calls.md);
/// each custom error is the CamelCase form of the code the simulated chain refuses the call with.
/// @dev Payments never block the queue: every payment out of the contract goes through _pay, which
/// credits withdrawable[owner][token] when the transfer fails. Paying functions follow
/// checks-effects-interactions (every state change first, then the payments, each followed by the
/// event that reports it) behind one lock.
contract PlasmaRootChain {
    using ExitQueue for ExitQueue.Queue;

    // ---- errors (core/src/err.c and docs/inflight.md) ----

    error NotOperator();
    error InsufficientFunds();
    error BadBond();
    error BadProof();
    error NotOwner();
    error ExitExists();
    error OutputFinalized();
    error BlockNotFound();
    error ExitNotFound();
    error ExitNotActive();
    error BadChallenge();
    error DepositLimit();
    error BadAmount();
    error BadCall();
    error BadSignature();
    error MalformedTx();
    error AmountsDoNotAddUp();
    error Overflow();
    error OutOfGas();
    error Config();
    error BadInputs();
    error BadInputTx();
    error IfeExists();
    error IfeNotFound();
    error FirstPhaseOver();
    error FirstPhaseNotOver();
    error BadIndex();
    error AlreadyPiggybacked();
    error NotPiggybacked();
    error BadCompetitor();
    error NotOlder();
    error IfeProcessing();
    error IfePiggybacked();
    error NothingToWithdraw();
    error PaymentFailed();
    /// @dev The contract's own: a paying function entered again while it runs.
    error Reentered();

    // ---- events (§9) ----

    event DepositCreated(address indexed depositor, uint256 indexed blknum, address indexed token, uint256 amount);
    event BlockSubmitted(uint256 indexed blknum, bytes32 root, uint256 timestamp);
    event ExitStarted(address indexed owner, uint256 indexed exitId, address token, uint256 amount);
    event ExitChallenged(uint256 indexed exitId, address challenger);
    event ExitFinalized(uint256 indexed exitId);
    event InFlightExitStarted(address indexed initiator, uint256 indexed ifeId, bytes32 txhash);
    event InFlightExitInputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index);
    event InFlightExitOutputPiggybacked(address indexed owner, uint256 indexed ifeId, uint256 index);
    event InFlightExitChallenged(address indexed challenger, uint256 indexed ifeId, uint256 position);
    event InFlightExitChallengeResponded(address indexed responder, uint256 indexed ifeId, uint256 txPos);
    event InFlightExitInputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index);
    event InFlightExitOutputBlocked(address indexed challenger, uint256 indexed ifeId, uint256 index);
    event InFlightExitInputWithdrawn(uint256 indexed ifeId, uint256 index);
    event InFlightExitOutputWithdrawn(uint256 indexed ifeId, uint256 index);
    event InFlightExitFinalized(uint256 indexed ifeId);
    event InFlightExitDeleted(uint256 indexed ifeId);
    event PaymentDeferred(address indexed owner, address indexed token, uint256 amount);
    event Withdrawal(address indexed owner, address indexed token, uint256 amount);

    // ---- constants ----

    uint256 private constant CHILD_BLOCK_INTERVAL = 1000;
    address private constant ETH = address(0);
    /// @dev Keeps every exitable_at within the 64 bits of a queue entry (about 136 years).
    uint256 private constant MAX_EXIT_PERIOD = type(uint32).max;
    /// @dev Gas a payment may use: ETH to a recipient (on top of the 2,300 stipend), a token's transfer.
    uint256 private constant ETH_PAYMENT_GAS = 10_000;
    uint256 private constant TOKEN_PAYMENT_GAS = 100_000;
    /// @dev Gas a payment needs beyond its limit: the call itself and crediting a failed payment.
    uint256 private constant PAYMENT_RESERVE = 60_000;
    /// @dev oldestCompetitor of a competitor that was never included (2^256 − 1 in views and events).
    uint64 private constant NEVER_INCLUDED = type(uint64).max;
    uint256 private constant IFE_ID_FLAG = 1 << 255;
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    uint8 private constant EXIT_NONE = 0;
    uint8 private constant EXIT_IN_PROGRESS = 1;
    uint8 private constant EXIT_CHALLENGED = 2;
    uint8 private constant EXIT_FINALIZED = 3;
    uint8 private constant EXIT_SUPERSEDED = 4;

    uint8 private constant PATH_UNDECIDED = 0;
    uint8 private constant PATH_OUTPUTS = 1;
    uint8 private constant PATH_INPUTS = 2;

    uint256 private constant MAX_IO = 4;
    uint256 private constant BLOCKED_SHIFT = 4; // a blocked piggyback's bit in the bitmaps
    uint8 private constant STANDING = 0x0f;

    uint8 private constant THEN_NOTHING = 0;
    uint8 private constant THEN_EXIT_FINALIZED = 1;
    uint8 private constant THEN_OUTPUT_WITHDRAWN = 2;
    uint8 private constant THEN_INPUT_WITHDRAWN = 3;
    uint8 private constant THEN_IFE_FINALIZED = 4;
    /// @dev The payments one popped entry can make: 4 payouts, 8 piggyback bonds, the IFE bond.
    uint256 private constant MAX_PAYMENTS = 13;

    // ---- storage ----

    struct Counters {
        uint64 nextChildBlock;
        uint64 nextDeposit; // 1..999: the deposit's offset after the last child block
    }

    struct Block {
        bytes32 root;
        uint256 timestamp;
    }

    struct Exit {
        address owner;
        uint64 exitableAt;
        uint8 state;
        bool queued;
        address token;
        uint256 amount;
        bytes32 outputId;
    }

    struct OutputRecord {
        bytes32 outputId;
        address owner;
        address token;
        uint256 amount;
    }

    struct InFlightExit {
        uint64 exitableAt;
        uint64 start; // 0: no open in-flight exit
        uint64 youngest;
        bool canonical;
        uint8 inputsPiggybacked; // bit i: input i piggybacked; bit 4 + i: its piggyback was blocked
        uint8 outputsPiggybacked; // the same for the outputs
        uint8 nInputs;
        uint8 nOutputs;
        uint8 pendingTokens; // token queues still holding it
        uint8 exitPath;
        address bondOwner;
        uint64 oldestCompetitor; // 0 none, NEVER_INCLUDED, or a position
        OutputRecord[4] inputs;
        OutputRecord[4] outputs; // written when piggybacked
    }

    /// @dev A payment of a popped queue entry and the event that follows it.
    struct Payment {
        address to;
        address token;
        uint256 amount;
        uint8 then; // THEN_*: the event emitted after the payment
        uint256 index; // the event's index argument
    }

    /// @notice The operator: the deployer, the only account that submits child blocks.
    address public immutable operator;
    /// @notice MIN_EXIT_PERIOD of §6, in seconds.
    uint256 public immutable minExitPeriod;
    /// @notice The bond of a standard exit, in wei.
    uint256 public immutable exitBond;
    /// @notice The bond of an in-flight exit, in wei.
    uint256 public immutable ifeBond;
    /// @notice The bond of a piggyback, in wei.
    uint256 public immutable piggybackBond;
    /// @notice The EIP-712 domain separator of §4 (name "Plasma", version "1", this chain and contract).
    bytes32 public immutable domainSeparator;

    Counters private counters;
    /// @notice A child or deposit block: its root and the timestamp of its submission (0: none).
    mapping(uint256 blknum => Block) public blocks;
    mapping(uint256 exitId => Exit) private exitRecords;
    mapping(uint256 ifeId => InFlightExit) private ifes;
    /// @notice 0, or the id of the exit that finalized the output (standard or in-flight).
    mapping(bytes32 outputId => uint256 exitId) public finalized;
    mapping(address token => ExitQueue.Queue) private queues;
    /// @notice Deferred payments, claimed with withdraw(token).
    mapping(address owner => mapping(address token => uint256)) public withdrawable;
    uint256 private transient lock;

    modifier nonReentrant() {
        if (lock != 0) revert Reentered();
        lock = 1;
        _;
        lock = 0;
    }

    /// @notice Deploys the contract; the deployer becomes the operator.
    /// @param minExitPeriod_ MIN_EXIT_PERIOD in seconds (at most 2^32 − 1).
    /// @param exitBond_ The standard-exit bond in wei.
    /// @param ifeBond_ The in-flight-exit bond in wei.
    /// @param piggybackBond_ The piggyback bond in wei.
    constructor(uint256 minExitPeriod_, uint256 exitBond_, uint256 ifeBond_, uint256 piggybackBond_) {
        if (minExitPeriod_ > MAX_EXIT_PERIOD) revert Config();
        operator = msg.sender;
        minExitPeriod = minExitPeriod_;
        exitBond = exitBond_;
        ifeBond = ifeBond_;
        piggybackBond = piggybackBond_;
        domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Plasma"), keccak256("1"), block.chainid, address(this))
        );
        counters = Counters(uint64(CHILD_BLOCK_INTERVAL), 1);
    }

    // ======== deposits and blocks ========

    /// @notice Moves funds into the contract and creates a deposit block whose only transaction
    /// pays them to the caller.
    /// @param token 0 for ETH (msg.value must equal amount), else an ERC-20 the caller has approved.
    /// @param amount The amount in wei or token units, not 0.
    function deposit(address token, uint256 amount) external payable nonReentrant {
        if (amount == 0 || msg.value != (token == ETH ? amount : 0)) revert BadAmount();
        Counters memory c = counters;
        if (c.nextDeposit >= CHILD_BLOCK_INTERVAL) revert DepositLimit();
        uint256 blknum = c.nextChildBlock - CHILD_BLOCK_INTERVAL + c.nextDeposit;
        blocks[blknum] = Block(Merkle.singleLeafRoot(depositTx(msg.sender, token, amount)), block.timestamp);
        counters.nextDeposit = c.nextDeposit + 1;
        emit DepositCreated(msg.sender, blknum, token, amount);
        if (token != ETH && !pullToken(token, msg.sender, amount)) revert InsufficientFunds();
    }

    /// @notice Stores a child block's root at the next multiple of 1,000; the operator only.
    /// @param root The block's Merkle root (§5).
    function submitBlock(bytes32 root) external {
        if (msg.sender != operator) revert NotOperator();
        uint256 blknum = counters.nextChildBlock;
        if (blknum > PaymentTx.MAX_BLKNUM + 1 - CHILD_BLOCK_INTERVAL) revert Overflow();
        blocks[blknum] = Block(root, block.timestamp);
        counters = Counters(uint64(blknum + CHILD_BLOCK_INTERVAL), 1);
        emit BlockSubmitted(blknum, root, block.timestamp);
    }

    // ======== standard exits ========

    /// @notice Starts the standard exit of an output the caller owns; msg.value is the exit bond.
    /// @param utxoPos The output's position; it becomes the exit's id.
    /// @param txBytes rlp(UnsignedTx) of the transaction that created the output.
    /// @param proof Its 512-byte inclusion proof under the stored root of the output's block.
    function startStandardExit(uint256 utxoPos, bytes calldata txBytes, bytes calldata proof) external payable {
        if (msg.value != exitBond) revert BadBond();
        Block memory blk = blocks[PaymentTx.blknum(utxoPos)];
        if (blk.timestamp == 0) revert BlockNotFound();
        (PaymentTx.Output memory out, bytes32 outputId) = exitingOutput(utxoPos, txBytes, blk.root, proof);
        uint256 when = block.timestamp + minExitPeriod;
        if (PaymentTx.blknum(utxoPos) % CHILD_BLOCK_INTERVAL == 0) when = max(blk.timestamp + 2 * minExitPeriod, when);
        exitRecords[utxoPos] =
            Exit(out.owner, uint64(when), EXIT_IN_PROGRESS, true, out.token, out.amount, outputId);
        queues[out.token].push(ExitQueue.entry(when, utxoPos, utxoPos, false));
        emit ExitStarted(out.owner, utxoPos, out.token, out.amount);
    }

    /// @notice Challenges a standard exit with a transaction that spends its output, signed by the
    /// exit's owner; the exit is never paid and its bond goes to the caller.
    /// @param exitId The exit (its utxoPos).
    /// @param challengeTx rlp(SignedTx) spending the output; it need not be in any block.
    /// @param inputIndex The input of challengeTx that spends the output.
    function challengeStandardExit(uint256 exitId, bytes calldata challengeTx, uint256 inputIndex)
        external
        nonReentrant
    {
        Exit storage e = exitRecords[exitId];
        if (e.state == EXIT_NONE) revert ExitNotFound();
        if (e.state != EXIT_IN_PROGRESS) revert ExitNotActive();
        (bool ok, PaymentTx.Transaction memory t) = PaymentTx.decodeSigned(challengeTx);
        if (!ok || inputIndex >= t.inputs.length || t.inputs[inputIndex] != exitId) revert BadChallenge();
        if (PaymentTx.signer(t, PaymentTx.digest(t, domainSeparator), inputIndex) != e.owner) revert BadSignature();
        e.state = EXIT_CHALLENGED;
        _pay(msg.sender, ETH, exitBond);
        emit ExitChallenged(exitId, msg.sender);
    }

    // ======== in-flight exits ========

    /// @notice Starts an in-flight exit of a signed payment; msg.value is the IFE bond.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param inputTxs rlp(UnsignedTx) of the transaction that created each input, in input order.
    /// @param inputUtxoPos Each input's position, equal to the transaction's inputs.
    /// @param inputProofs Each input transaction's inclusion proof at that position.
    function startInFlightExit(
        bytes calldata txBytes,
        bytes[] calldata inputTxs,
        uint256[] calldata inputUtxoPos,
        bytes[] calldata inputProofs
    ) external payable {
        if (msg.value != ifeBond) revert BadBond();
        (bool ok, PaymentTx.Transaction memory t) = PaymentTx.decodeSigned(txBytes);
        if (!ok) revert MalformedTx();
        uint256 n = t.inputs.length;
        if (inputTxs.length != n || inputUtxoPos.length != n || inputProofs.length != n) revert BadInputs();
        for (uint256 i = 0; i < n; i++) {
            if (inputUtxoPos[i] != t.inputs[i]) revert BadInputs();
        }
        uint256 id = ifeIdOf(t);
        if (ifes[id].start != 0) revert IfeExists();
        (OutputRecord[] memory ins, uint256 youngest, uint256 youngestTimestamp) = provenInputs(t, inputTxs, inputProofs);
        checkAmounts(t.outputs, ins);

        InFlightExit storage f = ifes[id];
        f.exitableAt = uint64(max(youngestTimestamp + 2 * minExitPeriod, block.timestamp + minExitPeriod));
        f.start = uint64(block.timestamp);
        f.youngest = uint64(youngest);
        f.canonical = true;
        f.nInputs = uint8(n);
        f.nOutputs = uint8(t.outputs.length);
        f.bondOwner = msg.sender;
        for (uint256 i = 0; i < n; i++) {
            f.inputs[i] = ins[i];
        }
        emit InFlightExitStarted(msg.sender, id, PaymentTx.txHash(t));
    }

    /// @notice Piggybacks an input of an in-flight exit, so that it can exit through it; the
    /// caller owns the input; msg.value is the piggyback bond. First phase only.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param inputIndex The input.
    function piggybackInFlightExitOnInput(bytes calldata txBytes, uint256 inputIndex) external payable {
        (uint256 id, InFlightExit storage f,) = piggybackTarget(txBytes);
        if (inputIndex >= f.nInputs) revert BadIndex();
        OutputRecord storage r = f.inputs[inputIndex];
        if (r.owner != msg.sender) revert NotOwner();
        if (!piggybackable(f.inputsPiggybacked, inputIndex)) revert AlreadyPiggybacked();
        enqueueToken(f, id, r.token);
        f.inputsPiggybacked |= uint8(1 << inputIndex);
        emit InFlightExitInputPiggybacked(msg.sender, id, inputIndex);
    }

    /// @notice Piggybacks an output of an in-flight exit; the caller owns the output; msg.value is
    /// the piggyback bond. First phase only.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param outputIndex The output.
    function piggybackInFlightExitOnOutput(bytes calldata txBytes, uint256 outputIndex) external payable {
        (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t) = piggybackTarget(txBytes);
        if (outputIndex >= f.nOutputs) revert BadIndex();
        PaymentTx.Output memory o = t.outputs[outputIndex];
        if (o.owner != msg.sender) revert NotOwner();
        if (!piggybackable(f.outputsPiggybacked, outputIndex)) revert AlreadyPiggybacked();
        enqueueToken(f, id, o.token);
        f.outputsPiggybacked |= uint8(1 << outputIndex);
        f.outputs[outputIndex] = OutputRecord(PaymentTx.outputId(t, outputIndex, 0), o.owner, o.token, o.amount);
        emit InFlightExitOutputPiggybacked(msg.sender, id, outputIndex);
    }

    /// @notice Shows that an in-flight transaction is not canonical: a competitor spends one of its
    /// inputs and was included earlier (or never). First phase only.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param inputIndex The input both spend.
    /// @param competingTx rlp(SignedTx) of the competitor.
    /// @param competingInputIndex The competitor's input that spends it, signed by its owner.
    /// @param competitorPos The competitor's position, or 0 for a competitor never included.
    /// @param competitorProof Its inclusion proof at competitorPos, or empty with 0.
    function challengeInFlightExitNotCanonical(
        bytes calldata txBytes,
        uint256 inputIndex,
        bytes calldata competingTx,
        uint256 competingInputIndex,
        uint256 competitorPos,
        bytes calldata competitorProof
    ) external {
        (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t) = openInFlightExit(txBytes);
        if (block.timestamp >= firstPhaseEnd(f)) revert FirstPhaseOver();
        if (inputIndex >= f.nInputs) revert BadIndex();
        (bool ok, PaymentTx.Transaction memory c) = PaymentTx.decodeSigned(competingTx);
        if (
            !ok || keccak256(c.unsignedBytes) == keccak256(t.unsignedBytes) || competingInputIndex >= c.inputs.length
                || c.inputs[competingInputIndex] != t.inputs[inputIndex]
        ) revert BadCompetitor();
        if (PaymentTx.signer(c, PaymentTx.digest(c, domainSeparator), competingInputIndex) != f.inputs[inputIndex].owner)
        {
            revert BadSignature();
        }
        uint256 position = type(uint256).max;
        if (competitorPos == 0) {
            if (competitorProof.length != 0) revert BadProof();
        } else {
            if (!includedAt(c.unsignedBytes, competitorPos, competitorProof)) revert BadProof();
            position = competitorPos;
        }
        if (f.oldestCompetitor != 0 && position >= competitorPosition(f)) revert NotOlder();
        f.canonical = false;
        f.oldestCompetitor = position == type(uint256).max ? NEVER_INCLUDED : uint64(position);
        f.bondOwner = msg.sender;
        emit InFlightExitChallenged(msg.sender, id, position);
    }

    /// @notice Answers a non-canonicity challenge by proving the in-flight transaction was included
    /// before the oldest competitor shown. Any time before the exit is processed.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param txPos Its position (output index 0).
    /// @param proof Its inclusion proof at txPos.
    function respondToNonCanonicalChallenge(bytes calldata txBytes, uint256 txPos, bytes calldata proof) external {
        (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t) = openInFlightExit(txBytes);
        if (f.exitPath != PATH_UNDECIDED) revert IfeProcessing();
        if (!includedAt(t.unsignedBytes, txPos, proof)) revert BadProof();
        if (f.oldestCompetitor == 0 || txPos >= competitorPosition(f)) revert NotOlder();
        f.canonical = true;
        f.oldestCompetitor = uint64(txPos);
        f.bondOwner = msg.sender;
        emit InFlightExitChallengeResponded(msg.sender, id, txPos);
    }

    /// @notice Blocks a piggybacked input that another transaction spends, signed by its owner;
    /// the piggyback bond goes to the caller. Any time before the exit is processed.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param inputIndex The piggybacked input.
    /// @param spendingTx rlp(SignedTx) spending the same output; it need not be in any block.
    /// @param spendingInputIndex The input of spendingTx that spends it.
    function challengeInFlightExitInputSpent(
        bytes calldata txBytes,
        uint256 inputIndex,
        bytes calldata spendingTx,
        uint256 spendingInputIndex
    ) external nonReentrant {
        (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t) = openInFlightExit(txBytes);
        if (f.exitPath != PATH_UNDECIDED) revert IfeProcessing();
        if (inputIndex >= f.nInputs) revert BadIndex();
        if (f.inputsPiggybacked & (1 << inputIndex) == 0) revert NotPiggybacked();
        (bool ok, PaymentTx.Transaction memory s) = PaymentTx.decodeSigned(spendingTx);
        if (
            !ok || keccak256(s.unsignedBytes) == keccak256(t.unsignedBytes) || spendingInputIndex >= s.inputs.length
                || s.inputs[spendingInputIndex] != t.inputs[inputIndex]
        ) revert BadChallenge();
        checkSigner(s, spendingInputIndex, f.inputs[inputIndex].owner);
        f.inputsPiggybacked = blocked(f.inputsPiggybacked, inputIndex);
        _pay(msg.sender, ETH, piggybackBond);
        emit InFlightExitInputBlocked(msg.sender, id, inputIndex);
    }

    /// @notice Blocks a piggybacked output that another transaction spends, signed by its owner;
    /// the piggyback bond goes to the caller. Any time before the exit is processed.
    /// @param txBytes rlp(SignedTx) of the in-flight transaction.
    /// @param outputUtxoPos The output's position: the in-flight transaction's inclusion and index.
    /// @param proof The in-flight transaction's inclusion proof at that position.
    /// @param spendingTx rlp(SignedTx) spending the output; it need not be in any block.
    /// @param spendingInputIndex The input of spendingTx that spends it.
    function challengeInFlightExitOutputSpent(
        bytes calldata txBytes,
        uint256 outputUtxoPos,
        bytes calldata proof,
        bytes calldata spendingTx,
        uint256 spendingInputIndex
    ) external nonReentrant {
        (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t) = openInFlightExit(txBytes);
        if (f.exitPath != PATH_UNDECIDED) revert IfeProcessing();
        uint256 index = PaymentTx.oindex(outputUtxoPos);
        if (index >= f.nOutputs) revert BadIndex();
        if (f.outputsPiggybacked & (1 << index) == 0) revert NotPiggybacked();
        Block memory blk = blocks[PaymentTx.blknum(outputUtxoPos)];
        if (blk.timestamp == 0 || !Merkle.verify(blk.root, t.unsignedBytes, PaymentTx.txindex(outputUtxoPos), proof))
        {
            revert BadProof();
        }
        (bool ok, PaymentTx.Transaction memory s) = PaymentTx.decodeSigned(spendingTx);
        if (!ok || spendingInputIndex >= s.inputs.length || s.inputs[spendingInputIndex] != outputUtxoPos) {
            revert BadChallenge();
        }
        checkSigner(s, spendingInputIndex, f.outputs[index].owner);
        f.outputsPiggybacked = blocked(f.outputsPiggybacked, index);
        _pay(msg.sender, ETH, piggybackBond);
        emit InFlightExitOutputBlocked(msg.sender, id, index);
    }

    /// @notice Deletes an in-flight exit that nobody piggybacked once its first phase is over, and
    /// returns its bond to the bond owner.
    /// @param ifeId The in-flight exit.
    function deleteNonPiggybackedInFlightExit(uint256 ifeId) external nonReentrant {
        InFlightExit storage f = ifes[ifeId];
        if (f.start == 0) revert IfeNotFound();
        if (block.timestamp < firstPhaseEnd(f)) revert FirstPhaseNotOver();
        if (f.inputsPiggybacked != 0 || f.outputsPiggybacked != 0) revert IfePiggybacked();
        address bondOwner = f.bondOwner;
        deleteInFlightExit(f);
        _pay(bondOwner, ETH, ifeBond);
        emit InFlightExitDeleted(ifeId);
    }

    // ======== processing and claims ========

    /// @notice Pops the token's exits whose exitable_at has come, at most maxExits of them, and
    /// pays them; challenged, superseded or deleted entries are dropped (they count too).
    /// @param token The queue: 0 for ETH, else the token.
    /// @param maxExits The most entries to pop.
    function processExits(address token, uint256 maxExits) external nonReentrant {
        ExitQueue.Queue storage q = queues[token];
        Payment[] memory payments = new Payment[](MAX_PAYMENTS); // reused by every entry
        for (uint256 done = 0; done < maxExits && q.size > 0; done++) {
            if (ExitQueue.exitableAt(q.head()) > block.timestamp) break;
            ExitQueue.Entry memory e = q.pop();
            uint256 n = ExitQueue.isInFlight(e)
                ? processInFlightExit(e.id, token, payments)
                : processStandardExit(e.id, payments);
            for (uint256 i = 0; i < n; i++) {
                Payment memory p = payments[i];
                _pay(p.to, p.token, p.amount);
                emitAfterPayment(p.then, e.id, p.index);
            }
        }
    }

    /// @notice Pays the caller's whole deferred claim in a token.
    /// @param token 0 for ETH, else the token.
    function withdraw(address token) external nonReentrant {
        uint256 amount = withdrawable[msg.sender][token];
        if (amount == 0) revert NothingToWithdraw();
        withdrawable[msg.sender][token] = 0;
        if (!send(msg.sender, token, amount, gasleft())) revert PaymentFailed();
        emit Withdrawal(msg.sender, token, amount);
    }

    // ======== views ========

    /// @notice The block number the next child block gets.
    function nextChildBlock() external view returns (uint256) {
        return counters.nextChildBlock;
    }

    /// @notice The block number the next deposit gets.
    function nextDepositBlock() external view returns (uint256) {
        Counters memory c = counters;
        return c.nextChildBlock - CHILD_BLOCK_INTERVAL + c.nextDeposit;
    }

    /// @notice A standard exit. state: 0 none, 1 in progress, 2 challenged, 3 finalized (paid),
    /// 4 superseded (its output was finalized by another exit first); queued: still in its queue.
    function exits(uint256 exitId)
        external
        view
        returns (
            address owner,
            address token,
            uint256 amount,
            uint256 exitableAt,
            bytes32 outputId,
            uint8 state,
            bool queued
        )
    {
        Exit storage e = exitRecords[exitId];
        return (e.owner, e.token, e.amount, e.exitableAt, e.outputId, e.state, e.queued);
    }

    /// @notice An open in-flight exit (all zero when none). oldestCompetitor: 0 none, 2^256 − 1 for
    /// a competitor never included, else its position. exitPath: 0 undecided, 1 outputs, 2 inputs.
    function inFlightExits(uint256 ifeId)
        external
        view
        returns (
            uint256 exitableAt,
            uint256 start,
            uint256 youngest,
            uint256 oldestCompetitor,
            address bondOwner,
            bool canonical,
            uint8 inputsPiggybacked,
            uint8 outputsPiggybacked,
            uint8 nInputs,
            uint8 nOutputs,
            uint8 pendingTokens,
            uint8 exitPath
        )
    {
        InFlightExit storage f = ifes[ifeId];
        exitableAt = f.exitableAt;
        start = f.start;
        youngest = f.youngest;
        oldestCompetitor = competitorPosition(f);
        bondOwner = f.bondOwner;
        canonical = f.canonical;
        inputsPiggybacked = f.inputsPiggybacked;
        outputsPiggybacked = f.outputsPiggybacked;
        nInputs = f.nInputs;
        nOutputs = f.nOutputs;
        pendingTokens = f.pendingTokens;
        exitPath = f.exitPath;
    }

    /// @notice An input of an open in-flight exit as stored at its start (zero past the inputs).
    function inFlightExitInput(uint256 ifeId, uint256 index)
        external
        view
        returns (bytes32 outputId, address owner, address token, uint256 amount)
    {
        return recordAt(ifes[ifeId].inputs, index);
    }

    /// @notice An output of an open in-flight exit as stored at its piggyback (zero before it).
    function inFlightExitOutput(uint256 ifeId, uint256 index)
        external
        view
        returns (bytes32 outputId, address owner, address token, uint256 amount)
    {
        return recordAt(ifes[ifeId].outputs, index);
    }

    /// @notice The number of entries in a token's queue, dropped ones included until popped.
    function queueLength(address token) external view returns (uint256) {
        return queues[token].size;
    }

    /// @notice The entry processExits pops next: (0, 0) for an empty queue.
    function queueHead(address token) external view returns (uint256 exitableAt, uint256 exitId) {
        ExitQueue.Queue storage q = queues[token];
        if (q.size == 0) return (0, 0);
        ExitQueue.Entry memory e = q.head();
        return (ExitQueue.exitableAt(e), e.id);
    }

    // ======== internals: standard exits ========

    /// @dev The output a standard exit claims, after the checks that follow the block's
    /// (BadCall, NotOwner, ExitExists, OutputFinalized, BadProof), and its output id.
    function exitingOutput(uint256 utxoPos, bytes calldata txBytes, bytes32 root, bytes calldata proof)
        private
        view
        returns (PaymentTx.Output memory out, bytes32 outputId)
    {
        (bool ok, PaymentTx.Transaction memory t) = PaymentTx.decodeUnsigned(txBytes);
        uint256 oindex = PaymentTx.oindex(utxoPos);
        if (!ok || oindex >= t.outputs.length) revert BadCall();
        out = t.outputs[oindex];
        if (out.owner != msg.sender) revert NotOwner();
        uint8 state = exitRecords[utxoPos].state;
        if (state == EXIT_IN_PROGRESS || state == EXIT_CHALLENGED) revert ExitExists();
        outputId = PaymentTx.outputId(t, oindex, utxoPos);
        if (state != EXIT_NONE || finalized[outputId] != 0) revert OutputFinalized();
        if (!Merkle.verify(root, t.unsignedBytes, PaymentTx.txindex(utxoPos), proof)) revert BadProof();
    }

    // ======== internals: in-flight exits ========

    function recordAt(OutputRecord[4] storage records, uint256 index)
        private
        view
        returns (bytes32, address, address, uint256)
    {
        if (index >= MAX_IO) return (0, address(0), address(0), 0);
        OutputRecord storage r = records[index];
        return (r.outputId, r.owner, r.token, r.amount);
    }

    function ifeIdOf(PaymentTx.Transaction memory t) private pure returns (uint256) {
        return uint256(PaymentTx.txHash(t)) | IFE_ID_FLAG;
    }

    function firstPhaseEnd(InFlightExit storage f) private view returns (uint256) {
        return uint256(f.start) + minExitPeriod / 2;
    }

    function competitorPosition(InFlightExit storage f) private view returns (uint256) {
        uint64 p = f.oldestCompetitor;
        return p == NEVER_INCLUDED ? type(uint256).max : p;
    }

    /// @dev The open in-flight exit of a signed payment (MalformedTx, IfeNotFound).
    function openInFlightExit(bytes calldata txBytes)
        private
        view
        returns (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t)
    {
        bool ok;
        (ok, t) = PaymentTx.decodeSigned(txBytes);
        if (!ok) revert MalformedTx();
        id = ifeIdOf(t);
        f = ifes[id];
        if (f.start == 0) revert IfeNotFound();
    }

    /// @dev The checks piggybacks share before their index: bond, decoding, open, first phase.
    function piggybackTarget(bytes calldata txBytes)
        private
        view
        returns (uint256 id, InFlightExit storage f, PaymentTx.Transaction memory t)
    {
        if (msg.value != piggybackBond) revert BadBond();
        (id, f, t) = openInFlightExit(txBytes);
        if (block.timestamp >= firstPhaseEnd(f)) revert FirstPhaseOver();
    }

    /// @dev Neither piggybacked nor blocked yet.
    function piggybackable(uint8 bits, uint256 index) private pure returns (bool) {
        return (bits >> index) & 1 == 0 && (bits >> (BLOCKED_SHIFT + index)) & 1 == 0;
    }

    /// @dev The bitmap with piggyback index blocked: its bit moved to the blocked half.
    function blocked(uint8 bits, uint256 index) private pure returns (uint8) {
        return (bits & ~uint8(1 << index)) | uint8(1 << (BLOCKED_SHIFT + index));
    }

    /// @dev The first piggyback of a token (none of that token piggybacked or blocked before)
    /// enqueues the in-flight exit in that token's queue.
    function enqueueToken(InFlightExit storage f, uint256 id, address token) private {
        if (tokenEnqueued(f, token)) return;
        queues[token].push(ExitQueue.entry(f.exitableAt, f.youngest, id, true));
        f.pendingTokens += 1;
    }

    function tokenEnqueued(InFlightExit storage f, address token) private view returns (bool) {
        uint8 ins = f.inputsPiggybacked | (f.inputsPiggybacked >> BLOCKED_SHIFT);
        uint8 outs = f.outputsPiggybacked | (f.outputsPiggybacked >> BLOCKED_SHIFT);
        for (uint256 i = 0; i < MAX_IO; i++) {
            if ((ins >> i) & 1 != 0 && f.inputs[i].token == token) return true;
            if ((outs >> i) & 1 != 0 && f.outputs[i].token == token) return true;
        }
        return false;
    }

    /// @dev Every input proven, in order; the youngest input and its block's timestamp.
    function provenInputs(PaymentTx.Transaction memory t, bytes[] calldata inputTxs, bytes[] calldata inputProofs)
        private
        view
        returns (OutputRecord[] memory ins, uint256 youngest, uint256 youngestTimestamp)
    {
        ins = new OutputRecord[](t.inputs.length);
        bytes32 txDigest = PaymentTx.digest(t, domainSeparator);
        for (uint256 i = 0; i < ins.length; i++) {
            uint256 ts;
            (ins[i], ts) = provenInput(t, txDigest, i, inputTxs[i], inputProofs[i]);
            if (t.inputs[i] > youngest) (youngest, youngestTimestamp) = (t.inputs[i], ts);
        }
    }

    /// @dev Input i of an in-flight transaction, proven (BlockNotFound, BadInputTx, BadProof), and
    /// signed by its owner (BadSignature).
    function provenInput(
        PaymentTx.Transaction memory t,
        bytes32 txDigest,
        uint256 i,
        bytes calldata inputTx,
        bytes calldata proof
    ) private view returns (OutputRecord memory r, uint256 timestamp) {
        (r, timestamp) = includedOutput(t.inputs[i], inputTx, proof);
        if (PaymentTx.signer(t, txDigest, i) != r.owner) revert BadSignature();
    }

    /// @dev The output at pos of inputTx, whose inclusion there the proof shows; the timestamp of
    /// its block.
    function includedOutput(uint256 pos, bytes calldata inputTx, bytes calldata proof)
        private
        view
        returns (OutputRecord memory r, uint256 timestamp)
    {
        Block memory blk = blocks[PaymentTx.blknum(pos)];
        if (blk.timestamp == 0) revert BlockNotFound();
        r = outputOf(inputTx, pos);
        if (!Merkle.verify(blk.root, inputTx, PaymentTx.txindex(pos), proof)) revert BadProof();
        timestamp = blk.timestamp;
    }

    /// @dev Output oindex(pos) of rlp(UnsignedTx) txBytes (BadInputTx when none).
    function outputOf(bytes calldata txBytes, uint256 pos) private pure returns (OutputRecord memory) {
        (bool ok, PaymentTx.Transaction memory t) = PaymentTx.decodeUnsigned(txBytes);
        uint256 oindex = PaymentTx.oindex(pos);
        if (!ok || oindex >= t.outputs.length) revert BadInputTx();
        PaymentTx.Output memory o = t.outputs[oindex];
        return OutputRecord(PaymentTx.outputId(t, oindex, pos), o.owner, o.token, o.amount);
    }

    /// @dev Per token, the outputs must not exceed the inputs. An input sum past 2^256 − 1 covers
    /// any output sum (the decoder bounds those).
    function checkAmounts(PaymentTx.Output[] memory outs, OutputRecord[] memory ins) private pure {
        for (uint256 i = 0; i < outs.length; i++) {
            (, uint256 spent) = PaymentTx.tokenSum(outs, outs[i].token);
            uint256 funded = 0;
            bool covered = false;
            for (uint256 j = 0; j < ins.length && !covered; j++) {
                if (ins[j].token != outs[i].token) continue;
                unchecked {
                    covered = funded + ins[j].amount < funded;
                    funded += ins[j].amount;
                }
            }
            if (!covered && spent > funded) revert AmountsDoNotAddUp();
        }
    }

    function checkSigner(PaymentTx.Transaction memory s, uint256 index, address owner) private view {
        if (PaymentTx.signer(s, PaymentTx.digest(s, domainSeparator), index) != owner) revert BadSignature();
    }

    /// @dev Whether rlp(UnsignedTx) is included at pos, a transaction position (oindex 0).
    function includedAt(bytes memory unsignedBytes, uint256 pos, bytes calldata proof) private view returns (bool) {
        if (PaymentTx.oindex(pos) != 0) return false;
        Block memory blk = blocks[PaymentTx.blknum(pos)];
        return blk.timestamp != 0 && Merkle.verify(blk.root, unsignedBytes, PaymentTx.txindex(pos), proof);
    }

    function deleteInFlightExit(InFlightExit storage f) private {
        for (uint256 i = 0; i < f.nInputs; i++) {
            delete f.inputs[i];
        }
        uint8 outs = f.outputsPiggybacked | (f.outputsPiggybacked >> BLOCKED_SHIFT);
        for (uint256 i = 0; i < MAX_IO; i++) {
            if ((outs >> i) & 1 != 0) delete f.outputs[i];
        }
        f.exitableAt = 0;
        f.start = 0;
        f.youngest = 0;
        f.canonical = false;
        f.inputsPiggybacked = 0;
        f.outputsPiggybacked = 0;
        f.nInputs = 0;
        f.nOutputs = 0;
        f.pendingTokens = 0;
        f.exitPath = 0;
        f.bondOwner = address(0);
        f.oldestCompetitor = 0;
    }

    // ======== internals: processing ========

    /// @dev A popped standard exit: dropped when challenged, superseded when its output was
    /// finalized by another exit, else finalized and paid. Returns the number of payments.
    function processStandardExit(uint256 id, Payment[] memory payments) private returns (uint256) {
        Exit storage e = exitRecords[id];
        e.queued = false;
        if (e.state != EXIT_IN_PROGRESS) return 0;
        if (finalized[e.outputId] != 0) {
            e.state = EXIT_SUPERSEDED;
            return 0;
        }
        finalized[e.outputId] = id;
        e.state = EXIT_FINALIZED;
        if (e.token == ETH) {
            return addPayment(payments, 0, e.owner, ETH, saturatingAdd(e.amount, exitBond), THEN_EXIT_FINALIZED, 0);
        }
        addPayment(payments, 0, e.owner, e.token, e.amount, THEN_NOTHING, 0);
        return addPayment(payments, 1, e.owner, ETH, exitBond, THEN_EXIT_FINALIZED, 0);
    }

    /// @dev A popped in-flight exit entry of token (docs/inflight.md, "Processing an IFE entry").
    function processInFlightExit(uint256 id, address token, Payment[] memory payments)
        private
        returns (uint256 n)
    {
        InFlightExit storage f = ifes[id];
        if (f.start == 0) return 0;
        bool first = f.exitPath == PATH_UNDECIDED;
        if (first) f.exitPath = exitsThroughOutputs(f, id) ? PATH_OUTPUTS : PATH_INPUTS;
        if (f.exitPath == PATH_OUTPUTS) {
            n = withdrawPiggybacked(f.outputs, f.nOutputs, f.outputsPiggybacked, id, token, true, payments, n);
            if (first) flagInputs(f, id);
        } else {
            n = withdrawPiggybacked(f.inputs, f.nInputs, f.inputsPiggybacked, id, token, false, payments, n);
        }
        n = returnBonds(f.inputs, f.nInputs, f.inputsPiggybacked, token, payments, n);
        n = returnBonds(f.outputs, f.nOutputs, f.outputsPiggybacked, token, payments, n);
        f.pendingTokens -= 1;
        if (f.pendingTokens == 0) {
            n = addPayment(payments, n, f.bondOwner, ETH, ifeBond, THEN_IFE_FINALIZED, 0);
            deleteInFlightExit(f);
        }
    }

    /// @dev Canonical, and no input finalized by an exit with another id.
    function exitsThroughOutputs(InFlightExit storage f, uint256 id) private view returns (bool) {
        if (!f.canonical) return false;
        for (uint256 i = 0; i < f.nInputs; i++) {
            uint256 by = finalized[f.inputs[i].outputId];
            if (by != 0 && by != id) return false;
        }
        return true;
    }

    function flagInputs(InFlightExit storage f, uint256 id) private {
        for (uint256 i = 0; i < f.nInputs; i++) {
            bytes32 outputId = f.inputs[i].outputId;
            if (finalized[outputId] == 0) finalized[outputId] = id;
        }
    }

    /// @dev Pays and flags each piggybacked record of token whose output is not finalized yet.
    function withdrawPiggybacked(
        OutputRecord[4] storage records,
        uint256 count,
        uint8 piggybacked,
        uint256 id,
        address token,
        bool outputs,
        Payment[] memory payments,
        uint256 n
    ) private returns (uint256) {
        for (uint256 i = 0; i < count; i++) {
            OutputRecord storage r = records[i];
            if (piggybacked & (1 << i) == 0 || r.token != token || finalized[r.outputId] != 0) continue;
            finalized[r.outputId] = id;
            n = addPayment(payments, n, r.owner, token, r.amount, outputs ? THEN_OUTPUT_WITHDRAWN : THEN_INPUT_WITHDRAWN, i);
        }
        return n;
    }

    function returnBonds(
        OutputRecord[4] storage records,
        uint256 count,
        uint8 piggybacked,
        address token,
        Payment[] memory payments,
        uint256 n
    ) private view returns (uint256) {
        for (uint256 i = 0; i < count; i++) {
            if (piggybacked & (1 << i) != 0 && records[i].token == token) {
                n = addPayment(payments, n, records[i].owner, ETH, piggybackBond, THEN_NOTHING, 0);
            }
        }
        return n;
    }

    /// @dev Writes payment n in place (the list is allocated once per processExits call).
    function addPayment(
        Payment[] memory payments,
        uint256 n,
        address to,
        address token,
        uint256 amount,
        uint8 then,
        uint256 index
    ) private pure returns (uint256) {
        Payment memory p = payments[n];
        (p.to, p.token, p.amount, p.then, p.index) = (to, token, amount, then, index);
        return n + 1;
    }

    /// @dev The event that follows a payment of entry id (docs/inflight.md: after the payment,
    /// so that a PaymentDeferred comes first).
    function emitAfterPayment(uint8 then, uint256 id, uint256 index) private {
        if (then == THEN_EXIT_FINALIZED) emit ExitFinalized(id);
        else if (then == THEN_OUTPUT_WITHDRAWN) emit InFlightExitOutputWithdrawn(id, index);
        else if (then == THEN_INPUT_WITHDRAWN) emit InFlightExitInputWithdrawn(id, index);
        else if (then == THEN_IFE_FINALIZED) emit InFlightExitFinalized(id);
    }

    // ======== internals: value ========

    /// @dev rlp([1, [], [[1, owner, token, amount]], 32 zero bytes]): a deposit transaction (§3).
    function depositTx(address owner, address token, uint256 amount) private pure returns (bytes memory) {
        bytes memory output = abi.encodePacked(hex"0194", owner, hex"94", token, Rlp.encodeUint(amount));
        bytes memory outputs = bytes.concat(Rlp.listHeader(output.length), output);
        bytes memory body = bytes.concat(
            hex"01c0", Rlp.listHeader(outputs.length), outputs, hex"a0", bytes32(0)
        );
        return bytes.concat(Rlp.listHeader(body.length), body);
    }

    /// @dev Pays, or credits the owner's claim when the transfer fails. A payment of 0 is none.
    function _pay(address to, address token, uint256 amount) private {
        if (amount == 0) return;
        uint256 limit = token == ETH ? ETH_PAYMENT_GAS : TOKEN_PAYMENT_GAS;
        // Starving the call of gas must not turn a payment into a deferral.
        if (gasleft() < limit + limit / 63 + PAYMENT_RESERVE) revert OutOfGas();
        if (send(to, token, amount, limit)) return;
        withdrawable[to][token] = saturatingAdd(withdrawable[to][token], amount);
        emit PaymentDeferred(to, token, amount);
    }

    /// @dev A plain transfer with at most gasLimit gas; false when it fails or the contract holds
    /// too little. Return data is not copied beyond a token's 32-byte result.
    function send(address to, address token, uint256 amount, uint256 gasLimit) private returns (bool ok) {
        if (token == ETH) {
            if (address(this).balance < amount) return false;
            assembly ("memory-safe") {
                ok := call(gasLimit, to, amount, 0, 0, 0, 0)
            }
            return ok;
        }
        return callToken(token, abi.encodeWithSelector(0xa9059cbb, to, amount), gasLimit); // transfer
    }

    function pullToken(address token, address from, uint256 amount) private returns (bool) {
        bytes memory data = abi.encodeWithSelector(0x23b872dd, from, address(this), amount); // transferFrom
        return callToken(token, data, gasleft());
    }

    /// @dev An ERC-20 call that succeeded: it did not revert and returned nothing or true. A token
    /// without code never succeeds.
    function callToken(address token, bytes memory data, uint256 gasLimit) private returns (bool ok) {
        if (token.code.length == 0) return false;
        uint256 size;
        uint256 result;
        assembly ("memory-safe") {
            ok := call(gasLimit, token, 0, add(data, 32), mload(data), 0, 32)
            size := returndatasize()
            result := mload(0)
        }
        return ok && (size == 0 || (size >= 32 && result == 1));
    }

    function max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev Claims and ETH payouts saturate: no contract can hold 2^256 − 1 wei, so a saturated
    /// amount is unpayable either way, and an overflow must not block the queue.
    function saturatingAdd(uint256 a, uint256 b) private pure returns (uint256) {
        unchecked {
            uint256 c = a + b;
            return c < a ? type(uint256).max : c;
        }
    }
}
