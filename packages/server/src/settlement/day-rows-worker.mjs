// Starts the settlement's compute worker (day-rows-worker.ts) under tsx: a worker thread does
// not take the parent's `--import tsx`, so the loader registers itself here.
import { register } from "tsx/esm/api";

register();
await import("./day-rows-worker.ts");
