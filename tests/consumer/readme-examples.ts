import { readFileSync } from 'node:fs';

/**
 * Edits that shorten a README example for the consumer test (fewer steps, no long training).
 * Each `from` must occur in the README's first TypeScript block, so a README that changes shape
 * fails the test instead of silently running something else.
 */
export const SHORTENINGS: Record<string, [from: string, to: string][]> = {
  utils: [],
  backend: [],
  divergence: [],
  score: [],
  discriminator: [],
  eval: [],
  trainer: [
    [
      'await distiller.warmStartStudent({ steps: 3000, pairs: 16384',
      'await distiller.warmStartStudent({ steps: 20, pairs: 512',
    ],
    ['await distiller.prefitFakeScore(500);', 'await distiller.prefitFakeScore(5);'],
    ['totalSteps: 1000,', 'totalSteps: 10,'],
  ],
};

/** The first ```ts block of a package's README, shortened by `SHORTENINGS`. */
export function readmeExample(readmePath: string, packageName: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error(`${readmePath} has no \`\`\`ts example`);
  let example = match[1] as string;
  for (const [from, to] of SHORTENINGS[packageName] ?? []) {
    if (!example.includes(from)) {
      throw new Error(`${readmePath}: the example no longer contains ${JSON.stringify(from)}`);
    }
    example = example.replace(from, to);
  }
  return example;
}
