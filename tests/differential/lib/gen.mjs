// Generates a random, valid SpiceDB schema, relationships over it and the requests to compare,
// all from one seed. The generator aims at the constructs where engines differ: recursion
// (group#member: user | group#member, folder parents), arrows and .any()/.all(), wildcards,
// exclusion and intersection, nil, and operator precedence (some nested expressions are printed
// without parentheses, so both parsers must agree on precedence too).
//
// Sizes are capped and ids come from small pools, so relationships overlap and form cycles.
import { Rng } from "./rng.mjs";

export const DEFAULT_OPTIONS = Object.freeze({
  maxDefinitions: 6, // including user (and group when present)
  maxRelationships: 60,
  idsPerType: 3, // ids per resource type; users get one more, and checks add a never-written one
  maxChecks: 250, // (resource, permission, subject) triples compared per seed; all when fewer
  maxLookupResources: 24,
  maxLookupSubjects: 24,
  arrowFunctions: true, // .any() / .all(): SpiceDB v1.54 accepts them
  // Relationships forming cycles between objects (group:g1 in group:g2 in group:g1, a folder its
  // own parent): the max-depth paths. Off by default: on cycles the embedded SpiceDB fans out
  // without its dispatch cache (gigabytes for one check, seen on seed 8 before the one-recursive-
  // arrow rule below) and rebacd's answers there are known to differ (fixtures/*cycle*.yaml).
  cycles: false,
  // Caveated allowed types (`user with c_limit`), caveated relationships with partial stored
  // context, and checks / lookups with random request context.
  caveats: false,
  // `use expiration`, allowed types `with expiration` (alone or with a caveat), relationships
  // that expire far in the future or expired long ago (invisible).
  expiration: false,
});

// The caveats a generated schema may use: each mixes what partial evaluation must get right
// (a parameter stored on the relationship, another from the request, either missing).
const CAVEATS = [
  { name: "c_limit", params: { n: "int", limit: "int" }, body: "n < limit" },
  { name: "c_flag", params: { on: "bool" }, body: "on" },
  { name: "c_either", params: { a: "bool", b: "bool" }, body: "a || b" },
  { name: "c_in", params: { s: "string", allowed: "list<string>" }, body: "s in allowed" },
];

/** A random value for a caveat parameter type. */
function valueFor(rng, type) {
  switch (type) {
    case "int":
      return rng.int(0, 4);
    case "bool":
      return rng.chance(0.5);
    case "string":
      return rng.pick(["x", "y"]);
    case "list<string>":
      return rng.sample(["x", "y", "z"], rng.int(0, 2));
    default:
      throw new Error(`no values for ${type}`);
  }
}

/** A random context over some of `params` ({name: type}); "" when it picked none. */
function randomContext(rng, params, chance) {
  const out = {};
  for (const [name, type] of Object.entries(params)) if (rng.chance(chance)) out[name] = valueFor(rng, type);
  return Object.keys(out).length ? JSON.stringify(out) : "";
}

const caveatText = (c) =>
  `caveat ${c.name}(${Object.entries(c.params).map(([n, t]) => `${n} ${t}`).join(", ")}) {\n    ${c.body}\n}`;

const RESOURCE_NAMES = ["document", "folder", "org", "team", "project", "repo", "space"];
const RELATION_NAMES = ["owner", "editor", "viewer", "reader", "banned", "admin", "writer", "auditor"];
const PERMISSION_NAMES = ["view", "edit", "manage", "read", "write", "share", "remove", "comment"];

/** The object-id prefix of a type: doc ids d1, d2, ...; the first letter is enough to read them. */
const idPrefix = (type) => (type === "user" ? "u" : type === "group" ? "g" : type.slice(0, 2));

/** The ids written for a type (the pool relationships are drawn from). */
export function idsOf(type, options) {
  const n = type === "user" ? options.idsPerType + 1 : options.idsPerType;
  return Array.from({ length: n }, (_, i) => `${idPrefix(type)}${i + 1}`);
}

