import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decodeNpz } from '@fdistill/eval';
import { runBuiltCli } from '@fdistill/testing/cli';
import { smallRing8Config } from '@fdistill/testing/fault-campaign';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES, FASHION_MNIST_PATH } from './fashion-mnist.js';
import { PRESETS } from './presets.js';

const folder = mkdtempSync(join(tmpdir(), 'fdistill-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
// Teacher samples and sampler pairs drawn by these runs are cached here, not in the user's cache.
process.env.FDISTILL_CACHE_DIR = join(folder, 'cache');

/**
 * Runs the built `fdistill` binary; resolves with its exit code and output, which never holds
 * tfjs's "Hi, looks like you are running TensorFlow.js in Node.js" banner.
 */
async function fdistill(args: string[], onStderr?: (text: string, kill: () => void) => void) {
  const result = await runBuiltCli(args, { cwd: folder, ...(onStderr ? { onStderr } : {}) });
  expect(`${result.stdout}${result.stderr}`).not.toContain('running TensorFlow.js in Node.js');
  return result;
}

/** A shortened ring8 run: small networks and batches, so the cpu backend takes seconds. */
const smallConfig = join(folder, 'small.yaml');
writeFileSync(smallConfig, smallRing8Config(20, { evaluationEvery: 10, checkpointEvery: 5 }));

// Each spawn loads tfjs in a fresh Node process (1-2 s on a loaded 2-core machine). The timeout
// guards against a hang, not for speed (benches measure that): on a slow 2-core CPU shared with
// other work, the Fashion-MNIST tests take over 120 s.
describe('fdistill (the built binary)', { timeout: 300_000 }, () => {
  it('distills a shortened preset and writes the run folder and summary', async () => {
    const out = join(folder, 'run');
    const result = await fdistill([
      'distill',
      '--config',
      smallConfig,
      '--divergence',
      'forward-kl',
      '--seed',
      '3',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(result.code).toBe(0);
    // Every core shares each step by default.
    const threads = availableParallelism();
    expect(result.stderr).toContain(
      `backend: cpu (chosen with --backend), ${threads} thread${threads === 1 ? '' : 's'}`,
    );
    for (const file of [
      'config.json',
      'checkpoint.safetensors',
      'metrics.jsonl',
      'samples.png',
      'summary.json',
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      divergence: 'forward-kl',
      preset: 'ring8',
      steps: 20,
      nfe: 1,
      modesTotal: 8,
      threads,
    });
    for (const key of ['modesCaptured', 'highQualityShare', 'precision', 'recall', 'wallSeconds']) {
      expect(Number.isFinite(summary[key]), key).toBe(true);
    }
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.phase !== 'evaluation')).toHaveLength(20);
    // Every evaluationEvery = 10 steps: the EMA student's modes, high-quality share and mode KL.
    const evaluations = lines.filter((line) => line.phase === 'evaluation');
    expect(evaluations.map((line) => line.step)).toEqual([10, 20]);
    for (const line of evaluations) {
      expect(line.modesCaptured).toBeGreaterThanOrEqual(0);
      expect(line.highQualityShare).toBeGreaterThanOrEqual(0);
    }
    expect(result.stdout).toContain('modes captured');
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ seed: 3, divergence: 'forward-kl', networkWidth: 16 });

    // The exported ONNX student, run by onnxruntime-node, gives the tfjs student's samples.
    expect(
      (await fdistill(['export', '--run', out, '--format', 'onnx', '--backend', 'cpu'])).code,
    ).toBe(0);
    const onnxSamples = join(folder, 'onnx.json');
    const tfjsSamples = join(folder, 'tfjs.json');
    expect(
      (
        await fdistill([
          'sample',
          '--onnx',
          join(out, 'student.onnx'),
          '-n',
          '50',
          '--batch-size',
          '16',
          '--out',
          onnxSamples,
        ])
      ).code,
    ).toBe(0);
    expect(
      (
        await fdistill([
          'sample',
          '--run',
          out,
          '-n',
          '50',
          '--out',
          tfjsSamples,
          '--backend',
          'cpu',
        ])
      ).code,
    ).toBe(0);
    const fromOnnx = JSON.parse(readFileSync(onnxSamples, 'utf8')).samples.flat() as number[];
    const fromTfjs = JSON.parse(readFileSync(tfjsSamples, 'utf8')).samples.flat() as number[];
    expect(fromOnnx).toHaveLength(100);
    const largest = Math.max(
      ...fromOnnx.map((value, index) => Math.abs(value - (fromTfjs[index] as number))),
    );
    expect(largest).toBeLessThanOrEqual(1e-4);
  });

  it('compares divergences in one table and re-measures a run with eval', async () => {
    const out = join(folder, 'compare');
    const compareArguments = [
      'compare',
      '--config',
      smallConfig,
      '--steps',
      '10',
      '--divergences',
      'reverse-kl,js',
      '--seeds',
      '2',
      '--seed',
      '3',
      '--out',
      out,
      '--backend',
      'cpu',
    ];
    const result = await fdistill(compareArguments);
    expect(result.code).toBe(0);
    // Two seeds: each cell is the mean ± the sample standard deviation of its two runs.
    expect(result.stdout).toMatch(/reverse-kl\s+yes\s+[0-9.]+ ± [0-9.]+\s+[0-9.]+ ± [0-9.]+/);
    expect(result.stdout).toMatch(/js\s+medium\s+[0-9.]+ ± /);
    // Then JS against reverse-KL: Welch's t over the seeds and the paired t of each seed, with p.
    expect(result.stdout).toMatch(
      /Welch t against reverse-kl \(p\)[^\n]*\n[- ]+\njs\s+-?[0-9.]+ \([0-9.]+\)/,
    );
    expect(result.stdout).toMatch(
      /paired t, seed by seed \(p\)[^\n]*\n[- ]+\njs\s+-?[0-9.]+ \([0-9.]+\)/,
    );
    const comparison = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(comparison.seeds).toEqual([3, 4]);
    expect(
      comparison.runs.map((run: { divergence: string; seed: number }) => [
        run.divergence,
        run.seed,
      ]),
    ).toEqual([
      ['reverse-kl', 3],
      ['reverse-kl', 4],
      ['js', 3],
      ['js', 4],
    ]);
    for (const entry of comparison.divergences) {
      const own = comparison.runs.filter(
        (run: { divergence: string }) => run.divergence === entry.divergence,
      );
      const [first, second] = own.map((run: { recall: number }) => run.recall);
      expect(entry.metrics.recall.mean).toBeCloseTo((first + second) / 2, 12);
      expect(entry.metrics.recall.standardDeviation).toBeCloseTo(
        Math.abs(first - second) / Math.SQRT2,
        12,
      );
    }
    expect(existsSync(join(out, 'compare.png'))).toBe(true);
    // Resumed once every run has finished: nothing trains, and the table and files come back.
    rmSync(join(out, 'compare.json'));
    rmSync(join(out, 'compare.png'));
    const again = await fdistill([...compareArguments, '--resume']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('[4/4] js, seed 4: finished before, summary kept');
    expect(again.stdout).toBe(result.stdout);
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'))).toEqual(comparison);
    expect(existsSync(join(out, 'compare.png'))).toBe(true);
    const evaluated = await fdistill([
      'eval',
      '--run',
      join(out, 'js-seed3'),
      '-n',
      '100',
      '--backend',
      'cpu',
    ]);
    expect(evaluated.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(out, 'js-seed3', 'summary.json'), 'utf8')).evaluationSamples,
    ).toBe(100);
  });

  it('trains a small teacher and reports the backend with doctor', async () => {
    const out = join(folder, 'teacher');
    const result = await fdistill([
      'teacher',
      'train',
      '--steps',
      '20',
      '--batch-size',
      '32',
      '--width',
      '16',
      '--depth',
      '2',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(result.code).toBe(0);
    for (const file of [
      'teacher.safetensors',
      'checkpoint.safetensors',
      'metrics.jsonl',
      'samples.png',
      'summary.json',
    ]) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).nfe).toBe(35);
    const doctor = await fdistill(['doctor']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/backend\s+(tensorflow-gpu|tensorflow|wasm|cpu):/);
    // Probing every backend, WebGPU through Dawn and Vulkan included, prints nothing of the
    // drivers' own (mesa's Vulkan drivers on a GPU-less machine used to add five lines).
    expect(doctor.stderr).toBe('');
  });

  it('compare stops on Ctrl-C with a checkpoint of the run in progress', async () => {
    const out = join(folder, 'compare-interrupted');
    const compareArguments = [
      'compare',
      '--config',
      smallConfig,
      '--steps',
      '400',
      '--divergences',
      'reverse-kl',
      '--out',
      out,
      '--backend',
      'cpu',
    ];
    let sent = false;
    const interrupted = await fdistill(compareArguments, (stderr, kill) => {
      if (!sent && / [0-9]+\/400 /.test(stderr)) {
        sent = true;
        kill();
      }
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('interrupted (SIGINT): finishing the current step');
    expect(interrupted.stderr).toContain(
      `continue the comparison with the same flags and --resume (--out ${out})`,
    );
    expect(existsSync(join(out, 'reverse-kl-seed0', 'checkpoint.safetensors'))).toBe(true);
    const resumed = await fdistill([...compareArguments, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('[1/1] reverse-kl, seed 0: 400 steps (resuming)');
  });

  it('checkpoints on Ctrl-C and resumes to the end on one thread', async () => {
    const out = join(folder, 'interrupted');
    let sent = false;
    const interrupted = await fdistill(
      ['distill', '--config', smallConfig, '--steps', '400', '--out', out, '--backend', 'cpu'],
      (stderr, kill) => {
        if (!sent && / [0-9]+\/400 /.test(stderr)) {
          sent = true;
          kill();
        }
      },
    );
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(`fdistill distill --resume ${out}`);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
    // The first process shared each step across every core (the default); threads are not part
    // of the run's config, so the run resumes on one.
    const resumed = await fdistill([
      'distill',
      '--resume',
      out,
      '--steps',
      '30',
      '--backend',
      'cpu',
      '--threads',
      '1',
    ]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('backend: cpu (chosen with --backend), 1 thread\n');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.steps).toBeGreaterThanOrEqual(30);
    expect(summary.threads).toBe(1);
    // Cut back to the checkpoint on resume: every step once, in order, and each evaluation once.
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const steps = lines.filter((line) => line.phase !== 'evaluation').map((line) => line.step);
    expect(steps).toEqual(Array.from({ length: summary.steps }, (_, index) => index));
    const evaluated = lines.filter((line) => line.phase === 'evaluation').map((line) => line.step);
    expect(new Set(evaluated).size).toBe(evaluated.length);
    // The resume is on record: the step it continued from and when.
    const resumes = readFileSync(join(out, 'resumes.jsonl'), 'utf8').trim().split('\n');
    expect(resumes).toHaveLength(1);
    const resume = JSON.parse(resumes[0] as string);
    expect(resume.step).toBeGreaterThan(0);
    expect(resume.step).toBeLessThan(400);
    expect(Number.isNaN(Date.parse(resume.time))).toBe(false);
  });

  it('stops on a truncated checkpoint with one line naming it, the run folder unchanged', async () => {
    const out = join(folder, 'truncated');
    const first = await fdistill([
      'distill',
      '--config',
      smallConfig,
      '--steps',
      '10',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(first.code).toBe(0);
    const checkpoint = join(out, 'checkpoint.safetensors');
    writeFileSync(checkpoint, readFileSync(checkpoint).subarray(0, 4000));
    const before = ['config.json', 'metrics.jsonl', 'checkpoint.safetensors'].map((file) =>
      readFileSync(join(out, file)),
    );
    const resumed = await fdistill([
      'distill',
      '--resume',
      out,
      '--steps',
      '20',
      '--backend',
      'cpu',
    ]);
    expect(resumed.code).toBe(2);
    const lines = resumed.stderr.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('fdistill:'))).toEqual([
      expect.stringContaining(`${checkpoint} is not a readable checkpoint`),
    ]);
    expect(resumed.stderr).not.toMatch(/\n\s+at /);
    const after = ['config.json', 'metrics.jsonl', 'checkpoint.safetensors'].map((file) =>
      readFileSync(join(out, file)),
    );
    expect(after).toEqual(before);
  });

  it('rejects a bad config with one line, exit code 2 and no run folder', async () => {
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ preset: 'ring8', stepz: 10 }));
    const out = join(folder, 'never');
    const result = await fdistill(['distill', '--config', bad, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown field "stepz"');
    expect(existsSync(out)).toBe(false);

    const negative = await fdistill(['distill', '--steps=-4', '--out', out]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('steps must be an integer >= 1, got -4');
    expect(existsSync(out)).toBe(false);
  });

  it('stops on a bad ONNX file, IDX file or teacher with one line naming it, exit 2, nothing written', async () => {
    const notOnnx = join(folder, 'not-a-model.onnx');
    writeFileSync(notOnnx, 'plain text, not a protobuf');
    const samples = join(folder, 'never.png');
    const onnx = await fdistill(['sample', '--onnx', notOnnx, '--out', samples]);
    expect(onnx.code).toBe(2);
    expect(onnx.stderr.trim().split('\n')).toEqual([
      `fdistill: --onnx ${notOnnx} is not a readable ONNX model (Protobuf parsing failed.)`,
    ]);
    expect(existsSync(samples)).toBe(false);

    // Fashion-MNIST files whose first image file is gzip of a header without its pixels.
    const data = join(folder, 'bad-idx');
    mkdirSync(data);
    for (const file of Object.values(FASHION_MNIST_FILES)) writeFileSync(join(data, file), 'x');
    const header = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28];
    writeFileSync(join(data, FASHION_MNIST_FILES.trainImages), gzipSync(Buffer.from(header)));
    const config = join(folder, 'bad-idx.yaml');
    writeFileSync(config, `preset: fashion-mnist\ndataPath: ${data}\n`);
    const out = join(folder, 'never-image');
    const idx = await fdistill(['distill', '--config', config, '--out', out]);
    expect(idx.code).toBe(2);
    expect(idx.stderr.trim().split('\n')).toEqual([
      `fdistill: dataPath: ${join(data, FASHION_MNIST_FILES.trainImages)} should hold 1568 uint8 values after its header (shape [2,28,28]), but has 0 bytes`,
    ]);
    expect(existsSync(out)).toBe(false);

    const teacher = join(folder, 'bad-teacher.safetensors');
    writeFileSync(teacher, Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 123]));
    const realData = await fdistill([
      'distill',
      '--preset',
      'fashion-mnist',
      '--teacher',
      teacher,
      '--out',
      out,
    ]);
    expect(realData.code).toBe(2);
    expect(realData.stderr.trim().split('\n')).toHaveLength(1);
    // The data is checked first: without Debian's dataset the line names dataPath instead.
    const haveData = existsSync(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.trainImages));
    expect(realData.stderr).toContain(
      haveData
        ? `fdistill: teacher ${teacher} is not a U-Net teacher: decodeSafetensors: header length 16 exceeds the file's 9 bytes (truncated or not a safetensors file)`
        : `fdistill: dataPath ${FASHION_MNIST_PATH} has no`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an unknown preset, command or flag with exit code 2', async () => {
    const preset = await fdistill(['distill', '--preset', 'ring9']);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toContain(
      'preset must be one of ring8, grid25, fashion-mnist; got "ring9"',
    );
    expect((await fdistill(['distil'])).stderr).toContain('unknown command "distil"');
    // A teacher that is not a U-Net teacher stops before any folder is written.
    const notTeacher = join(folder, 'not-a-teacher.safetensors');
    writeFileSync(notTeacher, 'not safetensors');
    const fashionConfig = join(folder, 'fashion.yaml');
    writeFileSync(fashionConfig, `preset: fashion-mnist\nteacherPath: ${notTeacher}\n`);
    const fashion = await fdistill([
      'distill',
      '--config',
      fashionConfig,
      '--out',
      join(folder, 'fashion'),
    ]);
    expect(fashion.code).toBe(2);
    expect(fashion.stderr).toMatch(/is not a U-Net teacher|has no train-images-idx3-ubyte.gz/);
    expect(existsSync(join(folder, 'fashion'))).toBe(false);
    expect((await fdistill(['distill', '--stepz', '3'])).code).toBe(2);
    // A bad thread count stops before any folder is written, naming the flag.
    const threads = await fdistill(['distill', '--threads', '0', '--out', join(folder, 'threads')]);
    expect(threads.code).toBe(2);
    expect(threads.stderr.trim()).toBe('fdistill: --threads must be an integer >= 1, got 0');
    expect(existsSync(join(folder, 'threads'))).toBe(false);
    // --threads draws teacher samples in eval and sample; elsewhere there it is a usage error.
    const evalThreads = await fdistill(['eval', '--samples', notTeacher, '--threads', '2']);
    expect(evalThreads.code).toBe(2);
    expect(evalThreads.stderr.trim()).toBe(
      'fdistill: --threads applies to --run and --teacher (they draw teacher samples)',
    );
    // --classifier: a file that exists, for --samples and --teacher only.
    const missingClassifier = await fdistill([
      'eval',
      '--samples',
      notTeacher,
      '--classifier',
      join(folder, 'missing.onnx'),
    ]);
    expect(missingClassifier.code).toBe(2);
    expect(missingClassifier.stderr.trim()).toBe(
      `fdistill: --classifier must be an ONNX file, got ${join(folder, 'missing.onnx')} (no such file)`,
    );
    const runClassifier = await fdistill(['eval', '--run', folder, '--classifier', notTeacher]);
    expect(runClassifier.code).toBe(2);
    expect(runClassifier.stderr).toContain('--classifier applies to --samples and --teacher');
    const teacherThreads = await fdistill(['eval', '--teacher', notTeacher, '--threads', '0']);
    expect(teacherThreads.stderr.trim()).toBe('fdistill: --threads must be an integer >= 1, got 0');
    const sampleThreads = await fdistill([
      'sample',
      '--run',
      folder,
      '--threads',
      '2',
      '--out',
      join(folder, 'samples.png'),
    ]);
    expect(sampleThreads.code).toBe(2);
    expect(sampleThreads.stderr.trim()).toBe(
      'fdistill: --threads applies to --teacher (the teacher of an image run)',
    );
    expect(existsSync(join(folder, 'samples.png'))).toBe(false);
  });

  it.skipIf(!existsSync(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.trainImages)))(
    'trains the Fashion-MNIST teacher, resumes it without duplicating metrics, and refuses a used folder',
    async () => {
      const out = join(folder, 'teacher-fashion');
      const first = await fdistill([
        'teacher',
        'train',
        '--preset',
        'fashion-mnist',
        '--steps',
        '2',
        '--out',
        out,
      ]);
      expect(first.code).toBe(0);
      for (const file of [
        'config.json',
        'checkpoint.safetensors',
        'metrics.jsonl',
        'samples.png',
        'teacher.safetensors',
        'summary.json',
      ])
        expect(existsSync(join(out, file))).toBe(true);
      // The first run shared its batches across every core (the default); the resumed one
      // runs on this thread alone.
      expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).threads).toBe(
        availableParallelism(),
      );
      const resumed = await fdistill([
        'teacher',
        'train',
        '--resume',
        out,
        '--steps',
        '3',
        '--threads',
        '1',
      ]);
      expect(resumed.code).toBe(0);
      const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { step: number }).step);
      expect(steps).toEqual([0, 1, 2]);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({
        preset: 'fashion-mnist',
        steps: 3,
        nfe: 35,
        parameters: 184801,
        threads: 1,
      });
      expect(summary.wallSeconds).toBeGreaterThan(0);
      const again = await fdistill(['teacher', 'train', '--preset', 'fashion-mnist', '--out', out]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('already holds files');
    },
  );

  it.skipIf(!existsSync(join(FASHION_MNIST_PATH, FASHION_MNIST_FILES.trainImages)))(
    'distills Fashion-MNIST from the shipped teacher, measures it, and samples it as .npz and through ONNX',
    async () => {
      const config = join(folder, 'fashion-tiny.yaml');
      writeFileSync(
        config,
        'preset: fashion-mnist\nseed: 3\nsteps: 2\nbatchSize: 2\nevaluationSamples: 20\ncheckpointEvery: 1\nstudentWarmStartSteps: 2\n',
      );
      const out = join(folder, 'fashion-run');
      const run = await fdistill(['distill', '--config', config, '--out', out]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('domain-FID');
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      for (const key of [
        'domainFid',
        'teacherDomainFid',
        'teacherNfe',
        'classesCovered',
        'classKl',
        'labelAccuracy',
        'precision',
        'recall',
      ])
        expect(Number.isFinite(summary[key])).toBe(true);
      expect(summary.teacherNfe).toBe(35);
      expect(summary.teacherGuidanceScale).toBe(PRESETS['fashion-mnist'].guidanceScale ?? 1);
      expect(Number.isFinite(summary.realDataDomainFid)).toBe(true);
      const npz = join(folder, 'fashion.npz');
      expect((await fdistill(['sample', '--run', out, '-n', '20', '--out', npz])).code).toBe(0);
      const bytes = readFileSync(npz).toString('latin1');
      expect(bytes).toContain("'descr': '|u1', 'fortran_order': False, 'shape': (20, 28, 28, 1)");
      expect(bytes).toContain("'descr': '<i8', 'fortran_order': False, 'shape': (20,)");
      // The saved samples (drawn, by default, with the run's seed) score exactly as the run's
      // evaluation scored them.
      const scored = await fdistill(['eval', '--samples', npz, '--json']);
      expect(scored.code).toBe(0);
      expect(JSON.parse(scored.stdout)).toMatchObject({
        count: 20,
        samplesDomainFid: summary.domainFid,
        samplesRecall: summary.recall,
        samplesLabelAccuracy: summary.labelAccuracy,
        realDataDomainFid: summary.realDataDomainFid,
      });
      // So do the teacher's (drawn, by default, with the evaluation's teacher seed).
      const teacherNpz = join(folder, 'fashion-teacher.npz');
      const teacherSampled = await fdistill([
        'sample',
        '--run',
        out,
        '--teacher',
        '-n',
        '20',
        '--out',
        teacherNpz,
      ]);
      expect(teacherSampled.code).toBe(0);
      const teacherScored = await fdistill(['eval', '--samples', teacherNpz, '--json']);
      expect(JSON.parse(teacherScored.stdout).samplesDomainFid).toBe(summary.teacherDomainFid);
      // --classifier naming the shipped classifier scores exactly as without it.
      const shippedClassifier = fileURLToPath(
        new URL('../models/fashion-mnist-classifier.onnx', import.meta.url),
      );
      const rescored = await fdistill([
        'eval',
        '--samples',
        npz,
        '--classifier',
        shippedClassifier,
        '--json',
      ]);
      expect(JSON.parse(rescored.stdout)).toEqual(JSON.parse(scored.stdout));
      const onnx = join(folder, 'fashion-student.onnx');
      expect(
        (await fdistill(['export', '--run', out, '--format', 'onnx', '--out', onnx])).code,
      ).toBe(0);
      const grid = join(folder, 'fashion-onnx.png');
      const sampled = await fdistill([
        'sample',
        '--onnx',
        onnx,
        '-n',
        '10',
        '--label',
        '3',
        '--out',
        grid,
      ]);
      expect(sampled.code).toBe(0);
      expect(existsSync(grid)).toBe(true);
    },
  );

  it('samples the shipped ONNX student into a real .npz (uint8 samples, int64 labels)', async () => {
    const student = fileURLToPath(
      new URL('../../../apps/demo/public/models/student.onnx', import.meta.url),
    );
    const out = join(folder, 'onnx-samples.npz');
    const sampled = await fdistill([
      'sample',
      '--onnx',
      student,
      '-n',
      '4',
      '--label',
      '3',
      '--out',
      out,
    ]);
    expect(sampled.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x50, 0x4b, 0x03, 0x04]); // a zip file
    const arrays = await decodeNpz(bytes);
    const text = Buffer.from(bytes).toString('latin1');
    // The dataset's 28x28 centre of the 32x32 the network draws, as `sample --run` writes.
    expect(text).toContain("'descr': '|u1', 'fortran_order': False, 'shape': (4, 28, 28, 1)");
    expect(text).toContain("'descr': '<i8', 'fortran_order': False, 'shape': (4,)");
    const pixels = Array.from(arrays.get('samples')?.data ?? []);
    expect(pixels.length).toBe(4 * 28 * 28);
    expect(pixels.every((value) => Number.isInteger(value) && value >= 0 && value <= 255)).toBe(
      true,
    );
    expect(new Set(pixels).size).toBeGreaterThan(10);
    expect(Array.from(arrays.get('labels')?.data ?? [])).toEqual([3, 3, 3, 3]);
    const grid = join(folder, 'onnx-samples.png');
    expect((await fdistill(['sample', '--onnx', student, '-n', '4', '--out', grid])).code).toBe(0);
    expect(readFileSync(grid).subarray(1, 4).toString()).toBe('PNG');
  });

  it('prints help for every command', async () => {
    for (const command of ['distill', 'compare', 'sample', 'eval', 'export', 'doctor']) {
      const result = await fdistill([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`fdistill ${command}`);
    }
    expect((await fdistill(['teacher', 'train', '--help'])).stdout).toContain(
      'fdistill teacher train',
    );
  });
});
