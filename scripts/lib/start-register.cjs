// `npm start`'s module loader (decision 0036), in place of tsx's. tsx resolves, lexes and checks its
// cache for every one of the ~2,700 modules, `node_modules` included, and turns on Node's source
// maps for all of them: about a sixth of a warm start's CPU. This loader
// - compiles only the project's own `.ts` files, each once (esbuild, cached on disk by content),
//   with source maps, so that their stack traces keep their TypeScript positions;
// - runs the CommonJS of `node_modules` (and any other `.js`) from V8's code cache: Node 20 compiles
//   every module from its source at every start (Node 22's `module.enableCompileCache()` is this
//   cache), about a fifth of the main thread's start;
// - leaves their source maps off (reading and parsing their `.map` files was a fifth of loading
//   them) and everything else to Node: resolution, ES modules, JSON, addons.
// Plain JavaScript, so that nothing has to compile it.
'use strict';
const { Buffer } = require('node:buffer');
const { createHash, hash, randomUUID } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { setTimeout } = require('node:timers');
const { Script } = require('node:vm');

const root = dirname(require.resolve('../../package.json'));
const cacheDir = join(root, 'node_modules', '.cache', 'fitnexa-start');

/** Writes `data` to `file` so that a reader sees the old or the new file, never a part. */
function replaceFile(file, data) {
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${randomUUID()}`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

// --- TypeScript ---

// The esbuild tsx itself runs on (tsx is a devDependency and depends on it), with the options tsx
// gives it for a `.ts` file outside `"type": "module"`.
const fromTsx = Module.createRequire(require.resolve('tsx/package.json'));
/** @type {import('esbuild') | undefined} */
let esbuild;
const esbuildOptions = {
  loader: 'ts',
  format: 'cjs',
  target: `node${process.versions.node}`,
  sourcemap: 'inline',
  sourcesContent: false,
  minifyWhitespace: true,
  keepNames: true,
  // Every package's tsconfig extends this one; what esbuild reads of it (the target's class
  // fields, decorators, import elision) is the same in all of them.
  tsconfigRaw: readFileSync(join(root, 'tsconfig.base.json'), 'utf8'),
  // import() stays import() (Node's ESM loader), as under tsx, instead of becoming require().
  supported: { 'dynamic-import': true },
};
const compilerKey = `${fromTsx('esbuild/package.json').version}\0${JSON.stringify(esbuildOptions)}`;

/** The CommonJS for one `.ts` file, with its source map inline. */
function compileTypeScript(source, filename) {
  const key = createHash('sha256').update(`${compilerKey}\0${filename}\0${source}`).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not compiled yet (or the cache is gone): compile it now.
  }
  esbuild ??= fromTsx('esbuild');
  const { code } = esbuild.transformSync(source, { ...esbuildOptions, sourcefile: filename });
  try {
    // Another start may be writing the same entry: each writes its own file and renames it over.
    replaceFile(cached, code);
  } catch {
    // A read-only node_modules: compiled again at the next start.
  }
  return code;
}

// --- V8's code cache for CommonJS ---

// One file: the index's length (4 bytes), the index (JSON: file → source hash, offset, size), then
// every file's cached data. V8 checks that cached data fits its V8 and flags, and rejects it if not
// (compiling from source, as without a cache); the hash makes sure it is this source's.
const codeCacheFile = join(cacheDir, `code-cache-${process.version}-${process.arch}.bin`);
let codeCache = readCodeCache();
/** Files compiled from source this time, whose cached data the next save adds. */
const compiled = new Map();
/** Saves once a start's modules are loaded: a few seconds after the last one compiled from source. */
const saveTimer = setTimeout(saveCodeCache, 3_000).unref();

function readCodeCache() {
  try {
    const file = readFileSync(codeCacheFile);
    const indexLength = file.readUInt32LE(0);
    return {
      index: JSON.parse(file.subarray(4, 4 + indexLength).toString('utf8')),
      data: file.subarray(4 + indexLength),
    };
  } catch {
    return { index: {}, data: Buffer.alloc(0) };
  }
}

function saveCodeCache() {
  if (!compiled.size) return;
  const index = {};
  const parts = [];
  let offset = 0;
  const add = (filename, sourceHash, data) => {
    index[filename] = { hash: sourceHash, offset, size: data.length };
    parts.push(data);
    offset += data.length;
  };
  for (const [filename, entry] of Object.entries(codeCache.index)) {
    if (compiled.has(filename)) continue;
    add(filename, entry.hash, codeCache.data.subarray(entry.offset, entry.offset + entry.size));
  }
  // After the start: the functions it ran are compiled by now, and cached with the rest.
  for (const [filename, { script, sourceHash }] of compiled) {
    add(filename, sourceHash, script.createCachedData());
  }
  compiled.clear();
  const indexJson = Buffer.from(JSON.stringify(index));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(indexJson.length);
  const data = Buffer.concat(parts);
  codeCache = { index, data };
  try {
    replaceFile(codeCacheFile, Buffer.concat([header, indexJson, data]));
  } catch {
    // A read-only node_modules: the next start compiles from source again, as Node does.
  }
}

/** Directory → whether the `.js` files in it are CommonJS (their package's `type`). */
const commonJsDirs = new Map();

function isCommonJs(filename) {
  const visited = [];
  let result;
  for (let dir = dirname(filename); result === undefined;) {
    result = commonJsDirs.get(dir);
    if (result !== undefined) break;
    visited.push(dir);
    try {
      result = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type !== 'module';
    } catch (error) {
      const parent = dirname(dir);
      // No package.json here: its parent's decides. An unreadable one: Node's loader decides.
      if (error.code !== 'ENOENT') result = false;
      else if (parent === dir) result = true;
      else dir = parent;
    }
  }
  for (const dir of visited) commonJsDirs.set(dir, result);
  return result;
}

const wrapperLength = Module.wrap('').indexOf('\n');

/** As Node's `require` for `module`. */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/**
 * Runs a CommonJS file from the code cache (compiling it from source, for the next start, when it
 * has none); false for what Node's own loader runs: ES modules, and files with `import()`, which
 * Node 20 cannot run from cached data (the import finds no loader).
 */
function runFromCodeCache(module, filename) {
  const source = readFileSync(filename, 'utf8');
  if (source.includes('import(') || !isCommonJs(filename)) return false;
  const sourceHash = hash('sha1', source);
  const entry = codeCache.index[filename];
  const cachedData =
    entry?.hash === sourceHash
      ? codeCache.data.subarray(entry.offset, entry.offset + entry.size)
      : undefined;
  let script;
  try {
    // A `#!` line is a comment to Node; `//` keeps the lines.
    const body = source.startsWith('#!') ? `//${source}` : source;
    // The offset keeps the first line's columns those of the file, not of the wrapper.
    script = new Script(Module.wrap(body), { filename, cachedData, columnOffset: -wrapperLength });
  } catch {
    // Not a script (ES module syntax in a CommonJS package, which Node detects): Node's.
    return false;
  }
  if (!cachedData || script.cachedDataRejected) {
    compiled.set(filename, { script, sourceHash });
    saveTimer.refresh();
  }
  const wrapper = script.runInThisContext({ displayErrors: true });
  wrapper.call(
    module.exports,
    module.exports,
    requireFor(module),
    module,
    filename,
    dirname(filename),
  );
  return true;
}

// --- the loader ---

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
  withSourceMaps(false, () => runFromCodeCache(module, filename) || loadJs(module, filename));
Module._extensions['.ts'] = (module, filename) =>
  withSourceMaps(true, () =>
    module._compile(compileTypeScript(readFileSync(filename, 'utf8'), filename), filename),
  );
// On: stack traces are mapped through the maps the project's files registered.
process.setSourceMapsEnabled(true);