/** A type reference's text: `user`, `user:*`, `group#member`. */
const typeRefText = (t) =>
  (t.wildcard ? `${t.type}:*` : t.relation ? `${t.type}#${t.relation}` : t.type) +
  (t.caveat ? ` with ${t.caveat}` : "") +
  (t.expiration ? `${t.caveat ? " and" : " with"} expiration` : "");

/** Prints an expression tree; nodes marked `bare` drop their parentheses on purpose. */
function exprText(node, parentOp = null) {
  switch (node.op) {
    case "name":
      return node.name;
    case "nil":
      return "nil";
    case "arrow":
      return node.fn ? `${node.left}.${node.fn}(${node.right})` : `${node.left}->${node.right}`;
    default: {
      const text = node.children.map((c) => exprText(c, node.op)).join(` ${node.op} `);
      return parentOp !== null && !node.bare ? `(${text})` : text;
    }
  }
}

export function schemaText(defs, caveats = [], useExpiration = false) {
  const caveatTexts = (useExpiration ? ["use expiration"] : []).concat(caveats.map(caveatText));
  return caveatTexts.concat(defs
    .map((def) => {
      const lines = [
        ...def.relations.map((r) => `    relation ${r.name}: ${r.types.map(typeRefText).join(" | ")}`),
        ...def.permissions.map((p) => `    permission ${p.name} = ${exprText(p.expr)}`),
      ];
      return lines.length ? `definition ${def.name} {\n${lines.join("\n")}\n}` : `definition ${def.name} {}`;
    }))
    .join("\n\n");
}

/** The relation and permission names of a definition (optionally only those seen so far). */
const namesOf = (def) => [...def.relations.map((r) => r.name), ...def.permissions.map((p) => p.name)];

class SchemaGenerator {
  constructor(rng, options) {
    this.rng = rng;
    this.options = options;
    this.defs = [];
    this.usedCaveats = new Set();
  }

  generate() {
    const { rng } = this;
    this.defs.push({ name: "user", relations: [], permissions: [] });
    if (rng.chance(0.8)) this.addGroup();
    const room = this.options.maxDefinitions - this.defs.length;
    const names = rng.sample(RESOURCE_NAMES, rng.int(1, Math.max(1, room)));
    for (const name of names) this.addResource(name);
    return this.defs;
  }

  def(name) {
    return this.defs.find((d) => d.name === name);
  }

  addGroup() {
    const { rng } = this;
    const group = { name: "group", relations: [], permissions: [] };
    const memberTypes = [{ type: "user" }];
    if (this.options.caveats && rng.chance(0.5)) memberTypes.push({ type: "user", caveat: this.caveat().name });
    if (this.options.expiration && rng.chance(0.5)) memberTypes.push({ type: "user", expiration: true });
    if (rng.chance(0.8)) memberTypes.push({ type: "group", relation: "member" });
    if (rng.chance(0.25)) memberTypes.push({ type: "user", wildcard: true });
    this.defs.push(group); // before its relations: group#member refers to group itself
    group.relations.push({ name: "member", types: rng.shuffle(memberTypes) });
    if (rng.chance(0.5)) {
      group.relations.push({ name: "manager", types: [{ type: "user" }] });
      if (rng.chance(0.7)) {
        group.permissions.push({ name: "membership", expr: this.expr(group, "membership", 1) });
      }
    }
  }

  /** A caveat for an allowed type; the ones used end up in the schema. */
  caveat() {
    const c = this.rng.pick(CAVEATS);
    this.usedCaveats.add(c);
    return c;
  }

