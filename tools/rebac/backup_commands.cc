#include "tools/rebac/backup_commands.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "authzed/api/v1/permission_service.grpc.pb.h"
#include "authzed/api/v1/schema_service.grpc.pb.h"
#include "tools/rebac/backup_file.h"
#include "tools/rebac/connection.h"
#include "tools/rebac/errors.h"
#include "tools/rebac/exit_codes.h"
#include "tools/rebac/progress.h"
#include "tools/rebac/proto_convert.h"
#include "tools/rebac/relationship_text.h"

namespace rebac::cli {
namespace {

namespace v1 = ::authzed::api::v1;

// Relationships per ImportBulkRelationships message and per WriteRelationships call (the
// server's default --write-relationships-max-updates-per-call).
constexpr int kMessageSize = 1000;
constexpr int kExportRetries = 5;

enum class ConflictStrategy { kFail, kSkip, kTouch };

struct CreateArgs {
  std::string path;
  bool quiet = false;
};

struct RestoreArgs {
  std::string path;
  std::string conflict_strategy = "fail";
  int batch_size = 100000;
  bool quiet = false;
};

// A context for a long streaming call: the token, but no deadline (--timeout is per request,
// and an export or import of millions of relationships takes longer).
std::unique_ptr<grpc::ClientContext> StreamContext(const Connection& connection) {
  auto context = connection.NewContext();
  context->set_deadline(std::chrono::system_clock::time_point::max());
  return context;
}

std::string Text(const v1::Relationship& relationship) {
  return FormatRelationship(FromProto(relationship));
}

// resource#relation@subject, without caveat or expiration: what makes two relationships "the
// same" for a conflict.
std::string Key(const v1::Relationship& r) {
  return absl::StrCat(r.resource().object_type(), ":", r.resource().object_id(), "#", r.relation(),
                      "@", r.subject().object().object_type(), ":",
                      r.subject().object().object_id(), "#", r.subject().optional_relation());
}

// --- create ---

int CreateBackup(const ConnectionOptions& options, const CreateArgs& args) {
  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  v1::ReadSchemaResponse schema;
  {
    auto context = connection->NewContext();
    grpc::Status status =
        connection->schema().ReadSchema(context.get(), v1::ReadSchemaRequest(), &schema);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      PrintError(absl::StrCat("nothing to back up: ", options.endpoint, " has no schema"));
      return kExitError;
    }
    if (!status.ok()) {
      PrintRpcError(status);
      return kExitError;
    }
  }
  BackupHeader header;
  header.schema = schema.schema_text();
  header.revision = schema.read_at().token();
  header.created_at = absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  absl::StatusOr<std::unique_ptr<BackupWriter>> writer = BackupWriter::Create(args.path, header);
  if (!writer.ok()) {
    PrintError(writer.status().message());
    return kExitError;
  }

