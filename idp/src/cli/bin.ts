/**
 * Entry of the `idp` command once the runtime is chosen (idp/bin/idp.js picks compiled or source).
 * `idp serve` with several workers goes straight to the cluster primary, which loads nothing of the app
 * (see cluster.ts); everything else is the operator command.
 */
import cluster from 'node:cluster';
import { workersFromEnv } from '../config/workers.ts';

const argv = process.argv.slice(2);
if (cluster.isPrimary && argv.length === 1 && argv[0] === 'serve' && workersFromEnv(process.env) > 1) {
  const { runPrimary } = await import('../cluster.ts');
  process.exitCode = await runPrimary();
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
  // The preparation worker is done (or failed) once main returns; its IPC channel would keep it alive.
  if (cluster.isWorker && (await import('../cluster.ts')).isPreparationWorker()) process.exit();
}
