// Starts the payments' worker thread of bench:settle --live under tsx (a worker does not take `--import tsx`).
import { register } from "tsx/esm/api";

register();
await import("./live-traffic-worker.ts");
