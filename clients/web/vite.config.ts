import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// `npm run web` serves the app on http://127.0.0.1:5173 (an origin the gateway's development CORS
// defaults allow); VITE_GATEWAY_URL points it at another gateway than http://127.0.0.1:3000.
export default defineConfig({
  plugins: [react()],
  // @fitnexa/client from its sources, so a change to it shows without a build.
  resolve: { conditions: ['fitnexa-source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