  // Every relationship at exactly the schema's revision; after a broken stream, resume from the
  // last cursor (which keeps that revision).
  ProgressLine progress("backup", 0, !args.quiet);
  std::string cursor;
  int retries = 0;
  while (true) {
    v1::ExportBulkRelationshipsRequest request;
    *request.mutable_consistency()->mutable_at_exact_snapshot() = schema.read_at();
    if (!cursor.empty()) request.mutable_optional_cursor()->set_token(cursor);
    auto context = StreamContext(*connection);
    auto reader = connection->permissions().ExportBulkRelationships(context.get(), request);
    v1::ExportBulkRelationshipsResponse response;
    v1::ImportBulkRelationshipsRequest batch;
    absl::Status write_status;
    while (reader->Read(&response)) {
      batch.mutable_relationships()->Swap(response.mutable_relationships());
      write_status = (*writer)->Append(batch);
      if (!write_status.ok()) {
        context->TryCancel();
        break;
      }
      progress.Add(batch.relationships_size());
      cursor = response.after_result_cursor().token();
      retries = 0;
    }
    grpc::Status status = reader->Finish();
    if (!write_status.ok()) {
      progress.Finish();
      PrintError(write_status.message());
      return kExitError;
    }
    if (status.ok()) break;
    bool transient = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                     status.error_code() == grpc::StatusCode::INTERNAL;
    if (!transient || ++retries > kExportRetries) {
      progress.Finish();
      PrintError(absl::StrCat("exporting relationships after ",
                              WithThousands((*writer)->relationships()),
                              " of them: ", FormatRpcError(status)));
      return kExitError;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  double seconds = progress.Finish();
  uint64_t count = (*writer)->relationships();
  if (absl::Status s = (*writer)->Finish(); !s.ok()) {
    PrintError(s.message());
    return kExitError;
  }
  if (!args.quiet) {
    std::cerr << "backup: wrote the schema and " << WithThousands(count) << " relationships to "
              << args.path << " in " << absl::StrFormat("%.1f", seconds) << " s\n";
  }
  std::cout << header.revision << "\n";
  return kExitOk;
}

// --- restore ---

struct RestoreCounts {
  uint64_t imported = 0;
  uint64_t skipped = 0;
  uint64_t touched = 0;
  std::string last_token;
};

class Restorer {
 public:
  Restorer(const Connection& connection, ConflictStrategy strategy, ProgressLine* progress)
      : connection_(connection), strategy_(strategy), progress_(progress) {}

  // Imports `chunk` as one revision (or as several, when the server finds it too large, or
  // when conflicts are skipped or touched).
  absl::Status Import(const std::vector<v1::Relationship>& chunk, size_t begin, size_t end) {
    grpc::Status status = ImportOnce(chunk, begin, end);
    if (status.ok()) {
      counts_.imported += end - begin;
      progress_->Add(end - begin);
      return absl::OkStatus();
    }
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && end - begin > 1) {
      size_t middle = begin + (end - begin) / 2;
      if (absl::Status s = Import(chunk, begin, middle); !s.ok()) return s;
      return Import(chunk, middle, end);
    }
    if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      if (strategy_ == ConflictStrategy::kTouch) return Touch(chunk, begin, end);
      if (strategy_ == ConflictStrategy::kSkip) return SkipExisting(chunk, begin, end);
      return absl::AlreadyExistsError(absl::StrCat(
          FormatRpcError(status),
          " (nothing of this chunk was written; pass --conflict-strategy=skip or touch to "
          "merge into existing relationships)"));
    }
    return absl::UnavailableError(FormatRpcError(status));
  }

  const RestoreCounts& counts() const { return counts_; }

 private:
  grpc::Status ImportOnce(const std::vector<v1::Relationship>& chunk, size_t begin, size_t end) {
    auto context = StreamContext(connection_);
    v1::ImportBulkRelationshipsResponse response;
    auto writer = connection_.permissions().ImportBulkRelationships(context.get(), &response);
    for (size_t i = begin; i < end;) {
      v1::ImportBulkRelationshipsRequest message;
      for (size_t n = 0; n < kMessageSize && i < end; ++n, ++i) {
        *message.add_relationships() = chunk[i];
      }
      if (!writer->Write(message)) break;  // the server ended the call; Finish() says why
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (status.ok() && response.num_loaded() != end - begin) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("the server loaded ", response.num_loaded(), " of ",
                                       end - begin, " relationships"));
    }
    return status;
  }

  absl::Status Write(const std::vector<v1::Relationship>& relationships,
                     v1::RelationshipUpdate::Operation operation) {
    for (size_t i = 0; i < relationships.size();) {
      v1::WriteRelationshipsRequest request;
      for (size_t n = 0; n < kMessageSize && i < relationships.size(); ++n, ++i) {
        v1::RelationshipUpdate* update = request.add_updates();
        update->set_operation(operation);
        *update->mutable_relationship() = relationships[i];
      }
      v1::WriteRelationshipsResponse response;
      auto context = connection_.NewContext();
      grpc::Status status =
          connection_.permissions().WriteRelationships(context.get(), request, &response);
      if (!status.ok()) return absl::UnavailableError(FormatRpcError(status));
      counts_.last_token = response.written_at().token();
      progress_->Add(request.updates_size());
    }
    return absl::OkStatus();
  }

  // --conflict-strategy=touch: the backup's version of each relationship wins.
  absl::Status Touch(const std::vector<v1::Relationship>& chunk, size_t begin, size_t end) {
    std::vector<v1::Relationship> part(chunk.begin() + begin, chunk.begin() + end);
    counts_.touched += part.size();
    return Write(part, v1::RelationshipUpdate::OPERATION_TOUCH);
  }

