// Loads one case into both servers, asks both the same questions, and shrinks a disagreement to
// few relationships. SpiceDB is the reference: where the two differ, SpiceDB's answer is right.

/** Two normalized results agree when both answered the same, or both failed with one code. */
export function same(a, b) {
  if (a.error || b.error) return a.error === b.error;
  return JSON.stringify(a.answer) === JSON.stringify(b.answer);
}

/** A result as text for reports: the answer, or the error code and message. */
export function resultText(r) {
  if (r.error) return `error ${r.error}${r.message ? `: ${r.message.split("\n")[0]}` : ""}`;
  return Array.isArray(r.answer) ? `[${r.answer.join(", ")}]` : r.answer;
}

/** The request kinds; `args` are the generator's tuples. */
export const REQUESTS = {
  // An optional last element is the request's caveat context as JSON text ("" for none); it
  // prints as zed's assertion syntax does: `... with {"k": 1}`.
  check: {
    method: "CheckPermission",
    run: (t, [resource, permission, subject, context = ""]) => t.check(resource, permission, subject, context),
    text: ([resource, permission, subject, context = ""]) => `${resource}#${permission}@${subject}${context ? ` with ${context}` : ""}`,
    fields: ([resource, permission, subject, context = ""]) => ({ resource, permission, subject, ...(context ? { context } : {}) }),
  },
  lookup_resources: {
    method: "LookupResources",
    run: (t, [type, permission, subject, context = ""]) => t.lookupResources(type, permission, subject, context),
    text: ([type, permission, subject, context = ""]) => `${type}:?#${permission}@${subject}${context ? ` with ${context}` : ""}`,
    fields: ([resource_type, permission, subject, context = ""]) => ({ resource_type, permission, subject, ...(context ? { context } : {}) }),
  },
  lookup_subjects: {
    method: "LookupSubjects",
    run: (t, [resource, permission, type, relation, context = ""]) => t.lookupSubjects(resource, permission, type, relation, context),
    text: ([resource, permission, type, relation, context = ""]) =>
      `${resource}#${permission}@${type}:?${relation ? `#${relation}` : ""}${context ? ` with ${context}` : ""}`,
    fields: ([resource, permission, subject_type, subject_relation, context = ""]) => ({
      resource,
      permission,
      subject_type,
      subject_relation,
      ...(context ? { context } : {}),
    }),
  },
};

/** The request tuple back from a fixture's `differential:` block. */
export function argsFromFields(kind, d) {
  switch (kind) {
    case "check":
      return [d.resource, d.permission, d.subject, d.context ?? ""];
    case "lookup_resources":
      return [d.resource_type, d.permission, d.subject, d.context ?? ""];
    case "lookup_subjects":
      return [d.resource, d.permission, d.subject_type, d.subject_relation ?? "", d.context ?? ""];
    default:
      throw new Error(`unknown differential request ${kind}`);
  }
}

/**
 * Resets both servers to `schema` + `relationships`.
 * Returns { ok: true }, or { ok: false, stage, spicedb, rebacd } when a write was refused:
 * `generatorBug` when the reference refused it (and rebacd refused it the same way).
 */
export async function load(targets, testCase, relationships) {
  const { spicedb, rebacd } = targets;
  const stages = [
    ["WriteSchema", () => spicedb.reset(testCase.schema, testCase.definitions), () => rebacd.reset(testCase.schema, testCase.definitions)],
    ["WriteRelationships", () => spicedb.writeRelationships(relationships), () => rebacd.writeRelationships(relationships)],
  ];
  for (const [stage, spiceWrite, rebacdWrite] of stages) {
    const s = await spiceWrite();
    const r = await rebacdWrite();
    if (s.error || r.error) {
      return { ok: false, stage, spicedb: s, rebacd: r, generatorBug: Boolean(s.error) && same(s, r) };
    }
  }
  return { ok: true };
}

/** Runs requests of one kind on both servers; rebacd's calls overlap, SpiceDB's are synchronous. */
export async function compareAll(targets, kind, argsList, onMismatch) {
  const request = REQUESTS[kind];
  const BATCH = 16;
  for (let i = 0; i < argsList.length; i += BATCH) {
    const batch = argsList.slice(i, i + BATCH);
    const pending = batch.map((args) => request.run(targets.rebacd, args));
    for (let j = 0; j < batch.length; j++) {
      const s = await request.run(targets.spicedb, batch[j]);
      const r = await pending[j];
      if (s.error === "DEADLINE_EXCEEDED") {
        // No reference answer to compare with: said, and not counted either way.
        console.log(`not compared: SpiceDB timed out on ${request.method} ${request.text(batch[j])}`);
        continue;
      }
      if (!same(s, r)) {
        const stop = await onMismatch({ kind, args: batch[j], spicedb: s, rebacd: r });
        if (stop) {
          await Promise.allSettled(pending);
          return;
        }
      }
    }
  }
}

