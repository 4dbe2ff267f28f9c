import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeWebGpu } from '@fdistill/backend';
import { runBuiltCli } from '@fdistill/testing/cli';
import { smallRing8Config } from '@fdistill/testing/fault-campaign';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-webgpu-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Dawn on a Vulkan driver: a GPU's, or chromium's SwiftShader on the CPU. Without a loader or a
// driver the test is skipped, and the reason printed.
const found = await nodeWebGpu().catch((error: Error) => ({
  gpu: undefined,
  reason: error.message,
}));
const skipReason = found.gpu === undefined ? found.reason : undefined;
if (skipReason !== undefined) console.warn(`webgpu CLI run skipped: ${skipReason}`);

/** A shortened ring8 run, small enough for a software adapter. */
const config = join(folder, 'small.yaml');
writeFileSync(
  config,
  smallRing8Config(20, {
    studentWarmStartSteps: 20,
    evaluationSamples: 500,
    evaluationEvery: 0,
    checkpointEvery: 10,
  }),
);

/** Runs the shortened preset on a backend; its stderr and summary. */
async function runOn(backend: 'cpu' | 'webgpu') {
  const out = join(folder, backend);
  const result = await runBuiltCli(
    ['distill', '--config', config, '--out', out, '--backend', backend],
    { cwd: folder },
  );
  expect(result.code, result.stderr).toBe(0);
  return {
    stderr: result.stderr,
    summary: JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')),
  };
}

describe.skipIf(skipReason !== undefined)(
  'fdistill distill --backend webgpu',
  { timeout: 300_000 },
  () => {
    it("ends a shortened ring8 run where the cpu backend's run ends", async () => {
      const cpu = await runOn('cpu');
      const webgpu = await runOn('webgpu');
      expect(webgpu.stderr).toMatch(
        /backend: webgpu \(chosen with --backend(; software adapter|; adapter) /,
      );
      expect(webgpu.summary.backend).toBe('webgpu');
      // 20 steps after a 20-update warm start, float32 sums in another order: the same run.
      expect(webgpu.summary.modesCaptured).toBe(cpu.summary.modesCaptured);
      for (const metric of ['highQualityShare', 'precision', 'recall']) {
        expect(Math.abs(webgpu.summary[metric] - cpu.summary[metric]), metric).toBeLessThan(0.02);
      }
      expect(
        Math.abs(webgpu.summary.studentMeanLogDensity - cpu.summary.studentMeanLogDensity),
      ).toBeLessThan(0.05);
      // The threads exchange slices by synchronous reads: webgpu runs on one, by default.
      expect(webgpu.stderr).toMatch(/\), 1 thread\n/);
      expect(webgpu.summary.threads).toBe(1);
    });

    it('refuses --threads above 1 on webgpu before writing anything', async () => {
      const out = join(folder, 'webgpu-threads');
      const result = await runBuiltCli(
        ['distill', '--config', config, '--out', out, '--backend', 'webgpu', '--threads', '2'],
        { cwd: folder },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--threads 2: webgpu reads tensors only asynchronously');
      expect(existsSync(out)).toBe(false);
    });
  },
);
