import { defineConfig, type Plugin } from 'vite'

/**
 * The Content-Security-Policy the built app runs under: nothing inline, nothing from elsewhere.
 * Set as a <meta> in the built index.html (the e2e run fails on any CSP violation, since Chrome
 * logs them as console errors); the server should send the same as a header, plus
 * `frame-ancestors 'none'`, which a <meta> cannot carry. Not applied to `npm run dev`, where
 * Vite injects inline styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

function contentSecurityPolicy(): Plugin {
  return {
    name: 'polder-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  }
}

// The built app is served by `polder serve --static-dir client/dist` on the same origin as the
// API and the sync endpoint. `npm run dev` proxies both to a local server on :8080.
export default defineConfig({
  plugins: [contentSecurityPolicy()],
  build: {
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
})
