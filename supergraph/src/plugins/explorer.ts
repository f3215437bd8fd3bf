import { dirname, join } from 'node:path';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Router, type Request, type Response } from 'express';

/** Where a browser finds the explorer (GET /graphql with Accept: text/html shows it too). */
export const EXPLORER_PATH = '/explorer';
const ASSETS_PATH = `${EXPLORER_PATH}/assets`;

/** The browser builds the page loads, each a file of an npm package: nothing from a CDN. */
const packageFiles: Record<string, { pkg: string; file: string }> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js' },
  'graphql-ws.min.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css' },
};

// Starts GraphiQL on /graphql of the page's own origin: operations over HTTP, subscriptions over
// graphql-ws on the same path. A file of its own rather than inline, so a CSP of 'self' allows it.
const explorerScript = `'use strict';
(function () {
  var url = new URL('/graphql', location.href).href;
  var wsUrl = url.replace(/^http/, 'ws');
  document.getElementById('sandbox').href =
    'https://studio.apollographql.com/sandbox/explorer?endpoint=' + encodeURIComponent(url);
  // graphql-ws sends the token once, in connection_init: one client for each set of headers.
  var fetchers = {};
  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var key = JSON.stringify(headers);
    if (!fetchers[key]) {
      fetchers[key] = GraphiQL.createFetcher({
        url: url,
        wsClient: graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: headers }),
      });
    }
    return fetchers[key](params, options);
  }
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      // No placeholder token in Headers: the gateway refuses a malformed one (401), which would
      // fail the schema's introspection and every public query until it is replaced.
      defaultQuery:
        '# Sign in (the demo accounts are printed by npm start), then put under Headers:\\n' +
        '# { "Authorization": "Bearer <accessToken>" }\\n' +
        'mutation Login {\\n  login(input: { email: "", password: "" }) {\\n    accessToken\\n  }\\n}\\n',
    }),
  );
})();
`;

const explorerStyle = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
.fitnexa-bar { padding: 6px 12px; font-size: 14px; border-bottom: 1px solid #ddd; }
#graphiql { flex: 1; min-height: 0; }
`;

const explorerHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>FitNexa explorer</title>
    <link rel="stylesheet" href="${ASSETS_PATH}/graphiql.min.css" />
    <link rel="stylesheet" href="${ASSETS_PATH}/explorer.css" />
  </head>
  <body>
    <div class="fitnexa-bar">
      FitNexa explorer: GraphiQL on /graphql (subscriptions over graphql-ws), the token under Headers.
      Online? <a id="sandbox" href="https://studio.apollographql.com/sandbox/explorer">Apollo Sandbox</a>
    </div>
    <div id="graphiql">Loading the explorer…</div>
    <script src="${ASSETS_PATH}/react.production.min.js"></script>
    <script src="${ASSETS_PATH}/react-dom.production.min.js"></script>
    <script src="${ASSETS_PATH}/graphql-ws.min.js"></script>
    <script src="${ASSETS_PATH}/graphiql.min.js"></script>
    <script src="${ASSETS_PATH}/explorer.js"></script>
  </body>
</html>
`;

// A package's folder from its package.json (each of these exports it), then the file in it.
const pathOf = ({ pkg, file }: { pkg: string; file: string }) =>
  join(dirname(require.resolve(`${pkg}/package.json`)), file);

/**
 * The gateway's explorer: GraphiQL and React from npm, served by the gateway itself, so that it
 * works offline. Apollo's own landing page is off in every case (it loads Sandbox from a CDN);
 * without the explorer a browser's GET /graphql gets what Apollo answers any GET without a query.
 * Disabled: no routes to mount (an empty router would still hold every request up a turn of the
 * event loop on its way through).
 */
export function explorer<TContext extends BaseContext>(
  enabled: boolean,
): { landingPage: ApolloServerPlugin<TContext>; routes?: Router } {
  const landingPage = ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<TContext>;
  if (!enabled) return { landingPage };
  const routes = Router();

  // Resolved at start: a missing package fails the start, not the first browser.
  const files = new Map(Object.entries(packageFiles).map(([name, at]) => [name, pathOf(at)]));
  const page = (_req: Request, res: Response) => {
    res.set('cache-control', 'no-cache').type('html').send(explorerHtml);
  };
  routes.get(EXPLORER_PATH, page);
  // A browser on /graphql (Accept: text/html first); API clients (JSON, or */*) go on to Apollo.
  routes.get('/graphql', (req, res, next) => {
    const wanted = req.accepts(['application/json', 'application/graphql-response+json', 'html']);
    if (wanted === 'html' && req.query.query === undefined) page(req, res);
    else next();
  });
  routes.get(`${ASSETS_PATH}/explorer.js`, (_req, res) => {
    res.set('cache-control', 'no-cache').type('js').send(explorerScript);
  });
  routes.get(`${ASSETS_PATH}/explorer.css`, (_req, res) => {
    res.set('cache-control', 'no-cache').type('css').send(explorerStyle);
  });
  routes.get(`${ASSETS_PATH}/:file`, (req, res, next) => {
    const path = files.get(req.params.file);
    if (!path) return next();
    // The versions are the lockfile's: a day's cache is safe across restarts.
    res.sendFile(path, { maxAge: '1d' }, (error) => error && next(error));
  });
  return { landingPage, routes };
}
