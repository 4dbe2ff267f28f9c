import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFaultCampaign } from '@fdistill/testing/fault-campaign';
import { afterAll, describe, expect, it } from 'vitest';

const binary = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'fdistill-faults-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// The shortened campaign (the full one is `pnpm faults`): three faults on a 40-step run.
describe('fault campaign (the built binary)', { timeout: 300_000 }, () => {
  it('resumes runs killed by random signals to the uninterrupted result, losing nothing', async () => {
    const result = await runFaultCampaign({ binary, folder, faults: 3, seed: 7, steps: 40 });
    expect(result.faultsInjected).toBe(3);
    expect(result.identical).toBe(result.runs);
    expect(result.metricsConsistent).toBe(result.runs);
    expect(result.filesLost).toBe(0);
    expect(result.strayTemporaryFiles).toBe(0);
  });
});
