/** The `jifen` process: runs the command line and exits with its status. */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
