/**
 * The fault campaign: runs of a shortened ring8 config killed with SIGKILL, SIGTERM or SIGINT at
 * random points (a third of them during a checkpoint write), each resumed to the end and compared
 * with an uninterrupted run. Fails unless every run is identical, consistent and complete.
 *
 *   pnpm faults -- --faults 30 --seed 1        (--steps 120, --faults-per-run 3, --backend cpu)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable } from '@fdistill/utils';
import { runFaultCampaign } from '../src/fault-campaign.js';

const { values } = parseArgs({
  options: {
    faults: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '120' },
    'faults-per-run': { type: 'string', default: '3' },
    backend: { type: 'string', default: 'cpu' },
    binary: { type: 'string', default: '' },
  },
});

// --binary: a copy of the built CLI, so a rebuild during a long campaign does not change it.
const binary = values.binary || fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'fdistill-faults-'));
const started = performance.now();
try {
  const result = await runFaultCampaign({
    binary,
    folder,
    faults: Number(values.faults),
    seed: Number(values.seed),
    steps: Number(values.steps),
    faultsPerRun: Number(values['faults-per-run']),
    backend: values.backend,
    onFault: (fault) =>
      console.error(
        `run ${fault.run}: ${fault.signal} after ${fault.afterMilliseconds} ms${fault.duringCheckpointWrite ? ' (during a checkpoint write)' : ''} -> ${fault.outcome}`,
      ),
  });
  const bySignal = (signal: string) =>
    result.faults.filter((fault) => fault.signal === signal).length;
  const duringWrites = result.faults.filter((fault) => fault.duringCheckpointWrite).length;
  console.log(
    formatTable(
      [
        'faults injected',
        'SIGKILL / SIGTERM / SIGINT',
        'during checkpoint writes',
        'resumed',
        'restarted (no checkpoint yet)',
        'runs',
        'identical',
        'metrics consistent',
        'files lost',
        'stray temp files',
      ],
      [
        [
          String(result.faultsInjected),
          `${bySignal('SIGKILL')} / ${bySignal('SIGTERM')} / ${bySignal('SIGINT')}`,
          String(duringWrites),
          String(result.resumed),
          String(result.restartedFromScratch),
          String(result.runs),
          `${result.identical} / ${result.runs}`,
          `${result.metricsConsistent} / ${result.runs}`,
          String(result.filesLost),
          String(result.strayTemporaryFiles),
        ],
      ],
    ),
  );
  console.log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
  const passed =
    result.identical === result.runs &&
    result.metricsConsistent === result.runs &&
    result.filesLost === 0 &&
    result.strayTemporaryFiles === 0;
  process.exitCode = passed ? 0 : 1;
} finally {
  rmSync(folder, { recursive: true, force: true });
}
