import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { API_PROXY_PATTERN } from "./api-prefixes.ts";

// Served by the server at /h5/ (packages/server/src/web), with history routes under
// /h5/ (the server answers index.html for any unknown path there). Every page but the
// sign-in, register and reset pages is its own chunk (React.lazy in src/App.tsx).
export default defineConfig({
  base: "/h5/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
    // WeChat's built-in browser (Android XWeb/X5 on Chromium 86+, iOS WKWebView 14+) runs ES2020, BigInt included.
    target: ["es2020", "chrome80", "safari14"],
  },
  server: {
    proxy: { [API_PROXY_PATTERN]: "http://127.0.0.1:3000" },
  },
});
