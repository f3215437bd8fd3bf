// An empty PGlite data directory made once per installed PGlite version and copied into every new
// one: `initdb` (PostgreSQL's, compiled to wasm) is most of a cold `npm start`'s CPU and memory,
// and its result is the same every time (0032).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** PostgreSQL writes this file last in `initdb`: a directory with it is initialised. */
const MARKER = 'PG_VERSION';

export const isInitialised = (dir: string) => existsSync(join(dir, MARKER));

/**
 * Where the template for the installed PGlite lives: in `node_modules/.cache`, beside the package,
 * so that a new version (another `initdb`) gets one of its own and `npm ci` starts afresh.
 */
export function pgliteTemplateDir(): string {
  // …/node_modules/@electric-sql/pglite/dist/index.cjs
  const packageDir = dirname(dirname(require.resolve('@electric-sql/pglite')));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return join(dirname(dirname(packageDir)), '.cache', 'fitnexa-pglite', version);
}

/**
 * The template, made first if there is none (an `initdb`, once). Made aside and renamed into
 * place, so a process that stops halfway or runs beside another leaves no half-made template.
 */
export async function ensurePgliteTemplate(templateDir = pgliteTemplateDir()): Promise<string> {
  if (isInitialised(templateDir)) return templateDir;
  const making = `${templateDir}.${randomUUID()}`;
  await mkdir(making, { recursive: true });
  try {
    const pglite = await PGlite.create(making);
    await pglite.close();
    await renameUnlessThere(making, templateDir);
  } finally {
    await rm(making, { recursive: true, force: true });
  }
  return templateDir;
}

/**
 * Makes `dir` (empty or absent) an initialised data directory, a copy of the template: copied
 * aside and renamed into place, so a copy cut short is never taken for a database.
 */
export async function initialiseFromTemplate(dir: string): Promise<void> {
  const template = await ensurePgliteTemplate();
  const copying = `${dir}.${randomUUID()}`;
  try {
    await cp(template, copying, { recursive: true });
    await renameUnlessThere(copying, dir);
  } finally {
    await rm(copying, { recursive: true, force: true });
  }
}

/** Renames `from` to `to` unless `to` is already initialised (another process was quicker). */
async function renameUnlessThere(from: string, to: string) {
  if (isInitialised(to)) return;
  // rename replaces an empty directory, not a missing parent or one with files in it.
  await mkdir(dirname(to), { recursive: true });
  await rmdir(to).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(from, to);
  } catch (error) {
    if (!isInitialised(to)) throw error;
  }
}
