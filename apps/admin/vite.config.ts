import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the server at /admin/ (packages/server/src/web). Each page is its own
// chunk (React.lazy in src/App.tsx); the sign-in page loads only what it needs.
export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { "^/(admin/(?!assets|src|@)|auth|me|orders|products|equity|health)": "http://127.0.0.1:3000" },
  },
});
