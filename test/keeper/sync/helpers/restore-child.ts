/**
 * Test-only child process: restores a keeper state in `dir` from one peer, printing `chunk <i>` per
 * verified chunk and a final JSON line with the restore's numbers. Killed with SIGKILL by the test.
 *
 *   node -r ts-node/register/transpile-only restore-child.ts <dir> <peerUrl> <version> <root> <writeIndexEnd>
 */
import { restoreFromPeers } from "../../../../keeper/sync";
import { KeeperState } from "../../../../keeper/window";

async function main(argv: readonly string[]): Promise<void> {
  const [dir, peer, version, root, end] = argv;
  const state = await KeeperState.open({ path: dir });
  const stats = await restoreFromPeers(
    state,
    { version: Number(version), root: root as `0x${string}`, writeIndexEnd: BigInt(end) },
    { peers: [peer], concurrency: 1, onChunk: (i) => process.stdout.write(`chunk ${i}\n`) },
  );
  process.stdout.write(`${JSON.stringify({ ...stats, root: state.rootAt(Number(version)) })}\n`);
  await state.close();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
