// The Datastore: where relationships and the schema live, read at a revision.
//
// Every committed write gets the next Revision. A Snapshot reads the data exactly as it was at
// one revision, whatever is written afterwards, so a whole request sees one consistent state.
// The change feed (ReadChanges, WaitForRevisionAfter) replays what each revision changed, in
// revision order, for Watch.
//
// History is kept for a window (see Datastore::CollectGarbage): revisions older than it are
// collected, and reading them fails with RevisionExpiredError.
//
// Thread safety: a Datastore is safe for concurrent use from many threads. A Snapshot is
// immutable and may be shared across threads too.
#ifndef REBACD_STORAGE_DATASTORE_H_
#define REBACD_STORAGE_DATASTORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/relationship.h"

namespace rebac::storage {

// Whether a point read sees relationships whose expiry has passed.
enum class ExpiredRelationships { kHide, kInclude };

// The error of a read at a revision that garbage collection has already collected: OUT_OF_RANGE,
// naming `revision` and the oldest one still readable. IsRevisionExpired() recognizes it, so the
// API layer can answer as SpiceDB answers a stale revision.
absl::Status RevisionExpiredError(Revision revision, Revision oldest);
bool IsRevisionExpired(const absl::Status& status);

// What one garbage collection pass removed.
struct GcResult {
  Revision horizon = 0;  // the oldest readable revision after the pass (0: nothing collected)
  uint64_t revisions_collected = 0;        // change feed entries removed
  uint64_t schema_versions_collected = 0;  // superseded schema texts removed
  uint64_t expired_relationships_collected = 0;
  absl::Duration took;
};

// Running totals of a store's garbage collection since it was opened.
struct GcStats {
  uint64_t passes = 0;
  uint64_t failed_passes = 0;
  Revision horizon = 0;
  uint64_t revisions_collected = 0;
  uint64_t schema_versions_collected = 0;
  uint64_t expired_relationships_collected = 0;
  absl::Time last_pass = absl::InfinitePast();
  absl::Status last_error;  // of the newest failed pass; OK when none failed
};

// Returns false to stop the scan early.
using RelationshipVisitor = absl::FunctionRef<bool(const RelationshipView&)>;

// One (resource type, relation) of a subject's relationships that Snapshot::ForEachResourceOf
// visits.
struct ResourceScanTarget {
  absl::string_view resource_type;
  absl::string_view relation;
};

// Receives the index of the target a relationship belongs to; returns false to stop the scan.
using TargetedRelationshipVisitor = absl::FunctionRef<bool(size_t target, const RelationshipView&)>;

class Snapshot {
 public:
  virtual ~Snapshot() = default;

  virtual Revision revision() const = 0;

  // The stored value of the relationship with exactly these six names, or nullopt when there is
  // none at this revision. `subject_relation` "" is the ellipsis. An expired relationship is
  // none, unless `expired` is kInclude (SpiceDB's "skip expiration" reads: see graph/check.cc).
  virtual absl::StatusOr<std::optional<RelationshipValue>> Find(
      absl::string_view resource_type, absl::string_view resource_id, absl::string_view relation,
      absl::string_view subject_type, absl::string_view subject_id,
      absl::string_view subject_relation,
      ExpiredRelationships expired = ExpiredRelationships::kHide) const = 0;

  // Visits the relationships of one resource relation. With `subject_type` set, only subjects
  // of that type; with `subject_relation` also set, only that subject relation. One seek each.
  virtual absl::Status ForEachSubject(absl::string_view resource_type,
                                      absl::string_view resource_id, absl::string_view relation,
                                      std::optional<absl::string_view> subject_type,
                                      std::optional<absl::string_view> subject_relation,
                                      RelationshipVisitor visit) const = 0;

  // Visits the relationships whose subject is exactly (subject_type, subject_id,
  // subject_relation) and whose resource has `resource_type` (and `relation`, when set): the
  // reverse index, for lookups that start from the subject.
  virtual absl::Status ForEachResource(absl::string_view subject_type, absl::string_view subject_id,
                                       absl::string_view subject_relation,
                                       absl::string_view resource_type,
                                       std::optional<absl::string_view> relation,
                                       RelationshipVisitor visit) const = 0;

