// `npm install` (postinstall → generate): makes the empty PGlite data directory every new embedded
// database is copied from (shared/src/db/pglite-template.ts), so that even the first `npm start`
// on an empty .data runs no `initdb`. Never fails the install: without the template, the first
// start makes it.
import { ensurePgliteTemplate, pgliteTemplateDir } from '@fitnexa/shared/db';

ensurePgliteTemplate()
  .then((dir) => console.log(`PGlite template: ${dir}`))
  .catch((error: unknown) =>
    console.warn(
      `PGlite template not made (${String(error)}); the first npm start makes ${pgliteTemplateDir()}`,
    ),
  );
