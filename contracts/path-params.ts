/** The path parameters routes share, with their schemas. */
import { LayerIdSchema, RequestIdSchema, TaskIdSchema } from "./api";

/** A task's routes. */
export const TASK_PATH = { task_id: TaskIdSchema } as const;
/** An approval request's routes. */
export const REQUEST_PATH = { task_id: TaskIdSchema, request_id: RequestIdSchema } as const;
/** Repo routes take a layer: a repo, `owner/*` or `*`, canonicalized. */
export const LAYER_PATH = { repo_id: LayerIdSchema } as const;
