// Small helpers for talking to a SpiceDB-compatible server through @authzed/authzed-node:
// relationship strings ("document:d1#viewer@group:eng#member"), consistency values, reads,
// checks, and asserting on gRPC status codes.
import assert from "node:assert/strict";

import { v1 } from "@authzed/authzed-node";

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const Status = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
});

const statusName = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k]));

export const HAS = v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
export const NO = v1.CheckPermissionResponse_Permissionship.NO_PERMISSION;
export const { CREATE, TOUCH, DELETE } = v1.RelationshipUpdate_Operation;

export const fullyConsistent = () => ({
  requirement: { oneofKind: "fullyConsistent", fullyConsistent: true },
});
export const atLeastAsFresh = (zedToken) => ({
  requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: zedToken },
});
export const minimizeLatency = () => ({
  requirement: { oneofKind: "minimizeLatency", minimizeLatency: true },
});

/** "type:id" → ObjectReference. */
export function object(text) {
  const i = text.indexOf(":");
  assert.ok(i > 0, `bad object reference ${text}`);
  return v1.ObjectReference.create({ objectType: text.slice(0, i), objectId: text.slice(i + 1) });
}

/** "type:id" or "type:id#relation" → SubjectReference. */
export function subject(text) {
  const [obj, relation = ""] = text.split("#");
  return v1.SubjectReference.create({ object: object(obj), optionalRelation: relation });
}

/** A fully consistent LookupResources of `document`s; `extra` adds or overrides fields. */
export const documentsLookup = (permission, subj, extra = {}) =>
  v1.LookupResourcesRequest.create({
    consistency: fullyConsistent(),
    resourceObjectType: "document",
    permission,
    subject: subject(subj),
    ...extra,
  });

/** "type:id#relation@subjecttype:id[#relation]" → Relationship. */
export function relationship(text) {
  const at = text.indexOf("@");
  const hash = text.lastIndexOf("#", at);
  assert.ok(at > 0 && hash > 0, `bad relationship ${text}`);
  return v1.Relationship.create({
    resource: object(text.slice(0, hash)),
    relation: text.slice(hash + 1, at),
    subject: subject(text.slice(at + 1)),
  });
}

/** Relationship → "type:id#relation@subjecttype:id[#relation]". */
export function relationshipText(rel) {
  const s = rel.subject;
  const subjectRelation = s.optionalRelation ? `#${s.optionalRelation}` : "";
  return (
    `${rel.resource.objectType}:${rel.resource.objectId}#${rel.relation}` +
    `@${s.object.objectType}:${s.object.objectId}${subjectRelation}`
  );
}

/** A RelationshipUpdate from an operation and a relationship string. */
export const update = (operation, text) =>
  v1.RelationshipUpdate.create({ operation, relationship: relationship(text) });

// Requests go through the generated create(), which fills in every field the wire encoder needs
// (a plain object without, say, optionalPreconditions fails to serialize in the client).

/** WriteSchema; returns the response. */
export const writeSchema = (client, schema) =>
  client.promises.writeSchema(v1.WriteSchemaRequest.create({ schema }));

/** ReadSchema; returns the schema text. */
export const readSchema = async (client) =>
  (await client.promises.readSchema(v1.ReadSchemaRequest.create({}))).schemaText;

/** WriteRelationships with the given RelationshipUpdates; returns the response. */
export const writeUpdates = (client, updates) =>
  client.promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));

/** Writes relationship strings with one operation; returns the response. */
export const write = (client, operation, texts) =>
  writeUpdates(client, texts.map((t) => update(operation, t)));

/** DeleteRelationships matching a filter (fields of RelationshipFilter); returns the response. */
export const deleteWhere = (client, filter) =>
  client.promises.deleteRelationships(
    v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter }),
  );

/**
 * ReadRelationships with a filter; returns the sorted relationship strings.
 * @param {object} filter fields of RelationshipFilter (resourceType, optionalResourceId, ...)
 */
export async function read(client, filter, consistency = fullyConsistent()) {
  const responses = await client.promises.readRelationships(
    v1.ReadRelationshipsRequest.create({
      consistency,
      relationshipFilter: filter,
    }),
  );
  return responses.map((r) => relationshipText(r.relationship)).sort();
}

/** Every relationship whose resource is of one of the given types, sorted. */
export async function readAll(client, resourceTypes) {
  const all = [];
  for (const resourceType of resourceTypes) all.push(...(await read(client, { resourceType })));
  return all.sort();
}

/** CheckPermission; returns the whole response. */
export function checkResponse(client, resource, permission, subj, consistency = fullyConsistent()) {
  return client.promises.checkPermission(
    v1.CheckPermissionRequest.create({
      consistency,
      resource: object(resource),
      permission,
      subject: subject(subj),
    }),
  );
}

/** CheckPermission; returns the permissionship (HAS, NO, ...). */
export async function check(client, resource, permission, subj, consistency) {
  return (await checkResponse(client, resource, permission, subj, consistency)).permissionship;
}

/**
 * Awaits a call that must fail with the given gRPC status code; returns the error.
 * The message names the call so a failure says what was sent.
 */
export async function rejectsWith(promise, code, what) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    assert.equal(
      err.code,
      code,
      `${what}: expected ${statusName[code]} (${code}), got ${statusName[err.code] ?? "?"} ` +
        `(${err.code}): ${err.details ?? err.message}`,
    );
    return err;
  }
  assert.fail(`${what}: expected ${statusName[code]} (${code}), but it succeeded: ${JSON.stringify(result)}`);
}
