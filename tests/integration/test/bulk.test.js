// Bulk import and export against the real binary, through both PermissionsService
// (ImportBulkRelationships / ExportBulkRelationships) and the older ExperimentalService
// (BulkImportRelationships / BulkExportRelationships) that existing clients still call.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { v1 } from "@authzed/authzed-node";

import { serveForSuite } from "../lib/server.js";
import {
  CREATE,
  Status,
  fullyConsistent,
  read,
  relationship,
  relationshipText,
  write,
  writeSchema,
} from "../lib/spicedb.js";

const SCHEMA = `definition user {}

definition document {
    relation viewer: user
    relation editor: user
    permission view = viewer + editor
}
`;

/** Streams `batches` (arrays of relationship strings) to a client-streaming import RPC. */
function importBatches(client, method, RequestType, batches) {
  return new Promise((resolve, reject) => {
    const stream = client[method]((err, response) => (err ? reject(err) : resolve(response)));
    for (const batch of batches) {
      stream.write(RequestType.create({ relationships: batch.map(relationship) }));
    }
    stream.end();
  });
}

const docs = (prefix, n, relation = "viewer") =>
  Array.from({ length: n }, (_, i) => `document:${prefix}${i}#${relation}@user:u${i % 13}`);

describe("bulk import and export", { timeout: 120000 }, () => {
  let zed;
  serveForSuite(async (client) => {
    zed = client;
    await writeSchema(zed, SCHEMA);
  });

  it("imports a stream of batches as one transaction and exports it back exactly", async () => {
    const all = docs("a", 5000);
    const batches = [];
    for (let i = 0; i < all.length; i += 700) batches.push(all.slice(i, i + 700));
    const response = await importBatches(zed, "importBulkRelationships", v1.ImportBulkRelationshipsRequest, batches);
    assert.equal(String(response.numLoaded), "5000");

    const exported = await zed.promises.exportBulkRelationships(
      v1.ExportBulkRelationshipsRequest.create({
        consistency: fullyConsistent(),
        optionalLimit: 1000,
        optionalRelationshipFilter: v1.RelationshipFilter.create({ resourceType: "document" }),
      }),
    );
    assert.equal(exported.length, 5);
    assert.ok(exported.every((r) => r.relationships.length === 1000 && r.afterResultCursor.token));
    const texts = exported.flatMap((r) => r.relationships.map(relationshipText));
    assert.deepEqual([...texts].sort(), [...all].sort());
    assert.equal(new Set(texts).size, texts.length);

    // Resuming from the second batch's cursor gives exactly the rest, at the same revision,
    // even after further writes.
    await write(zed, CREATE, ["document:later#viewer@user:x"]);
    const rest = await zed.promises.exportBulkRelationships(
      v1.ExportBulkRelationshipsRequest.create({
        optionalLimit: 1000,
        optionalCursor: exported[1].afterResultCursor,
        optionalRelationshipFilter: v1.RelationshipFilter.create({ resourceType: "document" }),
      }),
    );
    assert.deepEqual(
      rest.flatMap((r) => r.relationships.map(relationshipText)),
      texts.slice(2000),
    );
  });

  it("refuses the whole import when one relationship exists, and writes nothing", async () => {
    await write(zed, CREATE, ["document:dup#viewer@user:u1"]);
    await assert.rejects(
      importBatches(zed, "importBulkRelationships", v1.ImportBulkRelationshipsRequest, [
        ["document:new1#viewer@user:u1"],
        ["document:dup#viewer@user:u1"],
      ]),
      (err) => {
        assert.equal(err.code, Status.ALREADY_EXISTS);
        assert.match(err.details, /document:dup#viewer@user:u1/);
        return true;
      },
    );
    assert.deepEqual(await read(zed, { resourceType: "document", optionalResourceId: "new1" }), []);
  });

  it("validates imports against the schema like WriteRelationships", async () => {
    await assert.rejects(
      importBatches(zed, "importBulkRelationships", v1.ImportBulkRelationshipsRequest, [
        ["document:ok1#viewer@user:u1", "document:bad#nosuch@user:u1"],
      ]),
      (err) => {
        assert.equal(err.code, Status.FAILED_PRECONDITION);
        return true;
      },
    );
    assert.deepEqual(await read(zed, { resourceType: "document", optionalResourceId: "ok1" }), []);
  });

  it("refuses an export limit over the maximum", async () => {
    await assert.rejects(
      zed.promises.exportBulkRelationships(
        v1.ExportBulkRelationshipsRequest.create({ optionalLimit: 10001 }),
      ),
      (err) => {
        assert.equal(err.code, Status.INVALID_ARGUMENT);
        assert.match(err.details, /greater than maximum allowed of 10000/);
        return true;
      },
    );
  });

  it("serves the ExperimentalService's older bulk RPCs with the same code", async () => {
    const rels = docs("e", 300, "editor");
    const response = await importBatches(zed, "bulkImportRelationships", v1.BulkImportRelationshipsRequest, [
      rels.slice(0, 150),
      rels.slice(150),
    ]);
    assert.equal(String(response.numLoaded), "300");
    const exported = await zed.promises.bulkExportRelationships(
      v1.BulkExportRelationshipsRequest.create({
        optionalLimit: 100,
        optionalRelationshipFilter: v1.RelationshipFilter.create({
          resourceType: "document",
          optionalRelation: "editor",
        }),
      }),
    );
    assert.equal(exported.length, 3);
    assert.deepEqual(exported.flatMap((r) => r.relationships.map(relationshipText)).sort(), [...rels].sort());
  });
});
