// `pnpm docs`: API reference from the JSDoc of every published package, into docs/api (ignored).
// Entry points are each package's `exports` (dist/X.js documented from src/X.ts), converted as one
// TypeScript program with `@fdistill/*` resolved to sources, so links cross packages and the
// tfjs declarations are read once. Warnings (a broken {@link}, a public type that references
// something no entry point exports) fail the run.
import { readdirSync, readFileSync } from 'node:fs';

const entryPoints = [];
const paths = {};
for (const folder of readdirSync('packages')) {
  const manifest = JSON.parse(readFileSync(`packages/${folder}/package.json`, 'utf8'));
  if (manifest.private) continue;
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const file = typeof target === 'string' ? target : (target.import ?? target.default);
    if (typeof file !== 'string' || !file.startsWith('./dist/') || !file.endsWith('.js')) continue;
    const source = `packages/${folder}/src/${file.slice('./dist/'.length, -'.js'.length)}.ts`;
    entryPoints.push(source);
    paths[`${manifest.name}${subpath.slice(1)}`] = [`./${source}`];
  }
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'fdistill',
  entryPointStrategy: 'resolve',
  entryPoints,
  tsconfig: 'tsconfig.docs.json',
  compilerOptions: { paths },
  plugin: ['./scripts/typedoc-package-names.mjs'],
  out: 'docs/api',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  // No links to a hosted repository: the reference builds the same with or without a git remote.
  disableSources: true,
  // `pnpm typecheck` checks the types; the docs run only converts them.
  skipErrorChecking: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: false },
};