  // --conflict-strategy=skip: relationships already stored stay as they are; the rest are
  // imported. Finds the stored ones by reading each resource of the chunk once.
  absl::Status SkipExisting(const std::vector<v1::Relationship>& chunk, size_t begin, size_t end) {
    absl::flat_hash_set<std::string> stored;
    absl::flat_hash_set<std::string> resources_read;
    for (size_t i = begin; i < end; ++i) {
      const v1::ObjectReference& resource = chunk[i].resource();
      if (!resources_read.insert(absl::StrCat(resource.object_type(), ":", resource.object_id()))
               .second) {
        continue;
      }
      v1::ReadRelationshipsRequest request;
      request.mutable_consistency()->set_fully_consistent(true);
      request.mutable_relationship_filter()->set_resource_type(resource.object_type());
      request.mutable_relationship_filter()->set_optional_resource_id(resource.object_id());
      auto context = StreamContext(connection_);
      auto reader = connection_.permissions().ReadRelationships(context.get(), request);
      v1::ReadRelationshipsResponse response;
      while (reader->Read(&response)) stored.insert(Key(response.relationship()));
      grpc::Status status = reader->Finish();
      if (!status.ok()) return absl::UnavailableError(FormatRpcError(status));
    }
    std::vector<v1::Relationship> missing;
    for (size_t i = begin; i < end; ++i) {
      if (!stored.contains(Key(chunk[i]))) missing.push_back(chunk[i]);
    }
    uint64_t skipped = (end - begin) - missing.size();
    counts_.skipped += skipped;
    progress_->Add(skipped);
    if (missing.empty()) return absl::OkStatus();
    grpc::Status status = ImportOnce(missing, 0, missing.size());
    if (status.ok()) {
      counts_.imported += missing.size();
      progress_->Add(missing.size());
      return absl::OkStatus();
    }
    if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      // Stored meanwhile, or expired but not yet collected (reads hide those): write them one
      // at a time with CREATE, skipping each that exists.
      for (const v1::Relationship& relationship : missing) {
        absl::Status s = Write({relationship}, v1::RelationshipUpdate::OPERATION_CREATE);
        if (!s.ok() && absl::StrContains(s.message(), "ALREADY_EXISTS")) {
          ++counts_.skipped;
          progress_->Add(1);
        } else if (!s.ok()) {
          return s;
        } else {
          ++counts_.imported;
        }
      }
      return absl::OkStatus();
    }
    return absl::UnavailableError(FormatRpcError(status));
  }

  const Connection& connection_;
  ConflictStrategy strategy_;
  ProgressLine* progress_;
  RestoreCounts counts_;
};

