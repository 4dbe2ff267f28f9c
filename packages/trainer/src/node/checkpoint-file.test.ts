import '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint-bytes.js';
import { CheckpointError } from '../checkpoint-error.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoint-store.js';
import { checkpointFile, writeFileAtomically } from './checkpoint-file.js';

const saveCheckpoint = (path: string, content: Parameters<typeof writeCheckpoint>[1]) =>
  writeCheckpoint(checkpointFile(path), content);
const loadCheckpoint = (path: string) => readCheckpoint(checkpointFile(path));

const folder = mkdtempSync(join(tmpdir(), 'fdistill-checkpoint-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('checkpoint files', () => {
  it('round-trip float and int tensors and JSON state', async () => {
    const path = join(folder, 'checkpoint.safetensors');
    const tensors = new Map<string, tf.Tensor>([
      [
        'student.weight',
        tf.tensor2d([
          [1.5, -2],
          [3, 4e-8],
        ]),
      ],
      ['labels', tf.tensor1d([3, -1], 'int32')],
    ]);
    await saveCheckpoint(path, { tensors, state: { step: 12, bins: [1, 0.5] } });
    const loaded = loadCheckpoint(path);
    expect(loaded.state).toEqual({ step: 12, bins: [1, 0.5] });
    expect(loaded.tensors.get('student.weight')?.arraySync()).toEqual(
      tensors.get('student.weight')?.arraySync(),
    );
    expect(loaded.tensors.get('labels')?.dtype).toBe('int32');
    expect(Array.from(loaded.tensors.get('labels')?.dataSync() ?? [])).toEqual([3, -1]);
  });

  it('replace a file whole and leave no temporary file behind', () => {
    const path = join(folder, 'atomic.txt');
    writeFileSync(path, 'old content');
    writeFileAtomically(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuse a safetensors file without fdistill state, naming it', () => {
    const path = join(folder, 'plain.safetensors');
    const header = Buffer.from('{}      ');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(path, Buffer.concat([length, header]));
    expect(() => loadCheckpoint(path)).toThrow(
      `${path} is a safetensors file without fdistill state`,
    );
  });

  it('refuse a truncated, foreign or missing file with one message naming it', async () => {
    const path = join(folder, 'whole.safetensors');
    await saveCheckpoint(path, { tensors: new Map([['w', tf.ones([64])]]), state: { step: 1 } });
    const truncated = join(folder, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(path).subarray(0, 40));
    expect(() => loadCheckpoint(truncated)).toThrow(
      `loadCheckpoint: ${truncated} is not a readable checkpoint (`,
    );
    const foreign = join(folder, 'notes.txt');
    writeFileSync(foreign, 'not a checkpoint at all');
    expect(() => loadCheckpoint(foreign)).toThrow(`${foreign} is not a readable checkpoint`);
    expect(() => loadCheckpoint(join(folder, 'missing.safetensors'))).toThrow(
      'missing.safetensors does not exist',
    );
  });

  it('encode and decode bytes without a file system, the same as a file', async () => {
    const tensors = new Map([['w', tf.tensor1d([0.25, -8])]]);
    const bytes = await encodeCheckpoint({ tensors, state: { step: 3 } });
    const decoded = decodeCheckpoint(bytes);
    expect(decoded.state).toEqual({ step: 3 });
    expect(Array.from(decoded.tensors.get('w')?.dataSync() ?? [])).toEqual([0.25, -8]);
    const path = join(folder, 'same.safetensors');
    await saveCheckpoint(path, { tensors, state: { step: 3 } });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
  });

  it('leave the previous file and no temporary file when a write fails', () => {
    const path = join(folder, 'kept.txt');
    writeFileSync(path, 'previous');
    // A folder in the way of the rename makes the write fail after the temporary file exists.
    const blocked = join(folder, 'blocked');
    mkdirSync(join(blocked, 'inside'), { recursive: true });
    expect(() => writeFileAtomically(blocked, 'new')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('checkpoint errors', () => {
  it('are CheckpointErrors for bad bytes and name the file', () => {
    const path = join(folder, 'garbage.safetensors');
    writeFileSync(path, 'garbage that is no checkpoint');
    let caught: unknown;
    try {
      loadCheckpoint(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CheckpointError);
    expect((caught as Error).message).toMatch(
      new RegExp(
        `^loadCheckpoint: ${path} is not a readable checkpoint \\(decodeSafetensors: header length \\d+ exceeds the file's 29 bytes`,
      ),
    );
  });

  it('name the path and the system error code when a file cannot be written or read', () => {
    // Writing into a missing folder fails at open: ENOENT, with the target path in the message.
    const target = join(folder, 'no-such-folder', 'checkpoint.safetensors');
    let caught: NodeJS.ErrnoException | undefined;
    try {
      writeFileAtomically(target, 'bytes');
    } catch (error) {
      caught = error as NodeJS.ErrnoException;
    }
    expect(caught?.message).toBe(`cannot write ${target} (ENOENT: no such file or directory)`);
    expect(caught?.code).toBe('ENOENT');
    // A folder where the checkpoint should be: EISDIR, an I/O failure rather than bad bytes.
    const folderInTheWay = join(folder, 'folder.safetensors');
    mkdirSync(folderInTheWay);
    expect(() => loadCheckpoint(folderInTheWay)).toThrow(
      `cannot read checkpoint ${folderInTheWay} (EISDIR: illegal operation on a directory)`,
    );
  });
});
