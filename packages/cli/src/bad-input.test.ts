import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs';
import {
  decodeSafetensors,
  encodeSafetensors,
  exportDenoiserToOnnx,
  MlpDenoiser,
} from '@fdistill/score';
import { failureLines, finishSmallRun, runBuiltCli } from '@fdistill/testing/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-bad-input-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const finished = join(folder, 'finished');

/** Every file of a folder with the SHA-256 of its bytes. */
function hashes(path: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(path)
      .sort()
      .map((name) => [
        name,
        createHash('sha256')
          .update(readFileSync(join(path, name)))
          .digest('hex'),
      ]),
  );
}

/** Rewrites a checkpoint's safetensors bytes through `edit` (state JSON and tensors). */
function editCheckpoint(
  path: string,
  edit: (content: ReturnType<typeof decodeSafetensors>, state: Record<string, unknown>) => void,
) {
  const content = decodeSafetensors(new Uint8Array(readFileSync(path)));
  const state = JSON.parse(content.metadata.fdistill as string);
  edit(content, state);
  writeFileSync(
    path,
    encodeSafetensors(content.tensors, { ...content.metadata, fdistill: JSON.stringify(state) }),
  );
}

beforeAll(() => finishSmallRun(folder, finished, 10), 120_000);

/** Each case corrupts a copy of a finished run folder; the resume must stop with one line. */
const CASES: Array<{
  name: string;
  corrupt: (run: string) => void;
  expected: (run: string) => string | RegExp;
}> = [
  {
    name: 'a truncated checkpoint',
    corrupt: (run) => {
      const path = join(run, 'checkpoint.safetensors');
      // The header whole, the last tensor's data cut short.
      const bytes = readFileSync(path);
      writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    },
    expected: (run) =>
      `fdistill: loadCheckpoint: ${join(run, 'checkpoint.safetensors')} is not a readable checkpoint (decodeSafetensors: tensor`,
  },
  {
    name: 'a checkpoint that is not safetensors',
    corrupt: (run) =>
      writeFileSync(join(run, 'checkpoint.safetensors'), 'no checkpoint, just text'),
    expected: (run) =>
      new RegExp(
        `^fdistill: loadCheckpoint: ${join(run, 'checkpoint.safetensors')} is not a readable checkpoint \\(decodeSafetensors: header length \\d+ exceeds the file's 24 bytes \\(truncated or not a safetensors file\\)\\)$`,
      ),
  },
  {
    name: 'a safetensors file of another kind (no fdistill state)',
    corrupt: (run) => {
      const path = join(run, 'checkpoint.safetensors');
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path)));
      writeFileSync(path, encodeSafetensors(tensors, { config: '{}' }));
    },
    expected: (run) =>
      `fdistill: loadCheckpoint: ${join(run, 'checkpoint.safetensors')} is a safetensors file without fdistill state`,
  },
  {
    name: 'a checkpoint of other networks',
    corrupt: (run) =>
      editCheckpoint(join(run, 'checkpoint.safetensors'), ({ tensors }) => {
        const [name, tensor] = [...tensors].find(([key]) => key.startsWith('student.')) ?? [];
        tensors.delete(name as string);
        tensors.set(`${name}.renamed`, tensor as NonNullable<typeof tensor>);
      }),
    expected: (run) =>
      `fdistill: loadCheckpoint: ${join(run, 'checkpoint.safetensors')} does not fit this run's networks (`,
  },
  {
    name: 'a checkpoint from another run folder version',
    corrupt: (run) =>
      editCheckpoint(join(run, 'checkpoint.safetensors'), (_content, state) => {
        state.runFolderVersion = 99;
      }),
    expected: (run) =>
      `fdistill: ${join(run, 'checkpoint.safetensors')} was written by run folder version 99; this fdistill reads version 1`,
  },
  {
    name: 'a config.json of another preset',
    corrupt: (run) => {
      const path = join(run, 'config.json');
      const config = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...config, preset: 'grid25' }));
    },
    expected: (run) =>
      `fdistill: ${join(run, 'checkpoint.safetensors')} is a checkpoint of a "ring8" run, but ${join(run, 'config.json')} says preset "grid25"`,
  },
  {
    name: 'a config.json of another divergence',
    corrupt: (run) => {
      const path = join(run, 'config.json');
      const config = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...config, divergence: 'forward-kl' }));
    },
    expected: (run) =>
      `fdistill: loadCheckpoint: ${join(run, 'checkpoint.safetensors')} was trained with divergence`,
  },
  {
    name: 'a config.json of the wrong type',
    corrupt: (run) => writeFileSync(join(run, 'config.json'), '[1, 2, 3]'),
    expected: (run) => `fdistill: ${join(run, 'config.json')}: expected a mapping of config fields`,
  },
  {
    name: 'a config.json with a field of the wrong type',
    corrupt: (run) => {
      const path = join(run, 'config.json');
      const config = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...config, steps: 'twenty' }));
    },
    expected: (run) =>
      `fdistill: ${join(run, 'config.json')}: steps must be a number, got "twenty"`,
  },
  {
    name: 'a config.json that is not JSON',
    corrupt: (run) => writeFileSync(join(run, 'config.json'), '{"preset": "ring8",'),
    expected: (run) => `fdistill: ${join(run, 'config.json')} is not valid JSON (`,
  },
];