  /** Candidate subject types for a relation of `def` (which is being built). */
  typeCandidates(def) {
    const { rng } = this;
    const out = [{ type: "user" }, { type: "user" }, { type: "user", wildcard: true }];
    if (this.options.caveats) {
      out.push({ type: "user", caveat: this.caveat().name });
      if (rng.chance(0.3)) out.push({ type: "user", wildcard: true, caveat: this.caveat().name });
    }
    if (this.options.expiration) {
      out.push({ type: "user", expiration: true });
      if (rng.chance(0.3)) out.push({ type: "user", wildcard: true, expiration: true });
      if (this.options.caveats && rng.chance(0.3)) out.push({ type: "user", caveat: this.caveat().name, expiration: true });
    }
    for (const other of this.defs) {
      if (other.name === "user") continue;
      out.push({ type: other.name }); // a plain object: what arrows walk
      if (this.options.caveats && rng.chance(0.3)) out.push({ type: other.name, caveat: this.caveat().name });
      if (this.options.expiration && rng.chance(0.3)) out.push({ type: other.name, expiration: true });
      // SpiceDB refuses a userset that reaches a wildcard ("wildcard relations cannot be
      // transitively included"), so those are never offered.
      const names = namesOf(other).filter((n) => !this.reachesWildcard(other, n));
      if (names.length) {
        // A userset: group#member above all; any relation or permission of a known definition.
        const relation = names.includes("member") && rng.chance(0.7) ? "member" : rng.pick(names);
        out.push({ type: other.name, relation });
        if (this.options.caveats && rng.chance(0.3)) {
          out.push({ type: other.name, relation, caveat: this.caveat().name });
        }
        if (this.options.expiration && rng.chance(0.3)) out.push({ type: other.name, relation, expiration: true });
      }
    }
    return out;
  }

  addResource(name) {
    const { rng } = this;
    const def = { name, relations: [], permissions: [] };
    this.defs.push(def); // visible to itself: parent: folder, viewer: document#editor
    const earlier = this.defs.filter((d) => d.name !== "user" && d !== def && d.name !== "group");
    if (rng.chance(0.6)) {
      // A parent chain (recursive when it is the definition itself): the arrows' favourite.
      const choices = [[{ type: name }]];
      if (earlier.length) {
        const other = rng.pick(earlier).name;
        choices.push([{ type: other }], [{ type: name }, { type: other }]);
      }
      def.relations.push({ name: "parent", types: rng.pick(choices) });
    }
    const relationNames = rng.sample(RELATION_NAMES, rng.int(1, 3));
    for (const relName of relationNames) {
      const candidates = this.typeCandidates(def);
      const types = [];
      for (let i = rng.int(1, 3); i > 0; i--) {
        const t = rng.pick(candidates);
        if (!types.some((u) => typeRefText(u) === typeRefText(t))) types.push(t);
      }
      def.relations.push({ name: relName, types });
    }
    const permissionNames = rng.sample(PERMISSION_NAMES, rng.int(1, 4));
    for (const permName of permissionNames) {
      def.permissions.push({ name: permName, expr: this.expr(def, permName, 0) });
    }
  }

