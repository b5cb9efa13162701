// Writes and reads validation files in the layout `zed validate` reads (schema, relationships,
// assertions), plus a `differential:` block naming the request that disagreed and both answers
// (zed ignores keys it does not know). Only the subset this harness writes is parsed: top-level
// keys with `|-` block scalars, plain scalars, and one level of nested mappings holding scalars
// or lists of double-quoted strings. No dependency for so little.

const quote = (s) => JSON.stringify(String(s));

function block(key, text) {
  if (!text) return `${key}: ""\n`;
  return `${key}: |-\n${text.split("\n").map((l) => (l ? `  ${l}` : "")).join("\n")}\n`;
}

/**
 * @param {object} file { comments: [string], schema, relationships: [string],
 *   assertTrue: [string], assertFalse: [string], differential: {key: scalar},
 *   knownFailure: boolean }
 */
export function writeValidationYaml(file) {
  let out = (file.comments ?? []).map((c) => `# ${c}`.trimEnd()).join("\n");
  if (out) out += "\n";
  if (file.knownFailure) out += "known_failure: true\n";
  out += block("schema", file.schema);
  out += block("relationships", file.relationships.join("\n"));
  const assertTrue = file.assertTrue ?? [];
  const assertFalse = file.assertFalse ?? [];
  if (assertTrue.length || assertFalse.length) {
    out += "assertions:\n";
    if (assertTrue.length) out += `  assertTrue:\n${assertTrue.map((a) => `    - ${quote(a)}\n`).join("")}`;
    if (assertFalse.length) out += `  assertFalse:\n${assertFalse.map((a) => `    - ${quote(a)}\n`).join("")}`;
  }
  if (file.differential) {
    out += "differential:\n";
    for (const [k, v] of Object.entries(file.differential)) out += `  ${k}: ${quote(v)}\n`;
  }
  return out;
}

function scalar(text) {
  const t = text.trim();
  if (t.startsWith('"')) return JSON.parse(t);
  if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
  if (t === "true" || t === "false") return t === "true";
  return t;
}

const indentOf = (line) => line.length - line.trimStart().length;

/** Parses the subset described above into a plain object; throws on anything else. */
export function parseValidationYaml(text) {
  const lines = text.split("\n");
  const out = {};
  let i = 0;
  const isSkippable = (l) => l.trim() === "" || l.trimStart().startsWith("#");
  while (i < lines.length) {
    const line = lines[i];
    if (isSkippable(line)) {
      i++;
      continue;
    }
    const m = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (!m || indentOf(line) !== 0) throw new Error(`yaml line ${i + 1}: expected a top-level key: ${line}`);
    const [, key, rest] = m;
    i++;
    if (rest === "|-" || rest === "|") {
      const body = [];
      while (i < lines.length && (lines[i].trim() === "" || indentOf(lines[i]) >= 2)) body.push(lines[i++]);
      while (body.length && body[body.length - 1].trim() === "") body.pop();
      out[key] = body.map((l) => l.slice(2)).join("\n") + (rest === "|" ? "\n" : "");
    } else if (rest !== "") {
      out[key] = scalar(rest);
    } else {
      const nested = {};
      let listKey = null;
      while (i < lines.length && (isSkippable(lines[i]) || indentOf(lines[i]) >= 2)) {
        const l = lines[i++];
        if (isSkippable(l)) continue;
        const item = /^\s*-\s+(.*)$/.exec(l);
        const kv = /^\s*([A-Za-z_]+):\s*(.*)$/.exec(l);
        if (item && listKey) nested[listKey].push(scalar(item[1]));
        else if (kv && kv[2] === "") nested[(listKey = kv[1])] = [];
        else if (kv) {
          nested[kv[1]] = scalar(kv[2]);
          listKey = null;
        }
        else throw new Error(`yaml line ${i}: cannot parse: ${l}`);
      }
      out[key] = nested;
    }
  }
  return out;
}