  // ForEachResource over several distinct targets of one subject at once, each relationship with
  // the index of its target in `targets`; targets come in key order, not in the order given.
  // An engine with an ordered index walks them in one pass, stepping from one target to a
  // neighbouring one instead of seeking each (a lookup asks for two or three per object it
  // reaches, usually next to each other).
  virtual absl::Status ForEachResourceOf(absl::string_view subject_type,
                                         absl::string_view subject_id,
                                         absl::string_view subject_relation,
                                         absl::Span<const ResourceScanTarget> targets,
                                         TargetedRelationshipVisitor visit) const;

  // Visits every relationship matching `filter`, using whichever index narrows it most; expired
  // ones too with kInclude (deletes remove them along with the visible ones).
  virtual absl::Status ForEach(
      const RelationshipFilter& filter, RelationshipVisitor visit,
      ExpiredRelationships expired = ExpiredRelationships::kHide) const = 0;
};

struct WriteRequest {
  std::vector<Precondition> preconditions;
  std::vector<RelationshipUpdate> updates;
  // Deletes every relationship matching these filters (after `updates` are validated).
  std::vector<RelationshipFilter> delete_filters;
  // When set, the schema text becomes this at the new revision.
  std::optional<std::string> schema_text;
  // Opaque bytes (the API stores a serialized google.protobuf.Struct) kept with the revision
  // and handed back by ReadChanges; "" when none.
  std::string transaction_metadata;
  // When set, the write commits only if the schema in force at the head is still the one
  // written at this revision (0: no schema written yet); otherwise it fails with ABORTED
  // (SchemaChangedError) and nothing is applied. A caller that validated the request against
  // the schema of revision R outside the write lock sets R here, so a concurrent WriteSchema
  // cannot slip in between the validation and the commit.
  std::optional<Revision> expected_schema_revision;
  // When set, run at commit under the write lock, after expected_schema_revision holds and
  // before the preconditions, against the head snapshot the write applies on top of. A non-OK
  // status aborts the write and is returned as is. It must not call Write on the same store.
  // WriteSchema uses it to refuse, atomically, a schema change that would orphan relationships.
  std::function<absl::Status(const Snapshot& head)> commit_check;
};

struct WriteResult {
  Revision revision = 0;
  uint64_t relationships_deleted = 0;  // by delete_filters
};

// What one committed revision changed.
struct RevisionChanges {
  Revision revision = 0;
  // In the order applied. Operations are as requested (kCreate stays kCreate; Watch reports it
  // as a touch, as SpiceDB does); a kDelete names a relationship that existed. Values are set
  // for kCreate/kTouch.
  std::vector<RelationshipUpdate> updates;
  std::optional<std::string> schema_text;  // set when the revision wrote the schema
  std::string transaction_metadata;        // see WriteRequest::transaction_metadata
};

// Returns false to stop reading.
using ChangeVisitor = absl::FunctionRef<bool(const RevisionChanges&)>;

// Relationships written as one revision but fed in pieces, for bulk import. Each piece is
// checked when added; only Commit() makes anything visible. Not thread-safe: one feeder.
// Destroying it without Commit() discards everything added.
class BulkLoad {
 public:
  virtual ~BulkLoad() = default;

  // Adds relationships with CREATE semantics: ALREADY_EXISTS when one exists in the store.
  // A relationship added twice fails with the same error, here or at the latest in Commit().
  // RESOURCE_EXHAUSTED when the load grows past the engine's documented limit.
  virtual absl::Status Add(const std::vector<Relationship>& relationships) = 0;

  // Commits everything added as one new revision (none when nothing was added: the result's
  // revision is then the current head). ALREADY_EXISTS when a concurrent write created one
  // of the relationships meanwhile; ABORTED (SchemaChangedError) when an expected schema
  // revision was set and the schema changed meanwhile; then nothing is applied.
  virtual absl::StatusOr<WriteResult> Commit() = 0;

