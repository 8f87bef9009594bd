/* global module */
/**
 * solidity-coverage (`npm run coverage`): the contract suites, instrumented. Left out on purpose (`npm test` runs
 * them, uninstrumented):
 *  - suites that drive real processes (a spawned `hardhat node`, the deploy task, keepers, `npm start`): those
 *    processes compile and load the uninstrumented artifacts, so they test nothing the coverage report can count;
 *  - assertions on gas figures: instrumentation adds gas to every statement and branch, so they would measure the
 *    instrumentation (`npm run bench:gas` prints the real figures).
 * Upgrade mocks and benchmark peers are not measured; the test harnesses are instrumented, since the libraries' code
 * runs inlined in them.
 */
const REAL_PROCESS_SUITES = [
  "devnet (npm start)",
  "npm start as a service",
  "keeper/chain/indexer",
  "newton CLI on two chains",
  "keeper roles: challenger",
  "keeper roles: commit loop",
  "newton-da-server process",
];
const GAS_ASSERTIONS = [
  "costs the precompile price plus less than 3 000 gas for two pairs",
  "uses at most 170 000 gas",
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const excluded = new RegExp(
  [...REAL_PROCESS_SUITES.map((s) => `^${escape(s)} `), ...GAS_ASSERTIONS.map((t) => ` ${escape(t)}$`)].join("|"),
);

module.exports = {
  skipFiles: [
    "mocks/GasMeter.sol",
    "mocks/MerkleProofPeer.sol",
    "mocks/SoladyBlsPeer.sol",
    "mocks/OperatorRegistryV2Mock.sol",
    "mocks/PolicyDataRegistryV2Mock.sol",
    "mocks/PolicyRegistryV2Mock.sol",
    "mocks/StateCommitRegistryV2Mock.sol",
  ],
  mocha: { grep: excluded, invert: true },
};