// The first relationship in the store, if any.
absl::StatusOr<std::optional<v1::Relationship>> AnyRelationship(const Connection& connection) {
  v1::ExportBulkRelationshipsRequest request;
  request.mutable_consistency()->set_fully_consistent(true);
  request.set_optional_limit(1);
  auto context = connection.NewContext();
  auto reader = connection.permissions().ExportBulkRelationships(context.get(), request);
  v1::ExportBulkRelationshipsResponse response;
  std::optional<v1::Relationship> found;
  while (reader->Read(&response)) {
    if (!response.relationships().empty()) {
      found = response.relationships(0);
      context->TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (!found.has_value() && !status.ok()) {
    return absl::UnavailableError(FormatRpcError(status));
  }
  return found;
}

int RestoreBackup(const ConnectionOptions& options, const RestoreArgs& args) {
  ConflictStrategy strategy = ConflictStrategy::kFail;
  if (args.conflict_strategy == "skip") {
    strategy = ConflictStrategy::kSkip;
  } else if (args.conflict_strategy == "touch") {
    strategy = ConflictStrategy::kTouch;
  }

  // Check the whole file before writing anything, and count its relationships.
  uint64_t total = 0;
  std::string schema;
  {
    absl::StatusOr<std::unique_ptr<BackupReader>> reader = BackupReader::Open(args.path);
    if (!reader.ok()) {
      PrintError(reader.status().message());
      return kExitError;
    }
    v1::ImportBulkRelationshipsRequest batch;
    while (true) {
      absl::StatusOr<bool> more = (*reader)->Next(&batch);
      if (!more.ok()) {
        PrintError(more.status().message());
        return kExitError;
      }
      if (!*more) break;
    }
    total = (*reader)->relationships();
    schema = (*reader)->header().schema;
  }

  absl::StatusOr<Connection> connection = Connection::Open(options);
  if (!connection.ok()) {
    PrintError(connection.status().message());
    return kExitError;
  }
  absl::StatusOr<std::optional<v1::Relationship>> existing = AnyRelationship(*connection);
  if (!existing.ok()) {
    PrintError(absl::StrCat("checking whether the store is empty: ", existing.status().message()));
    return kExitError;
  }
  if (existing->has_value() && strategy == ConflictStrategy::kFail) {
    PrintError(absl::StrCat("refusing to restore into ", options.endpoint,
                            ": it already holds relationships (e.g. ", Text(**existing),
                            "); pass --conflict-strategy=skip to keep the stored ones, or "
                            "--conflict-strategy=touch to overwrite them with the backup's"));
    return kExitError;
  }

  RestoreCounts counts;
  if (!schema.empty()) {
    v1::WriteSchemaRequest request;
    request.set_schema(schema);
    v1::WriteSchemaResponse response;
    auto context = connection->NewContext();
    grpc::Status status = connection->schema().WriteSchema(context.get(), request, &response);
    if (!status.ok()) {
      PrintError(absl::StrCat("writing the backup's schema: ", FormatRpcError(status)));
      return kExitError;
    }
    counts.last_token = response.written_at().token();
  }

  absl::StatusOr<std::unique_ptr<BackupReader>> reader = BackupReader::Open(args.path);
  if (!reader.ok()) {
    PrintError(reader.status().message());
    return kExitError;
  }
  ProgressLine progress("restore", total, !args.quiet);
  Restorer restorer(*connection, strategy, &progress);
  std::vector<v1::Relationship> chunk;
  chunk.reserve(args.batch_size);
  v1::ImportBulkRelationshipsRequest batch;
  bool more = true;
  while (more) {
    absl::StatusOr<bool> next = (*reader)->Next(&batch);
    if (!next.ok()) {
      progress.Finish();
      PrintError(next.status().message());
      return kExitError;
    }
    more = *next;
    if (more) {
      for (v1::Relationship& relationship : *batch.mutable_relationships()) {
        chunk.push_back(std::move(relationship));
      }
    }
    if (chunk.size() >= static_cast<size_t>(args.batch_size) || (!more && !chunk.empty())) {
      if (absl::Status s = restorer.Import(chunk, 0, chunk.size()); !s.ok()) {
        progress.Finish();
        PrintError(absl::StrCat("restoring relationships ", WithThousands(progress.done() + 1),
                                "..", WithThousands(progress.done() + chunk.size()), " of ",
                                WithThousands(total), " from ", args.path, ": ", s.message()));
        return kExitError;
      }
      chunk.clear();
    }
  }
  double seconds = progress.Finish();
  const RestoreCounts& done = restorer.counts();
  if (!args.quiet) {
    std::cerr << "restore: wrote the schema and " << WithThousands(total) << " relationships from "
              << args.path << " in " << absl::StrFormat("%.1f", seconds) << " s ("
              << WithThousands(done.imported) << " imported, " << WithThousands(done.skipped)
              << " skipped, " << WithThousands(done.touched) << " touched)\n";
  }
  // The token of the last write, so callers can read at least as fresh as the restore.
  v1::ReadSchemaResponse head;
  auto context = connection->NewContext();
  if (connection->schema().ReadSchema(context.get(), v1::ReadSchemaRequest(), &head).ok()) {
    counts.last_token = head.read_at().token();
  }
  std::cout << counts.last_token << "\n";
  return kExitOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app, const ConnectionOptions& options, int* exit_code) {
  CLI::App* group = app.add_subcommand("backup", "Back up a store to a file, or restore one");
  group->require_subcommand(1);

  CLI::App* create = group->add_subcommand(
      "create",
      "Write the schema and every relationship, as of one revision, to FILE; prints "
      "the ZedToken of that revision");
  auto create_args = std::make_shared<CreateArgs>();
  create->add_option("file", create_args->path, "Backup file to write (replaced if it exists)")
      ->required();
  create->add_flag("--quiet,-q", create_args->quiet, "No progress or summary on stderr");
  create->callback(
      [&options, exit_code, create_args] { *exit_code = CreateBackup(options, *create_args); });

  CLI::App* restore = group->add_subcommand(
      "restore",
      "Write the schema and relationships of FILE into the store; prints a ZedToken "
      "at least as fresh as the restore");
  auto restore_args = std::make_shared<RestoreArgs>();
  restore->add_option("file", restore_args->path, "Backup file made by `rebac backup create`")
      ->required();
  restore
      ->add_option("--conflict-strategy", restore_args->conflict_strategy,
                   "When the store already holds relationships: fail (refuse, the default), "
                   "skip (keep the stored ones), touch (overwrite them with the backup's)")
      ->check(CLI::IsMember({"fail", "skip", "touch"}))
      ->capture_default_str();
  restore
      ->add_option("--batch-size", restore_args->batch_size,
                   "Relationships per ImportBulkRelationships call (one revision each)")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  restore->add_flag("--quiet,-q", restore_args->quiet, "No progress or summary on stderr");
  restore->callback(
      [&options, exit_code, restore_args] { *exit_code = RestoreBackup(options, *restore_args); });
}

}  // namespace rebac::cli
