// The demo in a real browser: builds on `vite build`'s dist/ (turbo runs the build first), serves
// it from a local static server and drives Debian's chromium through playwright-core.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixtureModeMetrics } from '@fdistill/eval';
import { RING8_WEIGHTS } from '@fdistill/trainer';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const app = fileURLToPath(new URL('..', import.meta.url));
const dist = join(app, 'dist');
const artifacts = join(app, 'artifacts');
const measurements = join(artifacts, 'measurements.txt');

/** Records a measured figure in artifacts/measurements.txt (tests print nothing). */
function measured(line: string): void {
  appendFileSync(measurements, `${line}\n`);
}
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cli = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

/** The page's short run: the ring8 preset with a shorter warm start (URL parameters). */
const SHORT_RUN = { steps: 300, warmStartSteps: 300, warmStartPairs: 2048, prefitSteps: 100 };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
};

/** A static file server over `root` on a free port, as any static host would serve the site. */
function serve(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The exact ring8 teacher as `@fdistill/eval` takes it (radius 1, std 0.05, weights 4:1:...:1). */
const RING8 = (() => {
  const total = RING8_WEIGHTS.reduce((sum, weight) => sum + weight, 0);
  return {
    weights: RING8_WEIGHTS.map((weight) => weight / total),
    means: RING8_WEIGHTS.map((_, index) => [
      Math.cos((2 * Math.PI * index) / 8),
      Math.sin((2 * Math.PI * index) / 8),
    ]),
    stds: RING8_WEIGHTS.map(() => 0.05),
  };
})();

/** An object's values as strings (for URL parameters). */
function mapValues(values: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}

/** How much a canvas varies: 0 for a blank (single-colour) one. */
function canvasSpread(page: Page, id: string): Promise<number> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set<number>();
    for (let index = 0; index < data.length; index += 4 * 7) seen.add(data[index] as number);
    return seen.size;
  }, id);
}