  // As WriteRequest::expected_schema_revision: Commit() applies nothing unless the schema in
  // force at the head is still the one written at `revision` (0: none written).
  void set_expected_schema_revision(Revision revision) { expected_schema_revision_ = revision; }

 protected:
  std::optional<Revision> expected_schema_revision_;
};

class Datastore {
 public:
  virtual ~Datastore() = default;

  // The newest committed revision: every revision up to it is durable (with sync) and readable.
  virtual Revision HeadRevision() const = 0;

  // The oldest revision still readable: SnapshotAt and ReadChanges refuse older ones with
  // RevisionExpiredError. 0 until garbage collection first collects something. Only grows, and
  // survives a restart.
  virtual Revision OldestRevision() const = 0;

  // A snapshot at `revision`, which must be in [OldestRevision(), HeadRevision()]:
  // OUT_OF_RANGE when newer, RevisionExpiredError when older. A snapshot whose revision is
  // collected while it is still being read fails its later reads with RevisionExpiredError.
  virtual absl::StatusOr<std::shared_ptr<const Snapshot>> SnapshotAt(Revision revision) const = 0;

  // Applies `request` atomically at a new revision and returns it. Nothing is applied when it
  // fails:
  //   ALREADY_EXISTS       a kCreate names a relationship that exists
  //   FAILED_PRECONDITION  a precondition does not hold (message names it)
  //   ABORTED              expected_schema_revision is no longer the head's schema
  //   (any)                what request.commit_check returned
  // The write is durable (fsync'd) before this returns when the store was opened with sync.
  virtual absl::StatusOr<WriteResult> Write(const WriteRequest& request) = 0;

  // The schema text in force at `revision` and the revision it was written at, or nullopt
  // when none had been written by then. RevisionExpiredError below OldestRevision().
  struct SchemaVersion {
    Revision revision = 0;
    std::string text;
  };
  virtual absl::StatusOr<std::optional<SchemaVersion>> SchemaAt(Revision revision) const = 0;

  // Visits the changes of each revision after `after`, oldest first, at most `max_revisions`
  // of them, up to the head at the time of the call. The visitor may stop early by returning
  // false. OUT_OF_RANGE when `after` is newer than the head; RevisionExpiredError when `after`
  // is older than OldestRevision() (the changes after it were collected).
  virtual absl::Status ReadChanges(Revision after, size_t max_revisions,
                                   ChangeVisitor visit) const = 0;

  // Blocks until HeadRevision() > `after` or `deadline` passes, then returns HeadRevision().
  // Writers wake waiters on commit, so this never polls.
  virtual Revision WaitForRevisionAfter(Revision after, absl::Time deadline) const = 0;

  // Starts a bulk load committed as one revision carrying `transaction_metadata`.
  virtual absl::StatusOr<std::unique_ptr<BulkLoad>> StartBulkLoad(
      std::string transaction_metadata) = 0;

  // A stable id of this datastore instance, made when it was created; tokens carry it.
  virtual const std::string& instance_id() const = 0;

  // One garbage collection pass, as if the wall clock read `now` (tests pass a future time
  // instead of sleeping). With the engine's history window W, it makes the horizon the newest
  // revision committed before now - W (never the head), then removes what no read at or after
  // the horizon needs: older versions of relationships, change feed entries up to the horizon,
  // schema texts superseded before it, and relationships whose expiry is before now - W (as
  // SpiceDB's GC, without a change feed entry: Watch does not report them). Reads and writes go
  // on meanwhile; deletes are written in bounded batches. Passes are serialized. Errors are the
  // engine's I/O errors; a failed pass leaves the store consistent and the next one retries.
  virtual absl::StatusOr<GcResult> CollectGarbage(absl::Time now) = 0;

  // Totals over the passes run so far.
  virtual GcStats gc_stats() const = 0;
};

}  // namespace rebac::storage

#endif  // REBACD_STORAGE_DATASTORE_H_
