// Loaded with `node --import` before the tests (see CMakeLists.txt and package.json): fails at
// once, with the fix, when the npm packages are not installed or REBACD_BIN is unusable.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(new URL("../node_modules/@authzed/authzed-node/package.json", import.meta.url))) {
  console.error(
    `integration tests: ${root}node_modules is missing or incomplete. ` +
      `Run \`npm ci\` in ${root} (scripts/test.sh does it).`,
  );
  process.exit(1);
}
try {
  const { rebacdBinary } = await import("./server.js"); // imports the client: only now
  rebacdBinary();
} catch (err) {
  console.error(`integration tests: ${err.message}`);
  process.exit(1);
}