  /**
   * Whether `def#name` may include a wildcard subject, directly or through usersets, arrows or
   * other permissions: conservative (a cycle or an arrow counts as reaching one if any path could).
   */
  reachesWildcard(def, name, seen = new Set()) {
    const key = `${def.name}#${name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const relation = def.relations.find((r) => r.name === name);
    if (relation) {
      return relation.types.some(
        (t) => t.wildcard || (t.relation && this.reachesWildcard(this.def(t.type), t.relation, seen)),
      );
    }
    const permission = def.permissions.find((p) => p.name === name);
    if (!permission) return false;
    const walk = (node) => {
      switch (node.op) {
        case "name":
          return this.reachesWildcard(def, node.name, seen);
        case "nil":
          return false;
        case "arrow":
          return def.relations
            .find((r) => r.name === node.left)
            .types.some((t) => this.reachesWildcard(this.def(t.type), node.right, seen));
        default:
          return node.children.some(walk);
      }
    };
    return walk(permission.expr);
  }

  /** Relations of `def` an arrow may walk: only plain object types (no wildcard, no userset). */
  arrowRelations(def) {
    return def.relations.filter((r) => r.types.every((t) => !t.wildcard && !t.relation));
  }

  /** A random leaf for permission `permName` of `def`. */
  leaf(def, permName) {
    const { rng } = this;
    const arrows = this.arrowRelations(def);
    const roll = rng.float();
    if (arrows.length && roll < 0.35) {
      const rel = rng.pick(arrows);
      // The right side: any name on any target type; the permission being defined counts when
      // the relation walks back to this definition (parent->view inside view: recursion).
      const names = new Set();
      for (const t of rel.types) {
        const target = this.def(t.type);
        for (const n of namesOf(target)) names.add(n);
        if (target === def) names.add(permName);
      }
      // One recursive arrow per permission at most: two (edit = parent->edit & parent->edit)
      // make the reference's walk exponential in the depth limit on cyclic data.
      if (this.recursiveArrowUsed) names.delete(permName);
      if (names.size) {
        let fn = null;
        if (this.options.arrowFunctions && rng.chance(0.3)) fn = rng.chance(0.5) ? "any" : "all";
        const right = rng.pick([...names]);
        if (right === permName) this.recursiveArrowUsed = true;
        return { op: "arrow", left: rel.name, right, fn };
      }
    }
    if (roll > 0.96) return { op: "nil" };
    // Earlier permissions of this definition, or its relations.
    return { op: "name", name: rng.pick(namesOf(def).filter((n) => n !== permName)) };
  }

  expr(def, permName, depth) {
    const { rng } = this;
    if (depth === 0) this.recursiveArrowUsed = false;
    if (depth >= 2 || rng.chance(depth === 0 ? 0.25 : 0.55)) return this.leaf(def, permName);
    const op = rng.pick(["+", "+", "&", "-"]);
    const children = [];
    for (let i = op === "-" ? 2 : rng.int(2, 3); i > 0; i--) children.push(this.expr(def, permName, depth + 1));
    return { op, children, bare: rng.chance(0.25) };
  }
}

/** Relationships over `defs`, as relationship strings; duplicates removed. */
function generateRelationships(rng, defs, options) {
  const withRelations = defs.filter((d) => d.relations.length);
  const target = rng.int(4, options.maxRelationships);
  const out = new Set();
  const edges = new Map(); // object → objects it points at, to refuse cycles
  const reaches = (from, to, seen = new Set()) => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return [...(edges.get(from) ?? [])].some((next) => reaches(next, to, seen));
  };
  for (let attempt = 0; attempt < target * 4 && out.size < target; attempt++) {
    const def = rng.pick(withRelations);
    const rel = rng.pick(def.relations);
    const t = rng.pick(rel.types);
    const subjectIds = idsOf(t.type, options);
    let subject;
    if (t.wildcard) subject = `${t.type}:*`;
    else if (t.relation) subject = `${t.type}:${rng.pick(subjectIds)}#${t.relation}`;
    else subject = `${t.type}:${rng.pick(subjectIds)}`;
    const resource = `${def.name}:${rng.pick(idsOf(def.name, options))}`;
    if (!options.cycles) {
      const subjectObject = subject.split("#")[0];
      if (reaches(subjectObject, resource)) continue;
      if (!edges.has(resource)) edges.set(resource, new Set());
      edges.get(resource).add(subjectObject);
    }
    const key = `${resource}#${rel.name}@${subject}`;
    // One relationship per key: a second one differing only in its caveat would be a touch.
    if ([...out].some((r) => r === key || r.startsWith(`${key}[`))) continue;
    const traits = [];
    if (t.caveat) {
      const c = CAVEATS.find((x) => x.name === t.caveat);
      const context = randomContext(rng, c.params, 0.4);
      traits.push(`${c.name}${context ? `:${context}` : ""}`);
    }
    // Expired long ago (invisible from the start) or far in the future.
    if (t.expiration) traits.push(`expiration:${rng.chance(0.35) ? "2001-02-03T04:05:06Z" : "2099-01-01T00:00:00Z"}`);
    out.add(traits.length ? `${key}[${traits.join("][")}]` : key);
  }
  return [...out];
}