describe('the demo in chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let base: string;
  const consoleErrors: string[] = [];
  let shortRun:
    | {
        backend: string;
        modesCaptured: number;
        highQualityFraction: number;
        modeKlDivergence: number;
      }
    | undefined;

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) {
      execFileSync('pnpm', ['exec', 'vite', 'build'], { cwd: app, stdio: 'inherit' });
    }
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(measurements, '');
    server = await serve(dist);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      // WebGPU on chromium's SwiftShader adapter (a secure context: the page is on 127.0.0.1).
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('distills ring8 for 300 steps; switching the divergence restarts with it; the metrics shown are those of the samples', async () => {
    // A short warm start keeps the test quick (the page's defaults are the CLI's 3,000 updates).
    const query = new URLSearchParams({ ...mapValues(SHORT_RUN), autostart: '1' });
    await page.goto(`${base}?${query}#distill`);
    await page.waitForFunction(() => document.body.dataset.evaluatedStep === '50', undefined, {
      timeout: 150_000,
    });
    expect(await page.evaluate(() => document.body.dataset.divergence)).toBe('js');
    // Pause holds the step count; resume goes on from it.
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.phase === 'paused');
    const pausedAt = await page.textContent('#status');
    await page.waitForTimeout(1500);
    expect(await page.textContent('#status')).toBe(pausedAt);
    await page.click('#pause');
    await page.waitForFunction(() => document.body.dataset.evaluatedStep === '75', undefined, {
      timeout: 60_000,
    });
    const backend = await page.evaluate(() => document.body.dataset.backend);
    const firstRun = await page.evaluate(() => document.body.dataset.runId);

    await page.selectOption('#divergence', 'forward-kl');
    expect(await page.evaluate(() => document.body.dataset.runId)).not.toBe(firstRun);
    expect(await page.evaluate(() => document.body.dataset.divergence)).toBe('forward-kl');
    await page.waitForFunction(() => document.body.dataset.phase === 'done', undefined, {
      timeout: 200_000,
    });

    const evaluation = await page.evaluate(() =>
      (
        globalThis as unknown as {
          fdistillDemo: {
            lastEvaluation(): {
              step: number;
              divergence: string;
              samples: number[][];
              minimumCount: number;
              modesCaptured: number;
              highQualityFraction: number;
              modeKlDivergence: number;
            };
          };
        }
      ).fdistillDemo.lastEvaluation(),
    );
    expect(evaluation.step).toBe(300);
    expect(evaluation.divergence).toBe('forward-kl');
    expect(evaluation.samples).toHaveLength(2500);
    // The page's exported samples, measured again here: the numbers shown must be theirs.
    const recomputed = mixtureModeMetrics(evaluation.samples, RING8, {
      minimumCount: evaluation.minimumCount,
    });
    const shown = await page.evaluate(() => ({
      step: document.getElementById('metric-step')?.textContent,
      modes: document.getElementById('metric-modes')?.textContent,
      highQualityShare: document.getElementById('metric-high-quality')?.textContent,
      modeKl: document.getElementById('metric-mode-kl')?.textContent,
      millisecondsPerStep: document.body.dataset.millisecondsPerStep,
    }));
    expect(shown.step).toBe('300');
    expect(shown.modes).toBe(`${recomputed.modesCaptured} / 8`);
    expect(shown.highQualityShare).toBe(recomputed.highQualityFraction.toFixed(3));
    expect(shown.modeKl).toBe(recomputed.modeKlDivergence.toFixed(3));
    // The downloadable JSON is the same evaluation.
    const downloaded = await page.evaluate(async () => {
      const link = document.getElementById('download-samples') as HTMLAnchorElement;
      return (await (await fetch(link.href)).json()) as { samples: number[][] };
    });
    expect(downloaded.samples).toEqual(evaluation.samples);
    expect(await canvasSpread(page, 'scatter')).toBeGreaterThan(3);
    expect(await canvasSpread(page, 'losses')).toBeGreaterThan(3);
    expect(await canvasSpread(page, 'weights')).toBeGreaterThan(3);
    measured(
      `demo: ${backend}, ${shown.millisecondsPerStep} ms per step; ring8 forward-kl after 300 steps: modes ${shown.modes}, high-quality ${shown.highQualityShare}, mode KL ${shown.modeKl}`,
    );
    await page.screenshot({ path: join(artifacts, 'distill.png'), fullPage: true });
    shortRun = { backend: backend ?? '', ...evaluation };
  });

  it('runs the live distillation on webgpu and webgl (SwiftShader) as on wasm, which auto keeps', async () => {
    // The shortest run the page allows: the GPU backends run on the CPU here, slowly.
    const tiny = { steps: 10, warmStartSteps: 4, warmStartPairs: 64, prefitSteps: 2 };
    const samplesOn: Record<string, number[][]> = {};
    for (const backend of ['wasm', 'webgl', 'webgpu']) {
      const tab = await browser.newPage();
      tab.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(`${backend}: ${message.text()}`);
      });
      tab.on('pageerror', (error) => consoleErrors.push(`${backend}: ${error.message}`));
      const started = performance.now();
      const query = new URLSearchParams({ ...mapValues(tiny), backend, autostart: '1' });
      await tab.goto(`${base}?${query}#distill`);
      await tab.waitForFunction(
        () => ['done', 'error'].includes(document.body.dataset.phase ?? ''),
        undefined,
        { timeout: 400_000 },
      );
      expect(await tab.evaluate(() => document.body.dataset.phase)).toBe('done');
      expect(await tab.evaluate(() => document.body.dataset.backend)).toBe(backend);
      const line = await tab.textContent('#backend-line');
      if (backend !== 'wasm') expect(line).toContain('software');
      const evaluation = await tab.evaluate(() =>
        (
          globalThis as unknown as {
            fdistillDemo: { lastEvaluation(): { step: number; samples: number[][] } };
          }
        ).fdistillDemo.lastEvaluation(),
      );
      expect(evaluation.step).toBe(tiny.steps);
      samplesOn[backend] = evaluation.samples;
      measured(
        `demo: ${tiny.steps} steps on ${backend} in ${((performance.now() - started) / 1000).toFixed(0)} s (${line})`,
      );
      await tab.close();
    }
    // The same run: one-step samples from the same latents, to float32 summation order.
    const reference = samplesOn.wasm as number[][];
    for (const backend of ['webgl', 'webgpu']) {
      let largest = 0;
      (samplesOn[backend] as number[][]).forEach((point, index) => {
        point.forEach((value, axis) => {
          largest = Math.max(largest, Math.abs(value - (reference[index]?.[axis] as number)));
        });
      });
      measured(`demo: largest sample difference ${backend} vs wasm: ${largest.toExponential(2)}`);
      expect(largest, backend).toBeLessThan(1e-3);
    }
    expect(consoleErrors).toEqual([]);
  });

  it('gives the same run as the CLI with the same seed on the same backend', async () => {
    expect(shortRun, 'needs the 300-step run above').toBeDefined();
    const run = shortRun as NonNullable<typeof shortRun>;
    expect(run.backend).toBe('wasm');
    const folder = mkdtempSync(join(tmpdir(), 'fdistill-demo-'));
    try {
      const config = join(folder, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          preset: 'ring8',
          divergence: 'forward-kl',
          seed: 0,
          steps: SHORT_RUN.steps,
          studentWarmStartSteps: SHORT_RUN.warmStartSteps,
          studentWarmStartPairs: SHORT_RUN.warmStartPairs,
          fakeScorePrefitSteps: SHORT_RUN.prefitSteps,
          evaluationSamples: 2500,
        }),
      );
      execFileSync(
        'node',
        // One thread, as the demo's worker: more threads sum the batch in another order.
        [
          cli,
          'distill',
          '--config',
          config,
          '--backend',
          'wasm',
          '--threads',
          '1',
          '--out',
          join(folder, 'run'),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const summary = JSON.parse(readFileSync(join(folder, 'run', 'summary.json'), 'utf8'));
      // The CLI's final evaluation draws 2,500 samples from the same latents as the page's.
      expect(summary.modesCaptured).toBe(run.modesCaptured);
      expect(summary.highQualityShare).toBe(run.highQualityFraction);
      expect(summary.modeKlDivergence).toBeCloseTo(run.modeKlDivergence, 9);
      measured(
        `demo: the CLI on wasm: modes ${summary.modesCaptured}, high-quality ${summary.highQualityShare}, mode KL ${summary.modeKlDivergence}; the page: ${run.modesCaptured}, ${run.highQualityFraction}, ${run.modeKlDivergence}`,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('draws the one-step grid and the teacher grid, each with its time', async () => {
    await page.goto(`${base}#one-step`);
    await page.waitForFunction(
      () => {
        const state = document.getElementById('view-one-step')?.dataset.state;
        return state === 'done' || state === 'error';
      },
      undefined,
      { timeout: 120_000 },
    );
    const result = JSON.parse(
      (await page.evaluate(() => document.getElementById('view-one-step')?.dataset.result)) ??
        'null',
    );
    expect(result).not.toBeNull();
    expect(result.teacherEvaluations).toBe(35);
    expect(result.studentMilliseconds).toBeGreaterThan(0);
    expect(result.teacherMilliseconds).toBeGreaterThan(result.studentMilliseconds);
    expect(await page.textContent('#student-time')).toMatch(/ms for 16/);
    expect(await page.textContent('#teacher-time')).toMatch(/ms for 16/);
    expect(await canvasSpread(page, 'student-grid')).toBeGreaterThan(10);
    expect(await canvasSpread(page, 'teacher-grid')).toBeGreaterThan(10);
    measured(
      `demo: one step ${result.studentMilliseconds.toFixed(0)} ms vs teacher ${result.teacherMilliseconds.toFixed(0)} ms (35 NFE) for 16 images`,
    );
    await page.screenshot({ path: join(artifacts, 'one-step.png'), fullPage: true });
  });

  it('draws f, h and the normalized-variance curves of every divergence', async () => {
    await page.goto(`${base}#divergences`);
    await page.waitForFunction(() => document.getElementById('view-divergences')?.dataset.drawn);
    await page.fill('#family-alpha', '1.5');
    await page.dispatchEvent('#family-alpha', 'input');
    const drawn = JSON.parse(
      (await page.evaluate(() => document.getElementById('view-divergences')?.dataset.drawn)) ??
        'null',
    ) as { alpha: number; series: { name: string; f: number; h: number; variance: number }[] };
    expect(drawn.alpha).toBe(1.5);
    expect(drawn.series.length).toBeGreaterThanOrEqual(9);
    for (const series of drawn.series) {
      expect(series.f, series.name).toBeGreaterThan(50);
      expect(series.h, series.name).toBeGreaterThan(50);
      expect(series.variance, series.name).toBeGreaterThan(5);
    }
    for (const id of ['curve-f', 'curve-h', 'curve-variance']) {
      expect(await canvasSpread(page, id)).toBeGreaterThan(5);
    }
    expect(await page.locator('#divergence-table tbody tr').count()).toBeGreaterThanOrEqual(8);
    await page.screenshot({ path: join(artifacts, 'divergences.png'), fullPage: true });
  });

  it('fits a phone-width screen and logs no console errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ['distill', 'one-step', 'divergences']) {
      await page.goto(`${base}#${view}`);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${view} overflows at 390 px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(artifacts, `${view}-phone.png`), fullPage: true });
    }
    expect(consoleErrors).toEqual([]);
  });
});