describe('a resume from a bad run folder (the built binary)', { timeout: 120_000 }, () => {
  for (const [index, testCase] of CASES.entries()) {
    it(`stops on ${testCase.name} with one line, exit 2, the folder unchanged`, async () => {
      const run = join(folder, `case-${index}`);
      cpSync(finished, run, { recursive: true });
      testCase.corrupt(run);
      const before = hashes(run);
      const result = await runBuiltCli([
        'distill',
        '--resume',
        run,
        '--steps',
        '14',
        '--backend',
        'cpu',
      ]);
      expect(result.code).toBe(2);
      const lines = failureLines(result.stderr);
      expect(lines).toHaveLength(1);
      const expected = testCase.expected(run);
      if (typeof expected === 'string') expect(lines[0]).toContain(expected);
      else expect(lines[0]).toMatch(expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(hashes(run)).toEqual(before);
    });
  }

  it('prints the stack of a bad checkpoint only with --verbose', async () => {
    const run = join(folder, 'verbose');
    cpSync(finished, run, { recursive: true });
    writeFileSync(join(run, 'checkpoint.safetensors'), 'no checkpoint');
    const result = await runBuiltCli([
      'distill',
      '--resume',
      run,
      '--steps',
      '14',
      '--backend',
      'cpu',
      '--verbose',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /CheckpointError: loadCheckpoint: .* is not a readable checkpoint[^\n]*\n\s+at /,
    );
  });
});

describe('other commands on bad input (the built binary)', { timeout: 120_000 }, () => {
  it('sample and eval stop on a bad checkpoint with one line, exit 2', async () => {
    const run = join(folder, 'sample-eval');
    cpSync(finished, run, { recursive: true });
    const checkpoint = join(run, 'checkpoint.safetensors');
    writeFileSync(checkpoint, readFileSync(checkpoint).subarray(0, 64));
    const before = hashes(run);
    const out = join(folder, 'never.png');
    for (const args of [
      ['sample', '--run', run, '--out', out, '--backend', 'cpu'],
      ['eval', '--run', run, '--backend', 'cpu'],
    ]) {
      const result = await runBuiltCli(args);
      expect(result.code).toBe(2);
      expect(failureLines(result.stderr)).toEqual([
        expect.stringContaining(`${checkpoint} is not a readable checkpoint`),
      ]);
    }
    expect(hashes(run)).toEqual(before);
  });

  it('sample --onnx stops on an ONNX model with the wrong inputs, naming them', async () => {
    // A denoiser (inputs x, sigma) where a one-step student (input z) belongs.
    const denoiser = new MlpDenoiser({
      dimension: 2,
      width: 8,
      depth: 1,
      embeddingSize: 8,
      seed: 1,
    });
    const path = join(folder, 'denoiser.onnx');
    writeFileSync(path, exportDenoiserToOnnx(denoiser));
    denoiser.dispose();
    const out = join(folder, 'never.png');
    const result = await runBuiltCli(['sample', '--onnx', path, '--out', out]);
    expect(result.code).toBe(2);
    expect(failureLines(result.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^fdistill: ${path} is not an fdistill student \\(expected input z and output samples; has x, sigma`,
        ),
      ),
    ]);
    expect(readdirSync(folder)).not.toContain('never.png');
  });
});
