// files.delete: stored files whose rows an erasure or the retention purge changed
// (app/privacy/stored-files.ts). Deleting a file already gone is a no-op, so a retry is safe.
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";
import { deleteStoredFiles } from "../app/privacy/stored-files.js";

export const deleteFilesJob: JobHandler<JobPayloads["files.delete"]> = async (deps, job) => {
  await deleteStoredFiles(deps, job.payload.keys);
  return { kind: "done" };
};
