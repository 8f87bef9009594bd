/* global module */
/**
 * solidity-coverage (`npm run coverage`): the contract suites, instrumented. Left out on purpose (`npm test` runs
 * them, uninstrumented):
 *  - suites that drive real processes (a spawned `hardhat node`, the deploy task, keepers, `npm start`): those
 *    processes compile and load the uninstrumented artifacts, so they test nothing the coverage report can count;
 *  - assertions on gas figures: instrumentation adds gas to every statement and branch, so they would measure the
 *    instrumentation (`npm run bench:gas` prints the real figures).
 * The library harnesses in mocks/ stay instrumented: the libraries' code runs inlined in them. Do not run other
 * Hardhat tasks in the same checkout meanwhile: the instrumented build is written to artifacts/.
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
  mocha: { grep: excluded, invert: true },
};