/** The subjects checks ask about: every user (plus one never written), usersets, plain objects. */
function checkSubjects(defs, options) {
  const users = [...idsOf("user", options), `u${options.idsPerType + 2}`].map((id) => `user:${id}`);
  const subjects = new Set(users);
  for (const def of defs) {
    for (const rel of def.relations) {
      for (const t of rel.types) {
        if (t.wildcard || t.type === "user") continue;
        for (const id of idsOf(t.type, options)) {
          subjects.add(t.relation ? `${t.type}:${id}#${t.relation}` : `${t.type}:${id}`);
        }
      }
    }
  }
  return [...subjects];
}

/**
 * One generated case:
 *   { seed, schema, relationships: [text], checks: [[resource, permission, subject]],
 *     lookupResources: [[type, permission, subject]],
 *     lookupSubjects: [[resource, permission, subjectType, subjectRelation]] }
 */
export function generate(seed, overrides = {}) {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  const rng = new Rng(seed);
  const generator = new SchemaGenerator(rng, options);
  const defs = generator.generate();
  const caveats = CAVEATS.filter((c) => generator.usedCaveats.has(c));
  // Request context: random values for some parameters of the schema's caveats, or none.
  const allParams = Object.assign({}, ...caveats.map((c) => c.params));
  const requestContext = () => (caveats.length && rng.chance(0.6) ? randomContext(rng, allParams, 0.5) : "");
  const relationships = generateRelationships(rng, defs, options);

  const subjects = checkSubjects(defs, options);
  const resources = defs.filter((d) => namesOf(d).length);
  const checks = [];
  for (const def of resources) {
    for (const id of idsOf(def.name, options)) {
      for (const name of namesOf(def)) {
        for (const subject of subjects) checks.push([`${def.name}:${id}`, name, subject]);
      }
    }
  }
  const lookupResources = [];
  for (const def of resources) {
    for (const name of namesOf(def)) {
      for (const subject of subjects) lookupResources.push([def.name, name, subject]);
    }
  }
  // LookupSubjects by subject type: user always; usersets that the schema allows.
  const subjectTypes = new Set(["user"]);
  for (const s of subjects) {
    const m = /^([a-z_]+):[^#]+(?:#(.+))?$/.exec(s);
    subjectTypes.add(m[2] ? `${m[1]}#${m[2]}` : m[1]);
  }
  const lookupSubjects = [];
  for (const def of resources) {
    for (const id of idsOf(def.name, options)) {
      for (const name of namesOf(def)) {
        for (const st of subjectTypes) {
          const [type, relation = ""] = st.split("#");
          lookupSubjects.push([`${def.name}:${id}`, name, type, relation]);
        }
      }
    }
  }
  // A few requests that must fail, to compare error codes too: an unknown permission, an
  // unknown resource type, a subject relation the subject type lacks, a wildcard subject.
  const someResource = `${resources[0].name}:${idsOf(resources[0].name, options)[0]}`;
  const someName = namesOf(resources[0])[0];
  const errorProbes = [
    [someResource, "nosuch", "user:u1"],
    ["nosuchtype:x1", someName, "user:u1"],
    [someResource, someName, "user:u1#nosuch"],
    [someResource, someName, "user:*"],
  ];
  return {
    seed,
    schema: schemaText(defs, caveats, options.expiration),
    definitions: defs.map((d) => d.name),
    relationships,
    checks: [...(checks.length > options.maxChecks ? rng.sample(checks, options.maxChecks) : checks), ...errorProbes].map(
      (c) => (caveats.length ? [...c, requestContext()] : c),
    ),
    lookupResources: rng
      .sample(lookupResources, options.maxLookupResources)
      .map((l) => (caveats.length ? [...l, requestContext()] : l)),
    lookupSubjects: rng
      .sample(lookupSubjects, options.maxLookupSubjects)
      .map((l) => (caveats.length ? [...l, requestContext()] : l)),
  };
}