/** Whether the one request still disagrees on `relationships` (false if the load fails). */
async function stillDiffers(targets, testCase, mismatch, relationships) {
  const loaded = await load(targets, testCase, relationships);
  if (!loaded.ok) return false;
  const request = REQUESTS[mismatch.kind];
  const s = await request.run(targets.spicedb, mismatch.args);
  const r = await request.run(targets.rebacd, mismatch.args);
  if (same(s, r)) return false;
  mismatch.spicedb = s; // the answers on the smaller data are the ones the report shows
  mismatch.rebacd = r;
  return true;
}

/**
 * Greedily removes relationships while the mismatch persists: chunks of halving size, down to
 * single relationships, repeated until a full single-relationship pass removes nothing.
 * Returns the remaining relationships (all of them if the mismatch did not reproduce on reload).
 */
export async function shrink(targets, testCase, mismatch, relationships) {
  if (!(await stillDiffers(targets, testCase, mismatch, relationships))) {
    mismatch.notReproducible = true;
    return relationships;
  }
  let current = [...relationships];
  if (current.length && (await stillDiffers(targets, testCase, mismatch, []))) return [];
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    let removedAny = false;
    for (let start = 0; start < current.length; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (await stillDiffers(targets, testCase, mismatch, candidate)) {
        current = candidate;
        removedAny = true;
      } else {
        start += chunk;
      }
    }
    if (chunk === 1 && removedAny) chunk = 2; // one more single pass: removals can unlock others
  }
  // Leave the servers holding the shrunk case and the answers on it.
  await stillDiffers(targets, testCase, mismatch, current);
  return current;
}

/** Check assertions a validation file can carry for a mismatch, from SpiceDB's answer. */
export function assertionsFor(mismatch) {
  const assertTrue = [];
  const assertFalse = [];
  const { kind, args, spicedb, rebacd } = mismatch;
  if (kind === "check") {
    if (spicedb.answer === "HAS_PERMISSION") assertTrue.push(REQUESTS.check.text(args));
    if (spicedb.answer === "NO_PERMISSION") assertFalse.push(REQUESTS.check.text(args));
    return { assertTrue, assertFalse };
  }
  if (spicedb.error || rebacd.error) return { assertTrue, assertFalse };
  const strip = (id) => id.replace(/[?!].*$/, "");
  const plain = (xs) => new Set(xs.filter((x) => !x.startsWith("*")).map(strip));
  const want = plain(spicedb.answer);
  const got = plain(rebacd.answer);
  if (kind === "lookup_resources") {
    const [type, permission, subject] = args;
    for (const id of want) if (!got.has(id)) assertTrue.push(`${type}:${id}#${permission}@${subject}`);
    for (const id of got) if (!want.has(id)) assertFalse.push(`${type}:${id}#${permission}@${subject}`);
  } else {
    const [resource, permission, type, relation] = args;
    const subject = (id) => `${type}:${id}${relation ? `#${relation}` : ""}`;
    for (const id of want) if (!got.has(id)) assertTrue.push(`${resource}#${permission}@${subject(id)}`);
    for (const id of got) if (!want.has(id)) assertFalse.push(`${resource}#${permission}@${subject(id)}`);
  }
  return { assertTrue, assertFalse };
}

/**
 * Then removes what the schema does not need: whole definitions first, then single relation and
 * permission lines, each kept out while both servers still accept the schema and the relationships
 * and the request still disagrees. Returns the smaller schema text.
 */
export async function shrinkSchema(targets, testCase, mismatch, relationships) {
  const differs = (schema) => stillDiffers(targets, { ...testCase, schema }, mismatch, relationships);
  let blocks = testCase.schema.split("\n\n");
  for (let i = blocks.length - 1; i >= 0; i--) {
    const candidate = [...blocks.slice(0, i), ...blocks.slice(i + 1)];
    if (await differs(candidate.join("\n\n"))) blocks = candidate;
  }
  let lines = blocks.join("\n\n").split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^\s+(relation|permission) /.test(lines[i])) continue;
    const candidate = [...lines.slice(0, i), ...lines.slice(i + 1)];
    if (await differs(candidate.join("\n"))) lines = candidate;
  }
  const schema = lines.join("\n");
  await differs(schema); // leaves both servers on the final case, and its answers in `mismatch`
  return schema;
}
