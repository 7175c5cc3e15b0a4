/** Demo and benchmark data: a realistic network written in bulk. */
export { DEMO_PASSWORD, type DemoDataOptions, type DemoDataResult, generateDemoData } from "./demo-data.ts";
