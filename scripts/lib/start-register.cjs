// `npm start`'s TypeScript loader (decision 0036), in place of tsx's: it compiles only the
// project's own `.ts` files, each once (esbuild, cached on disk by content), and leaves every other
// file to Node's own loader. tsx resolves, lexes and checks its cache for every one of the ~2,700
// modules, `node_modules` included, and turns on Node's source maps for all of them; that was about
// a sixth of a warm start's CPU. Source maps stay on for the project's files, whose stack traces
// keep their TypeScript positions, and off for `node_modules` (reading and parsing their `.map`
// files was a fifth of loading them). Plain JavaScript, so that nothing has to compile it.
'use strict';
const { createHash, randomUUID } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');

const root = dirname(require.resolve('../../package.json'));
const cacheDir = join(root, 'node_modules', '.cache', 'fitnexa-start');
// The esbuild tsx itself runs on (tsx is a devDependency and depends on it), so `npm start`
// compiles TypeScript exactly as the project's `tsx` scripts do.
const fromTsx = Module.createRequire(require.resolve('tsx/package.json'));
/** @type {import('esbuild') | undefined} */
let esbuild;
// Every package's tsconfig extends this one; what esbuild reads of it (the target's class fields,
// decorators, import elision) is the same in all of them.
const tsconfigRaw = readFileSync(join(root, 'tsconfig.base.json'), 'utf8');
const esbuildVersion = fromTsx('esbuild/package.json').version;

/** The CommonJS (tsx's format for `.ts` outside `"type": "module"`) for one file, with its map inline. */
function compile(source, filename) {
  const key = createHash('sha256')
    .update(`${esbuildVersion}\0${tsconfigRaw}\0${filename}\0${source}`)
    .digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not compiled yet (or the cache is gone): compile it now.
  }
  esbuild ??= fromTsx('esbuild');
  const { code } = esbuild.transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'inline',
    sourcefile: filename,
    tsconfigRaw,
    // import() stays import() (Node's ESM loader), as under tsx, instead of becoming require().
    supported: { 'dynamic-import': true },
  });
  mkdirSync(cacheDir, { recursive: true });
  // Another start may be writing the same entry: each writes its own file and renames it over.
  const partial = `${cached}.${randomUUID()}`;
  writeFileSync(partial, code);
  renameSync(partial, cached);
  return code;
}

/** Runs `load` with Node's source maps on or off, then as they were. */
function withSourceMaps(enabled, load) {
  const before = process.sourceMapsEnabled;
  if (before !== enabled) process.setSourceMapsEnabled(enabled);
  try {
    return load();
  } finally {
    if (process.sourceMapsEnabled !== before) process.setSourceMapsEnabled(before);
  }
}

const loadJs = Module._extensions['.js'];
Module._extensions['.js'] = (module, filename) =>
  withSourceMaps(false, () => loadJs(module, filename));
Module._extensions['.ts'] = (module, filename) =>
  withSourceMaps(true, () =>
    module._compile(compile(readFileSync(filename, 'utf8'), filename), filename),
  );
// On: stack traces are mapped through the maps the project's files registered.
process.setSourceMapsEnabled(true);
