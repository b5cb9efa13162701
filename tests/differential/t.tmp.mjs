import { SpiceDbTarget, RebacdTarget } from "./lib/targets.mjs";
import { parseValidationYaml } from "./lib/yaml.mjs";
import { readFileSync } from "node:fs";
const d = parseValidationYaml(readFileSync(process.argv[2], "utf8"));
const rels = d.relationships.split("\n").filter(Boolean);
const s = new SpiceDbTarget(); const r = new RebacdTarget(); await r.start();
await s.reset(d.schema); console.log(await s.writeRelationships(rels));
await r.reset(d.schema, ["user","group","folder"]); await r.writeRelationships(rels);
for (const t of [s, r]) {
  console.log(t.name, "LS", JSON.stringify(await t.lookupSubjects("folder:fo2", "write", "user", "")));
  for (const u of ["u2", "u4", "u9"]) console.log(t.name, "check", u, JSON.stringify(await t.check("folder:fo2", "write", "user:" + u)));
  console.log(t.name, "LR u2", JSON.stringify(await t.lookupResources("folder", "write", "user:u2")));
}
s.close(); await r.stop();
